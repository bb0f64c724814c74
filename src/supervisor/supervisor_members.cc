// The Supervisor's member actions: kill, stop, start, restart, pause and resume one or more
// members by id or role. A request is answered once what it began has happened (PendingAction in
// supervisor.h): `kill leader` returns after the supervisor has seen the leader exit, `start 2`
// after member 2 is up or has died again, with the reason from its log.
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "supervisor/supervisor.h"

namespace pc {

std::vector<int> Supervisor::ResolveTarget(const std::string& action, const std::string& target,
                                           std::string* error) const {
  std::vector<int> ids;
  auto with_role = [&](Role role) {
    std::vector<int> found;
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (spec_.is_member(id) && node(id).alive() && view(id).role == role) {
        found.push_back(id);
      }
    }
    return found;
  };
  if (!target.empty() && target.find_first_not_of("0123456789") == std::string::npos) {
    int id = std::atoi(target.c_str());
    if (id < 1 || id > spec_.nodes()) {
      *error = "no node " + target + ": this cluster has nodes 1.." + std::to_string(spec_.nodes());
      return {};
    }
    if (!spec_.is_member(id)) {
      *error = "node" + target + " was removed from the cluster (`remove`); see `status`";
      return {};
    }
    return {id};
  }
  // start/restart of a role means the nodes that had it before they went down.
  auto had_role = [&](Role role) {
    std::vector<int> found;
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (spec_.is_member(id) && !node(id).alive() && view(id).last_role == role) {
        found.push_back(id);
      }
    }
    return found;
  };
  const bool revive = action == "start" || action == "restart";
  if (target == "all") {
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (spec_.is_member(id)) ids.push_back(id);
    }
  } else if (target == "leader") {
    if (int leader = LeaderId()) {
      ids.push_back(leader);
    }
    if (ids.empty() && revive) {
      ids = had_role(Role::kLeading);
    }
    if (ids.size() > 1) {
      ids.resize(1);
    }
    for (int id : with_role(Role::kStandalone)) {
      if (ids.empty()) {
        ids.push_back(id);
      }
    }
  } else if (target == "follower" || target == "followers") {
    ids = revive ? had_role(Role::kFollowing) : with_role(Role::kFollowing);
    if (action == "restart") {
      for (int id : with_role(Role::kFollowing)) {
        ids.push_back(id);
      }
    }
    if (target == "follower" && ids.size() > 1) {
      ids.resize(1);
    }
  } else if (target == "observer" || target == "observers") {
    ids = revive ? had_role(Role::kObserving) : with_role(Role::kObserving);
    if (action == "restart") {
      for (int id : with_role(Role::kObserving)) {
        ids.push_back(id);
      }
    }
    if (target == "observer" && ids.size() > 1) {
      ids.resize(1);
    }
  } else {
    *error = "unknown target '" + target +
             "': use a node id, leader, follower, followers, observer, observers or all";
    return {};
  }
  if (ids.empty()) {
    *error = revive ? "no stopped node was " + target + " (see `status`)"
                    : "no node is " + target + " right now (see `status`)";
  }
  return ids;
}

std::string Supervisor::QuorumWarning(const std::string& action,
                                      const std::vector<int>& ids) const {
  if (action != "kill" && action != "stop" && action != "restart" && action != "pause") {
    return {};
  }
  int remaining = 0;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    const bool hit = std::find(ids.begin(), ids.end(), id) != ids.end();
    if (spec_.is_voter(id) && !hit && node(id).state() == NodeProcess::State::kRunning) {
      ++remaining;
    }
  }
  if (RunningVoters() < QuorumSize() || remaining >= QuorumSize()) {
    return {};
  }
  return "warning: this leaves " + std::to_string(remaining) + " of " +
         std::to_string(spec_.voter_count()) + " voters running and a quorum needs " +
         std::to_string(QuorumSize()) + ": the ensemble stops serving until enough are back" +
         (action == "restart" ? " (for the length of the restart)" : "");
}

namespace {

// "KILL", "SIGKILL" or "9" → 9; 0 if it names no signal.
int ParseSignal(std::string name) {
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  int signal = 0;
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && name == abbrev) signal = s;
  }
  if (name.find_first_not_of("0123456789") == std::string::npos && !name.empty()) {
    signal = std::atoi(name.c_str());
  }
  return signal > 0 && signal < NSIG ? signal : 0;
}

