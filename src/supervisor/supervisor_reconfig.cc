// The Supervisor's `add` and `remove`: growing and shrinking a running ensemble with ZooKeeper's
// dynamic reconfiguration (3.5+), the way its administrator's guide does it by hand:
//   add:    lay out member N+1 with the current configuration plus itself, start it, let it
//           follow the leader as a non-voting member, `reconfig -add server.N=...`, wait until
//           it follows (or observes) as a member;
//   remove: `reconfig -remove N`, wait until a leader other than N serves (a removed leader hands
//           over), then stop N;
//   promote / demote: `reconfig -add server.N=...:participant|observer` for a member that has
//           the other role, wait until it follows (or observes) in the new one.
// One at a time (reshape_), driven by AdvanceReshape whenever a role or a process changes. The
// reconfig request itself runs on libuv's thread pool through the runner the command line
// installs (reconfig_call.h), so the loop keeps polling and streaming meanwhile.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "supervisor/cluster_layout.h"
#include "supervisor/port_check.h"
#include "supervisor/super_password.h"
#include "supervisor/supervisor.h"

namespace pc {

namespace {

ReconfigRunner& Runner() {
  static ReconfigRunner runner;
  return runner;
}

// One reconfig in flight on the thread pool: the ask goes in, the answer comes back on the loop.
struct ReconfigJob {
  uv_work_t work;
  ReconfigAsk ask;
  ReconfigAnswer answer;
  std::function<void(const ReconfigAnswer&)> done;
};

std::string Name(int id) { return "node" + std::to_string(id); }

}  // namespace

void Supervisor::SetReconfigRunner(ReconfigRunner runner) { Runner() = std::move(runner); }

std::string Supervisor::QuorumText() const {
  const int voters = spec_.voter_count();
  const int observers = spec_.observer_count();
  return std::to_string(voters) + (voters == 1 ? " voter" : " voters") +
         (observers ? " + " + std::to_string(observers) + (observers == 1 ? " observer" : " observers")
                    : "") +
         ", quorum " +
         std::to_string(QuorumSize());
}

std::string Supervisor::ServerLine(int id) const {
  const NodePorts p = PortsOf(spec_, id);
  return "server." + std::to_string(id) + "=127.0.0.1:" + std::to_string(p.quorum) + ":" +
         std::to_string(p.election) + (spec_.is_observer(id) ? ":observer" : ":participant") +
         ";127.0.0.1:" + std::to_string(p.client);
}

void Supervisor::SaveSpec() const {
  std::ofstream out(cluster_dir_ + "/cluster.json");
  out << SpecToJson(spec_).dump(2) << "\n";
  if (!out) spdlog::error("cannot write {}/cluster.json", cluster_dir_);
}

std::string Supervisor::ReshapeRefusal() const {
  if (!spec_.reconfig) {
    return "cluster '" + spec_.name +
           "' was not started with --reconfig: its members run without reconfigEnabled; bring it "
           "down and `up --reconfig` it (the data stays)";
  }
  if (std::string why = ReconfigUnsupported(spec_.engine); !why.empty()) return why;
  if (links_) {
    return "add and remove do not work with proxied links (`up --faults`) yet: the link layer "
           "has a fixed set of members; bring the cluster up without --faults to grow it";
  }
  if (!Runner()) return "this supervisor has no reconfig client (internal error)";
  if (reshape_) {
    return std::string("an ") + (reshape_->add ? "add" : "remove") + " is in progress (" +
           Name(reshape_->id) + "); wait for it to finish";
  }
  if (LeaderId() == 0) {
    return "no leader right now: a reconfig needs a serving quorum (see `status`)";
  }
  return {};
}

void Supervisor::DoAdd(Connection* conn, const nlohmann::json& request) {
  if (std::string refusal = ReshapeRefusal(); !refusal.empty()) {
    Reply(conn, false, refusal, {{"bad_input", true}});
    return;
  }
  const bool observer = request.value("observer", false);
  ClusterSpec grown = spec_;
  const int id = grown.nodes() + 1;
  grown.added += 1;
  grown.reshaped[id] = observer ? MemberKind::kObserver : MemberKind::kParticipant;
  if (SpecResult check = CheckSpec(grown); !check.ok()) {
    Reply(conn, false, "cannot add " + Name(id) + ": " + check.error, {{"bad_input", true}});
    return;
  }
  const NodePorts ports = PortsOf(grown, id);
  for (int port : {ports.client, ports.quorum, ports.election}) {
    if (!PortIsFree(port)) {
      const std::string owner = PortOwner(port);
      Reply(conn, false,
            "cannot add " + Name(id) + ": its port " + std::to_string(port) + " is in use" +
                (owner.empty() ? "" : " by " + owner) + "; free it and try again",
            {{"bad_input", true}});
      return;
    }
  }
  spec_ = grown;
  if (std::string error = WriteNodeDir(spec_, cluster_dir_, id); !error.empty()) {
    spec_.reshaped[id] = MemberKind::kRemoved;
    SaveSpec();
    Reply(conn, false, "cannot lay out " + Name(id) + ": " + error);
    return;
  }
  SaveSpec();
  AddNodeProcess(id);
  if (apache_votes_) {
    apache_logs_.emplace_back(NodeLogPath(cluster_dir_, id));
  }
  const std::string kind = observer ? "observer" : "participant";
  AddEvent(id, "add",
           "laid out as a new " + kind + " (client port " + std::to_string(ports.client) +
               "); its dynamic config is the current one plus itself",
           {{"observer", observer}, {"client_port", ports.client}});
  Send(conn, {{"line", Name(id) + ": laid out in " + NodeDir(cluster_dir_, id) + " as a new " +
                           kind + " (client " + std::to_string(ports.client) + ", quorum " +
                           std::to_string(ports.quorum) + ", election " +
                           std::to_string(ports.election) + ")"}});
  reshape_ = Reshape{conn,  true, id, observer, Reshape::Step::kStarting, NowMs() + kStartAwaitMs,
                     exits_[id - 1]};
  StartNode(id, "add");
  if (!node(id).alive()) {
    DropNewMember(id);
    FinishReshape(false, Name(id) + " did not start: " + view(id).last_exit, false);
    return;
  }
  ReshapeLine(Name(id) + " started, pid " + std::to_string(node(id).pid()) +
              "; waiting until it follows the leader");
  AdvanceReshape();
}

// The one member `cmd` acts on, or 0 after replying why not. `several`: a role naming more
// than one (`promote observers`) takes the first; otherwise that is refused.
int Supervisor::ReshapeTarget(Connection* conn, const std::string& cmd,
                              const nlohmann::json& request, bool several) {
  if (std::string refusal = ReshapeRefusal(); !refusal.empty()) {
    Reply(conn, false, refusal, {{"bad_input", true}});
    return 0;
  }
  const std::string target = request.value("target", "");
  std::string error;
  std::vector<int> ids = ResolveTarget(cmd, target, &error);
  if (ids.size() > 1 && several) ids.resize(1);
  if (ids.empty()) {
    Reply(conn, false, error, {{"bad_input", true}});
    return 0;
  }
  if (ids.size() != 1) {
    Reply(conn, false,
          cmd + " takes one member at a time: '" + target + "' names " +
              std::to_string(ids.size()) + "; name one by id, or leader, follower, observer",
          {{"bad_input", true}});
    return 0;
  }
  return ids[0];
}

void Supervisor::DoRemove(Connection* conn, const nlohmann::json& request) {
  const int id = ReshapeTarget(conn, "remove", request, false);
  if (id == 0) return;
  const bool was_leader = id == LeaderId();
  AddEvent(id, "remove",
           std::string("reconfiguring it out of the ensemble") + (was_leader ? " (it leads)" : ""));
  reshape_ = Reshape{conn, false, id, spec_.is_observer(id), Reshape::Step::kReconfiguring,
                     NowMs() + kStartAwaitMs, exits_[id - 1]};
  ReshapeLine("reconfig: removing " + Name(id) + (was_leader ? ", the leader" : ""));
  StartReconfig("", std::to_string(id));
}

// `promote` (observer -> participant) and `demote` (participant -> observer): the member is
// added again with its new role (`reconfig -add server.N=...:participant|observer`), then
// awaited in that role. A demoted leader hands over to a designated leader.
void Supervisor::DoChangeRole(Connection* conn, const nlohmann::json& request, bool to_observer) {
  const std::string cmd = to_observer ? "demote" : "promote";
  const int id = ReshapeTarget(conn, cmd, request, !to_observer);
  if (id == 0) return;
  if (spec_.is_observer(id) == to_observer || !node(id).alive()) {
    const std::string was = to_observer ? "an observer" : "a participant";
    Reply(conn, false,
          Name(id) + (spec_.is_observer(id) != to_observer
                          ? " is not running: start it first"
                          : " is already " + was + ": only " +
                                (to_observer ? "participants are demoted"
                                             : "observers are promoted")),
          {{"bad_input", true}});
    return;
  }
  const bool was_leader = id == LeaderId();
  std::optional<MemberKind> before;
  if (auto it = spec_.reshaped.find(id); it != spec_.reshaped.end()) before = it->second;
  // ServerLine says the new role from here on (OnReconfigDone puts it back on a refusal).
  spec_.reshaped[id] = to_observer ? MemberKind::kObserver : MemberKind::kParticipant;
  AddEvent(id, cmd,
           to_observer ? std::string("reconfiguring it from participant to observer") +
                             (was_leader ? " (it leads: it hands over)" : "")
                       : "reconfiguring it from observer to participant");
  reshape_ = Reshape{conn,           true, id, to_observer, Reshape::Step::kReconfiguring,
                     NowMs() + kStartAwaitMs, exits_[id - 1], true, before};
  ReshapeLine("reconfig: adding " + ServerLine(id) + (was_leader ? " (the leader)" : ""));
  StartReconfig(ServerLine(id), "");
}

void Supervisor::StartReconfig(const std::string& joining, const std::string& leaving) {
  reshape_->step = Reshape::Step::kReconfiguring;
  auto* job = new ReconfigJob();
  job->work.data = job;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    // Not through the member that is reconfigured: a leaving leader ends its sessions, and a
    // joining member is not a member yet.
    if (spec_.is_member(id) && node(id).alive() && id != reshape_->id) {
      job->ask.hosts += (job->ask.hosts.empty() ? "" : ",") + std::string("127.0.0.1:") +
                        std::to_string(PortsOf(spec_, id).client);
    }
  }
  if (job->ask.hosts.empty()) {
    // It is the only member running (removing the last one): ask it, and let ZooKeeper answer.
    job->ask.hosts = "127.0.0.1:" + std::to_string(PortsOf(spec_, reshape_->id).client);
  }
  job->ask.super_password = ReadSuperPassword(cluster_dir_);
  job->ask.joining = joining;
  job->ask.leaving = leaving;
  job->done = [this](const ReconfigAnswer& answer) { OnReconfigDone(answer); };
  uv_queue_work(
      &loop_, &job->work,
      [](uv_work_t* work) {
        auto* j = static_cast<ReconfigJob*>(work->data);
        j->answer = Runner()(j->ask);
      },
      [](uv_work_t* work, int) {
        auto* j = static_cast<ReconfigJob*>(work->data);
        j->done(j->answer);
        delete j;
      });
}

