// The Supervisor's link-fault commands (requests on the control socket):
//   {"cmd":"partition","groups":[["1","2"],["3","4","5"]]}   members not named: one more group
//   {"cmd":"isolate","target":"leader"}
//   {"cmd":"cut","a":"1","b":"3","one_way":false,"reset":false}
//   {"cmd":"delay","a":"1","b":"all","delay_ms":50,"jitter_ms":10}
//   {"cmd":"slow","a":"1","b":"all","bandwidth_bps":1048576}
//   {"cmd":"heal"} | {"cmd":"heal","a":"1","b":"3"}
//   {"cmd":"links"}
// Each change answers one line (what was done, then what the quorum math predicts), is recorded
// on the timeline as a "fault" or "heal" event, and replies with the links. Bad input changes
// nothing and is answered with one line.
#include <algorithm>
#include <set>

#include "supervisor/supervisor.h"

namespace pc {

namespace {

std::string Ids(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

}  // namespace

nlohmann::json Supervisor::LinksJson() const {
  return {{"mode", links_ ? "proxied" : "direct"},
          {"links", links_ ? links_->LinksJson(start_ms_) : nlohmann::json::array()},
          {"last_change", last_link_change_ ? last_link_change_->what : ""}};
}

std::string Supervisor::SinceLinkChange() const {
  if (!last_link_change_) return {};
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3fs",
                static_cast<double>(NowMs() - last_link_change_->t_ms) / 1000.0);
  return std::string(", ") + seconds + " after " + last_link_change_->what;
}

int Supervisor::OneNode(const std::string& target, std::string* error) const {
  const std::vector<int> ids = ResolveTarget("link", target, error);
  if (ids.size() > 1) {
    *error = "'" + target + "' names " + std::to_string(ids.size()) + " members (" + Ids(ids) +
             "): name one";
    return 0;
  }
  return ids.empty() ? 0 : ids[0];
}

bool Supervisor::PlanPartition(const std::vector<std::vector<int>>& named, LinkMatrix* next,
                               std::string* what, std::string* error) const {
  std::vector<int> group_of(size_t(spec_.nodes()) + 1, 0);
  std::vector<std::vector<int>> groups = named;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int id : groups[g]) {
      if (group_of[id] == int(g) + 1) {
        *error = "node" + std::to_string(id) + " is listed twice in group " + Ids(groups[g]);
        return false;
      }
      if (group_of[id]) {
        *error = "node" + std::to_string(id) + " is in two groups: " +
                 Ids(groups[group_of[id] - 1]) + " and " + Ids(groups[g]);
        return false;
      }
      group_of[id] = int(g) + 1;
    }
  }
  std::vector<int> rest;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    if (!group_of[id]) rest.push_back(id);
  }
  if (!rest.empty()) {
    groups.push_back(rest);
    for (int id : rest) group_of[id] = int(groups.size());
  }
  if (groups.size() < 2) {
    *error = "every member is in one group: a partition needs at least two (e.g. 1,2 3,4,5)";
    return false;
  }
  for (int a = 1; a <= spec_.nodes(); ++a) {
    for (int b = 1; b <= spec_.nodes(); ++b) {
      if (a == b) continue;
      LinkFault f = next->at(a, b);
      f.blackhole = group_of[a] != group_of[b];
      f.reset = false;
      next->Set(a, b, f);
    }
  }
  std::string text;
  for (const auto& g : groups) text += (text.empty() ? "" : " | ") + GroupText(g, spec_.voters);
  *what = "partition " + text;
  return true;
}

