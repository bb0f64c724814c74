#include "loadgen/chaos_nemesis.h"

#include <algorithm>
#include <random>

#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

namespace pc::loadgen {

namespace {

std::string JoinIds(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) {
    out += (out.empty() ? "" : ",") + std::to_string(id);
  }
  return out;
}

bool Send(const std::string& dir, const nlohmann::json& request, std::vector<int>* targets,
          std::string* error) {
  ControlReply reply = Request(SocketPath(dir), request);
  if (!reply.connected) {
    *error = "the supervisor in " + dir + " is gone";
    return false;
  }
  if (!reply.ok) {
    *error = request.value("cmd", "") + ": " + reply.error;
    return false;
  }
  if (targets != nullptr && reply.data.contains("nodes") && reply.data["nodes"].is_array()) {
    for (const auto& id : reply.data["nodes"]) {
      if (id.is_number_integer()) {
        targets->push_back(id.get<int>());
      }
    }
  }
  return true;
}

}  // namespace

std::string Fault::Describe() const {
  if (kind == "kill") {
    return "kill node" + std::to_string(member);
  }
  if (kind == "pause") {
    return "pause node" + std::to_string(member);
  }
  if (kind == "delay") {
    return "delay node" + std::to_string(member) + " 200ms";
  }
  if (kind == "isolate-leader") {
    return "isolate the leader";
  }
  if (kind == "restart-all") {
    return "restart all";
  }
  std::string out = "partition";
  for (size_t g = 0; g < groups.size(); ++g) {
    out += (g ? " | " : " ") + JoinIds(groups[g]);
  }
  return out;
}

std::vector<Fault> NemesisSchedule(uint64_t seed, const std::vector<std::string>& kinds,
                                   int64_t interval_ms, int64_t total_ms, int nodes) {
  // A generator of its own, fixed by the standard (mt19937_64), so a seed means one schedule on
  // every machine; the draws below never depend on what the cluster does.
  std::mt19937_64 rng(seed);
  auto below = [&](uint64_t n) { return static_cast<int>(rng() % n); };
  std::vector<Fault> out;
  if (kinds.empty() || nodes < 1) {
    return out;
  }
  std::vector<std::string> round;
  // The first fault after one quiet half-interval, so the workload has a baseline.
  for (int64_t start = interval_ms / 2; start + interval_ms / 2 <= total_ms; start += interval_ms) {
    Fault f;
    f.start_ms = start;
    f.end_ms = start + interval_ms / 2;
    // The kinds in a shuffled round, round after round: every kind comes once per round, so
    // a short run with few faults still sees each of them.
    if (round.empty()) {
      round = kinds;
      std::shuffle(round.begin(), round.end(), rng);
    }
    f.kind = round.back();
    round.pop_back();
    f.member = 1 + below(static_cast<uint64_t>(nodes));
    std::vector<int> ids(static_cast<size_t>(nodes));
    for (int i = 0; i < nodes; ++i) {
      ids[static_cast<size_t>(i)] = i + 1;
    }
    std::shuffle(ids.begin(), ids.end(), rng);
    if (f.kind == "partition") {
      const int minority = std::max(1, (nodes - 1) / 2);
      std::vector<int> a(ids.begin(), ids.begin() + minority), b(ids.begin() + minority, ids.end());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      f.groups = {a, b};
    }
    out.push_back(f);
  }
  return out;
}

bool StartFault(const std::string& dir, const Fault& f, std::vector<int>* targets,
                std::string* error) {
  const std::string member = std::to_string(f.member);
  if (f.kind == "kill") {
    return Send(dir, {{"cmd", "kill"}, {"target", member}, {"signal", "KILL"}}, targets, error);
  }
  if (f.kind == "pause") {
    return Send(dir, {{"cmd", "pause"}, {"target", member}}, targets, error);
  }
  if (f.kind == "restart-all") {
    return Send(dir, {{"cmd", "restart"}, {"target", "all"}}, targets, error);
  }
  if (f.kind == "isolate-leader") {
    return Send(dir, {{"cmd", "isolate"}, {"target", "leader"}}, targets, error);
  }
  if (f.kind == "delay") {
    targets->push_back(f.member);
    return Send(
        dir, {{"cmd", "delay"}, {"a", member}, {"b", "all"}, {"delay_ms", 200}, {"jitter_ms", 0}},
        nullptr, error);
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : f.groups) {
    nlohmann::json names = nlohmann::json::array();
    for (int id : g) {
      names.push_back(std::to_string(id));
    }
    groups.push_back(names);
  }
  return Send(dir, {{"cmd", "partition"}, {"groups", groups}}, nullptr, error);
}

bool HealFault(const std::string& dir, const Fault& f, std::string* error) {
  const std::string member = std::to_string(f.member);
  if (f.kind == "kill") {
    return Send(dir, {{"cmd", "start"}, {"target", member}}, nullptr, error);
  }
  if (f.kind == "pause") {
    return Send(dir, {{"cmd", "resume"}, {"target", member}}, nullptr, error);
  }
  if (f.kind == "restart-all") {
    return true;  // over once the restart returned
  }
  return Send(dir, {{"cmd", "heal"}}, nullptr, error);
}

bool HealAll(const std::string& dir, std::string* error) {
  bool ok = Send(dir, {{"cmd", "heal"}}, nullptr, error);
  std::string more;
  ok = Send(dir, {{"cmd", "resume"}, {"target", "all"}}, nullptr, &more) && ok;
  ok = Send(dir, {{"cmd", "start"}, {"target", "all"}}, nullptr, &more) && ok;
  if (!more.empty() && error->empty()) {
    *error = more;
  }
  return ok;
}

nlohmann::json FaultJson(const Fault& f, const char* what, int64_t time_ns,
                         const std::vector<int>& targets, const std::string& error) {
  nlohmann::json j = {{"type", what},
                      {"fault", f.kind},
                      {"time", time_ns},
                      {"text", f.Describe()},
                      {"scheduled_ms", f.start_ms}};
  if (!targets.empty()) {
    j["members"] = targets;
  }
  if (!f.groups.empty()) {
    j["groups"] = f.groups;
  }
  if (!error.empty()) {
    j["error"] = error;
  }
  return j;
}

}  // namespace pc::loadgen