void Supervisor::OnReconfigDone(const ReconfigAnswer& answer) {
  if (!reshape_) return;
  Reshape& r = *reshape_;
  const int id = r.id;
  if (!answer.ok) {
    AddEvent(0, "reconfig_failed",
             std::string("reconfig to ") +
                 (r.role_change ? (r.observer ? "demote " : "promote ")
                  : r.add       ? "add "
                                : "remove ") +
                 Name(id) +
                 " failed: " + answer.error,
             {{"node", id}, {"error", answer.error}});
    if (r.role_change) {
      // It keeps the role it had.
      if (r.kind_before) {
        spec_.reshaped[id] = *r.kind_before;
      } else {
        spec_.reshaped.erase(id);
      }
    } else if (r.add) {
      DropNewMember(id);
    }
    FinishReshape(false, "ZooKeeper refused the reconfig: " + answer.error, true);
    return;
  }
  if (r.add) {
    r.step = Reshape::Step::kJoining;
  } else {
    spec_.reshaped[id] = MemberKind::kRemoved;
    r.step = node(id).alive() ? Reshape::Step::kHandingOver : Reshape::Step::kStopping;
  }
  SaveSpec();
  if (apache_votes_) apache_votes_->SetVoters(VoterIds());
  r.deadline_ms = NowMs() + kStartAwaitMs;
  AddEvent(0, "reconfig",
           Name(id) +
               (r.role_change ? (r.observer ? " demoted to observer" : " promoted to participant")
                : r.add       ? " joined as " + std::string(r.observer ? "observer" : "participant")
                              : " removed") +
               ": now " + QuorumText(),
           {{"node", id},
            {"change", r.role_change ? (r.observer ? "demote" : "promote")
                       : r.add       ? "add"
                                     : "remove"},
            {"voters", spec_.voter_count()},
            {"observers", spec_.observer_count()},
            {"quorum_size", QuorumSize()},
            {"config", answer.config}});
  ReshapeLine("reconfig committed: " + QuorumText());
  EvaluateCluster();
  AdvanceReshape();
}

