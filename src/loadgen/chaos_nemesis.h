// The nemesis of a chaos run (issue 15): a schedule of faults drawn from the seed, and the
// requests that start and heal them on the supervisor's control socket — the very requests the
// CLI's kill / start / pause / resume / partition / isolate / delay / heal / restart send.
//
// The schedule: one fault per --interval, in force for the first half of it, healed for the
// second half. The kinds come in shuffled rounds (each kind once per round, so a short run still
// sees every kind). Which fault, which member and which split come from the seed alone (the same
// seed and options give the same schedule); `isolate-leader` names "leader", which the supervisor
// resolves when the fault starts. Blocking calls, from the run's nemesis thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::loadgen {

inline const std::vector<std::string>& NemesisKinds() {
  static const std::vector<std::string> kinds = {"kill",           "pause", "partition",
                                                 "isolate-leader", "delay", "restart-all"};
  return kinds;
}

struct Fault {
  int64_t start_ms = 0;                  // since the run started
  int64_t end_ms = 0;                    // when it is healed
  std::string kind;                      // one of NemesisKinds()
  int member = 0;                        // kill, pause, delay: the member
  std::vector<std::vector<int>> groups;  // partition: the sides (the first one a minority)
  std::string Describe() const;          // "kill node3", "partition 1,2 | 3,4,5", ...
};

std::vector<Fault> NemesisSchedule(uint64_t seed, const std::vector<std::string>& kinds,
                                   int64_t interval_ms, int64_t total_ms, int nodes);

// Starts / heals one fault on the cluster in `dir`. False with *error when the supervisor
// refused or is gone; *targets gets the member ids the supervisor touched, when it says.
bool StartFault(const std::string& dir, const Fault& fault, std::vector<int>* targets,
                std::string* error);
bool HealFault(const std::string& dir, const Fault& fault, std::string* error);
// Heals everything: every link, every paused member resumed, every stopped one started.
bool HealAll(const std::string& dir, std::string* error);

nlohmann::json FaultJson(const Fault& fault, const char* what, int64_t time_ns,
                         const std::vector<int>& targets, const std::string& error);

}  // namespace pc::loadgen
