// Timeline: the supervisor's record of what happened, in order. Process starts and exits, role
// changes with epoch, elections and their duration, windows without a leader, quorum lost and
// regained. Bounded (events_max); the oldest events are dropped first. Single-threaded: owned by
// the Supervisor's loop.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>

namespace pc {

struct Event {
  int64_t t_ms = 0;     // since the supervisor started
  int64_t wall_ms = 0;  // Unix time
  int node = 0;         // 0: the cluster as a whole
  std::string
      kind;  // start, exit, role, leader, no_leader, quorum_lost, quorum_regained, ready, ...
  std::string text;                                // what a person reads
  nlohmann::json data = nlohmann::json::object();  // kind-specific fields (epoch, signal, ...)
};

nlohmann::json EventToJson(const Event& event);
Event EventFromJson(const nlohmann::json& j);

// "+12.345s  node2  exited: killed by SIGKILL" (or the wall clock when `absolute`).
std::string RenderEvent(const Event& event, bool absolute);

class Timeline {
 public:
  static constexpr size_t kEventsMax = 10000;
  const Event& Add(Event event);
  const std::deque<Event>& events() const { return events_; }

 private:
  std::deque<Event> events_;
};

}  // namespace pc