void Supervisor::AdvanceReshape() {
  if (!reshape_ || reshape_->step == Reshape::Step::kReconfiguring) return;
  Reshape& r = *reshape_;
  const int id = r.id;
  const bool late = NowMs() >= r.deadline_ms;
  switch (r.step) {
    case Reshape::Step::kStarting:
      if (exits_[id - 1] > r.exits_before) {
        DropNewMember(id);
        FinishReshape(false, Name(id) + " exited before it joined: " + view(id).last_exit, false);
      } else if (HasJoined(id)) {
        ReshapeLine(Name(id) + " is " + DisplayRole(id) + "; reconfig: adding " + ServerLine(id));
        StartReconfig(ServerLine(id), "");
      } else if (late) {
        DropNewMember(id);
        FinishReshape(false,
                      Name(id) + " did not reach the leader in " +
                          std::to_string(kStartAwaitMs / 1000) + "s; see `pseudo-cluster logs " +
                          std::to_string(id) + "`",
                      false);
      }
      return;
    case Reshape::Step::kJoining: {
      const Role want = r.observer ? Role::kObserving : Role::kFollowing;
      if (view(id).role == want && view(id).serving) {
        FinishReshape(true,
                      Name(id) + " " + (r.observer ? "observes" : "follows") + " as a member: " +
                          QuorumText(),
                      false);
      } else if (late || !node(id).alive()) {
        FinishReshape(false,
                      "the reconfig added " + Name(id) + ", but it is " + DisplayRole(id) +
                          "; see `pseudo-cluster logs " + std::to_string(id) + "`",
                      false);
      }
      return;
    }
    case Reshape::Step::kHandingOver: {
      const int leader = LeaderId();
      if ((leader != 0 && leader != id) || late) {
        ReshapeLine(leader ? Name(leader) + " leads; stopping " + Name(id)
                           : "no leader yet; stopping " + Name(id) + " anyway");
        r.step = Reshape::Step::kStopping;
        node(id).Stop(kStopGraceMs);
      }
      return;
    }
    case Reshape::Step::kStopping:
      if (!node(id).alive()) {
        const int leader = LeaderId();
        FinishReshape(true,
                      Name(id) + " removed and stopped: " + QuorumText() +
                          (leader ? ", " + Name(leader) + " leads" : ", no leader yet"),
                      false);
      } else if (late) {
        node(id).Signal(SIGKILL, true);
      }
      return;
    case Reshape::Step::kReconfiguring:
      return;
  }
}

void Supervisor::DropNewMember(int id) {
  if (node(id).alive()) node(id).Stop(kStopGraceMs);
  spec_.reshaped[id] = MemberKind::kRemoved;
  SaveSpec();
  AddEvent(id, "add_failed", "left out of the cluster: the add did not complete");
  EvaluateCluster();
}

void Supervisor::ReshapeLine(const std::string& line) {
  if (reshape_ && reshape_->conn) Send(reshape_->conn, {{"line", line}});
}

void Supervisor::FinishReshape(bool ok, const std::string& text, bool bad_input) {
  if (!reshape_) return;
  Connection* conn = reshape_->conn;
  const int id = reshape_->id;
  reshape_.reset();
  if (!conn) return;
  if (ok) {
    Send(conn, {{"line", text}});
    Reply(conn, true, "",
          {{"node", id}, {"voters", spec_.voter_count()}, {"quorum_size", QuorumSize()}});
  } else {
    Reply(conn, false, text, {{"bad_input", bad_input}, {"node", id}});
  }
}

}  // namespace pc