// The error of a start or restart that left members down.
std::string FailedText(const std::vector<int>& failed) {
  std::string text;
  for (int id : failed) {
    text += (text.empty() ? "node" : ", node") + std::to_string(id);
  }
  return text + (failed.size() == 1 ? " is" : " are") + " not running (reason above)";
}

}  // namespace

void Supervisor::DoAction(Connection* conn, const std::string& action,
                          const nlohmann::json& request) {
  std::string error;
  const std::vector<int> ids = ResolveTarget(action, request.value("target", ""), &error);
  if (ids.empty()) {
    Reply(conn, false, error);
    return;
  }
  int signal = SIGKILL;
  if (action == "kill" && request.contains("signal")) {
    signal = ParseSignal(request.value("signal", "KILL"));
    if (signal == 0) {
      Reply(conn, false, "unknown signal '" + request.value("signal", "") + "'");
      return;
    }
  }
  if (std::string warning = QuorumWarning(action, ids); !warning.empty()) {
    Send(conn, {{"line", warning}});
  }
  PendingAction pending{conn, action, {}, {}, {}, {}, NowMs(), NowMs() + AwaitMs(action), {}};
  for (int id : ids) {
    const bool was_alive = node(id).alive();
    const int exits = exits_[id - 1];
    Send(conn, {{"line", ActOn(id, action, signal)}});
    if (Awaits(action, signal) && (was_alive || action == "start" || action == "restart")) {
      pending.ids.push_back(id);
      pending.exits_before.push_back(exits);
      pending.stops.push_back(action == "restart" && was_alive ? 1 : 0);
      pending.settled.push_back(false);
    }
  }
  EvaluateCluster();
  if (pending.ids.empty()) {
    std::vector<int> failed;
    for (int id : ids) {
      if ((action == "start" || action == "restart") && !node(id).alive()) failed.push_back(id);
    }
    if (!failed.empty()) {
      Reply(conn, false, FailedText(failed), {{"nodes", ids}, {"failed", failed}});
      return;
    }
    Reply(conn, true, "", {{"nodes", ids}});
    return;
  }
  pending_actions_.push_back(std::move(pending));
  SettleActions();
}

bool Supervisor::Awaits(const std::string& action, int signal) {
  if (action == "kill") return signal == SIGKILL || signal == SIGTERM || signal == SIGINT;
  return action == "stop" || action == "start" || action == "restart";
}

int64_t Supervisor::AwaitMs(const std::string& action) const {
  // A stop may take the whole grace period; a JVM may take long to answer its first `srvr`.
  return action == "kill" || action == "stop" ? kStopGraceMs + 5000 : kStartAwaitMs;
}

bool Supervisor::HasJoined(int id) const {
  const Role role = view(id).role;
  return role == Role::kLeading || role == Role::kFollowing || role == Role::kObserving ||
         role == Role::kStandalone;
}

int64_t Supervisor::MyidOnDisk(int id) const {
  std::ifstream in(node(id).node_dir() + "/data/myid");
  int64_t myid = -1;
  return in >> myid ? myid : -1;
}

std::string Supervisor::SettledLine(const PendingAction& p, size_t i, bool* failed) const {
  const int id = p.ids[i];
  const std::string name = "node" + std::to_string(id);
  const int exits = exits_[id - 1] - p.exits_before[i];
  const NodeProcess& n = node(id);
  if (p.action == "kill" || p.action == "stop") {
    return exits > 0 ? name + " exited: " + view(id).last_exit : "";
  }
  // start, or restart (whose first exit is the stop it asked for; the start follows at once).
  const int stops = p.stops[i];
  if (exits > stops) {
    *failed = true;
    return name + " exited right after it started: " + view(id).last_exit;
  }
  if (exits < stops) return "";
  if (!n.alive()) {
    *failed = true;
    return name + " did not start: " + view(id).last_exit;
  }
  const NodeView& v = view(id);
  if (!v.answered && !v.has_events) return "";
  // With a quorum running, up means joined: a member that answers and then dies (an Apache
  // member whose election port is taken retries the bind for seconds) is not reported as up.
  if (!HasJoined(id) && RunningVoters() >= QuorumSize() &&
      NowMs() < p.requested_ms + kJoinAwaitMs) {
    return "";
  }
  // A member started with another member's myid can even join (an Apache learner does, as that
  // member) and exit only once its election port bind has failed for good: not up until then.
  if (MyidOnDisk(id) != id && NowMs() < p.requested_ms + kJoinAwaitMs) {
    return "";
  }
  return name + " is up, pid " + std::to_string(n.pid()) + " (" + DisplayRole(id) + ")";
}