bool Supervisor::PlanLinks(const std::string& cmd, const nlohmann::json& request,
                           LinkMatrix* next, std::string* what, std::string* error) const {
  if (cmd == "partition" || cmd == "isolate") {
    std::vector<std::vector<int>> groups;
    if (cmd == "isolate") {
      for (int id : ResolveTarget("link", request.value("target", ""), error)) groups.push_back({id});
      if (groups.empty()) return false;
    } else {
      for (const auto& names : request.value("groups", nlohmann::json::array())) {
        groups.emplace_back();
        for (const auto& name : names) {
          const std::vector<int> ids = ResolveTarget("link", name.get<std::string>(), error);
          if (ids.empty()) return false;
          groups.back().insert(groups.back().end(), ids.begin(), ids.end());
        }
      }
      if (groups.empty()) {
        *error = "partition needs groups, e.g. `partition 1,2 3,4,5`";
        return false;
      }
    }
    if (!PlanPartition(groups, next, what, error)) return false;
    if (cmd == "isolate") *what = "isolate " + what->substr(std::string("partition ").size());
    return true;
  }
  if (cmd == "heal" && !request.contains("a")) {
    next->HealAll();
    *what = "heal every link";
    return true;
  }
  const int a = OneNode(request.value("a", ""), error);
  if (!a) return false;
  std::vector<int> others;
  if (request.value("b", "") == "all" && (cmd == "delay" || cmd == "slow")) {
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (id != a) others.push_back(id);
    }
  } else {
    const int b = OneNode(request.value("b", ""), error);
    if (!b) return false;
    if (b == a) {
      *error = "node" + std::to_string(a) + " has no link to itself: name two members";
      return false;
    }
    others = {b};
  }
  const std::string pair = std::to_string(a) + (request.value("one_way", false) ? " → " : " ⇄ ") +
                           (others.size() > 1 ? "all" : std::to_string(others[0]));
  for (int b : others) {
    LinkFault there = next->at(a, b), back = next->at(b, a);
    if (cmd == "heal") {
      there = back = LinkFault{};
    } else if (cmd == "cut") {
      const bool reset = request.value("reset", false);
      if (reset && request.value("one_way", false)) {
        *error = "--reset closes connections, which carry both directions: drop --one-way";
        return false;
      }
      there.blackhole = !reset;
      there.reset = reset;
      if (!request.value("one_way", false)) back.blackhole = there.blackhole, back.reset = reset;
    } else if (cmd == "delay") {
      there.delay_ms = back.delay_ms = request.value("delay_ms", 0);
      there.jitter_ms = back.jitter_ms = request.value("jitter_ms", 0);
    } else if (cmd == "slow") {
      there.bandwidth_bps = back.bandwidth_bps = request.value("bandwidth_bps", int64_t{0});
    }
    next->Set(a, b, there);
    next->Set(b, a, back);
  }
  if (cmd == "heal") {
    *what = "heal " + pair;
  } else if (cmd == "cut") {
    *what = "cut " + pair +
            (request.value("one_way", false)
                 ? " (one way: node" + std::to_string(a) + "'s bytes no longer reach node" +
                       std::to_string(others[0]) + ")"
                 : request.value("reset", false) ? " (connections reset and refused)" : "");
  } else if (cmd == "delay") {
    LinkFault asked;
    asked.delay_ms = request.value("delay_ms", 0);
    asked.jitter_ms = request.value("jitter_ms", 0);
    *what = asked.healthy() ? "no delay on " + pair : FaultText(asked) + " on " + pair + " each way";
  } else {
    LinkFault asked;
    asked.bandwidth_bps = request.value("bandwidth_bps", int64_t{0});
    *what = "throttle " + pair + " to " + FaultText(asked) + " each way";
  }
  return true;
}

void Supervisor::DoLinkCommand(Connection* conn, const std::string& cmd,
                               const nlohmann::json& request) {
  if (cmd == "links") {
    Reply(conn, true, "", LinksJson());
    return;
  }
  if (!links_) {
    Reply(conn, false,
          "cluster '" + spec_.name + "' runs with direct links, so `" + cmd +
              "` has nothing to act on: bring it up with `pseudo-cluster up ... --faults` "
              "to pass its links through the supervisor");
    return;
  }
  std::string what, error;
  LinkMatrix next = links_->matrix();
  if (!PlanLinks(cmd, request, &next, &what, &error)) {
    Reply(conn, false, error);
    return;
  }
  links_->Apply(next);
  last_link_change_ = LinkChange{NowMs(), what};
  const std::string line = what + ": " + PredictQuorum(next, spec_.voters);
  AddEvent(0, cmd == "heal" ? "heal" : "fault", line, {{"request", request}});
  Send(conn, {{"line", line}});
  Reply(conn, true, "", LinksJson());
}

}  // namespace pc
