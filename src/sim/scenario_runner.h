// The scenario runner (scenario.h): one scenario file's commands carried out line by line on a
// Simulator, the trace they write, and the first error. Private to scenario.cc (the commands)
// and scenario_expect.cc (the `expect` lines); nothing else includes it.
#pragma once

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/client_load.h"
#include "sim/replica_member.h"
#include "sim/scenario.h"
#include "sim/scenario_zab.h"
#include "sim/tuning.h"

namespace zk::sim {

// A scenario word as a number (ScenarioNumber); nullopt unless the whole word is one.
std::optional<int64_t> Number(const std::string& s);

class Runner {
 public:
  Runner(std::string name, const ScenarioOptions& options)
      : name_(std::move(name)), options_(options) {}

  // Empty on success.
  std::string Line(int line_no, const std::string& raw);
  std::string trace() const { return trace_; }

 private:
  std::string Error(const std::string& what) {
    return name_ + ":" + std::to_string(line_) + ": " + what;
  }
  bool EnsureSim();
  std::string Configure(const std::vector<std::string>& w);
  std::string Tune(const std::vector<std::string>& w);
  std::string SetDisk(const std::vector<std::string>& w);
  std::string DataDirFull(const std::vector<std::string>& w);
  std::string Step(const std::vector<std::string>& w, const std::string& text);
  std::string Partition(const std::vector<std::string>& w, const std::string& text);
  std::string Net(const std::vector<std::string>& w);
  void RunTicks(int64_t n);
  std::string Expect(const std::vector<std::string>& w);
  std::string ExpectNoLeader(const std::vector<std::string>& w);
  std::string ExpectSameDigest();
  std::string ExpectMembers(const std::vector<std::string>& w);
  std::string Describe(int64_t sid);
  void Trace(const std::string& line) {
    trace_ += line + "\n";
    if (options_.echo) std::cout << line << "\n";
  }

  std::string name_;
  ScenarioOptions options_;
  int line_ = 0;
  std::set<int64_t> voters_, observers_;
  std::set<int64_t> spares_;  // outside the starting config, to join later (reconfig)
  uint64_t seed_ = 1;
  SimTuning tuning_;
  std::map<int64_t, SimDisk> disks_;  // set before the simulator exists
  bool replica_ = false;
  ReplicaContext ctx_;
  std::unique_ptr<ClientLoad> clients_;
  std::unique_ptr<ZabChecker> checker_;
  std::unique_ptr<ZabScript> zab_;
  std::unique_ptr<Simulator> sim_;  // destroyed first: its members point at the above
  std::string trace_;
};

}  // namespace zk::sim