void Supervisor::SettleActions() {
  for (size_t k = 0; k < pending_actions_.size();) {
    PendingAction& p = pending_actions_[k];
    bool all = true;
    for (size_t i = 0; i < p.ids.size(); ++i) {
      if (p.settled[i]) continue;
      bool failed = false;
      std::string line = SettledLine(p, i, &failed);
      if (line.empty() && NowMs() >= p.deadline_ms) {
        line = "node" + std::to_string(p.ids[i]) + ": not settled after " +
               std::to_string(AwaitMs(p.action) / 1000) + "s; see `pseudo-cluster logs " +
               std::to_string(p.ids[i]) + "`";
      }
      if (line.empty()) {
        all = false;
        continue;
      }
      p.settled[i] = true;
      if (failed) p.failed.push_back(p.ids[i]);
      Send(p.conn, {{"line", line}});
    }
    if (!all) {
      ++k;
      continue;
    }
    if (p.failed.empty()) {
      Reply(p.conn, true, "", {{"nodes", p.ids}});
    } else {
      Reply(p.conn, false, FailedText(p.failed), {{"nodes", p.ids}, {"failed", p.failed}});
    }
    pending_actions_.erase(pending_actions_.begin() + static_cast<long>(k));
  }
  AdvanceReshape();  // an add or remove waits on the same changes (supervisor_reconfig.cc)
}

std::string Supervisor::ActOn(int id, const std::string& action, int signal) {
  NodeProcess& n = node(id);
  const std::string name = "node" + std::to_string(id);
  if (action == "start") {
    if (n.alive()) return name + " is already running (pid " + std::to_string(n.pid()) + ")";
    StartNode(id, "start");
    return n.alive() ? name + " started, pid " + std::to_string(n.pid())
                     : name + " failed to start: " + view(id).last_exit;
  }
  if (!n.alive() && action != "restart") return name + " is not running";
  if (action == "kill") {
    AddEvent(id, "signal", std::string("sent ") + "SIG" + sigabbrev_np(signal) + " by request",
             {{"signal", std::string("SIG") + sigabbrev_np(signal)}});
    n.Signal(signal, true);
    return name + ": sent SIG" + sigabbrev_np(signal) + " to pid " + std::to_string(n.pid());
  }
  if (action == "stop") {
    n.Stop(kStopGraceMs);
    return name + ": stopping (SIGTERM, SIGKILL after " + std::to_string(kStopGraceMs / 1000) +
           "s)";
  }
  if (action == "restart") {
    if (!n.alive()) {
      StartNode(id, "restart");
      return name + " was not running; started, pid " + std::to_string(n.pid());
    }
    restart_pending_.push_back(id);
    n.Stop(kStopGraceMs);
    return name + ": restarting";
  }
  if (action == "pause") {
    if (n.state() == NodeProcess::State::kPaused) return name + " is already paused";
    n.Pause();
    AddEvent(id, "pause", "paused (SIGSTOP)");
    return name + ": paused (SIGSTOP); the others notice only after syncLimit x tickTime = " +
           std::to_string(spec_.sync_limit) + " x " + std::to_string(spec_.tick_time_ms) +
           " ms = " + std::to_string(spec_.sync_limit * spec_.tick_time_ms) + " ms";
  }
  if (action == "resume") {
    if (n.state() != NodeProcess::State::kPaused) return name + " is not paused";
    n.Resume();
    AddEvent(id, "resume", "resumed (SIGCONT)");
    return name + ": resumed (SIGCONT)";
  }
  return {};
}

}  // namespace pc
