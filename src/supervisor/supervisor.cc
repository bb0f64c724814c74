#include "supervisor/supervisor.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

#include "proto/zxid.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/exit_reason.h"
#include "supervisor/four_letter.h"
#include "supervisor/four_letter_client.h"

namespace pc {

namespace {

std::string SignalText(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

std::string Seconds(int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fs", static_cast<double>(ms) / 1000.0);
  return text;
}

}  // namespace

Supervisor::Supervisor(ClusterSpec spec, std::string cluster_dir, Launcher launcher,
                       std::string self_exe)
    : spec_(std::move(spec)),
      cluster_dir_(std::move(cluster_dir)),
      launcher_(std::move(launcher)),
      self_exe_(std::move(self_exe)) {
  uv_loop_init(&loop_);
}

Supervisor::~Supervisor() { uv_loop_close(&loop_); }

int64_t Supervisor::NowMs() const {
  return static_cast<int64_t>(uv_now(const_cast<uv_loop_t*>(&loop_))) - start_ms_;
}

int Supervisor::Run() {
  ::signal(SIGPIPE, SIG_IGN);
  uv_update_time(&loop_);
  start_ms_ = static_cast<int64_t>(uv_now(&loop_));
  no_leader_since_ = 0;
  StartVoteSources();
  for (int id = 1; id <= spec_.nodes(); ++id) {
    AddNodeProcess(id);
  }
  if (std::string error = Listen(); !error.empty()) {
    spdlog::error("{}", error);
    std::fprintf(stderr, "pseudo-cluster: %s\n", error.c_str());
    for (auto& n : nodes_) {
      n->Close();
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    return 1;
  }
  if (spec_.proxied_links) {
    links_ = std::make_unique<LinkLayer>(&loop_, spec_);
    if (std::string error = links_->Start(); !error.empty()) {
      spdlog::error("{}", error);
      std::fprintf(stderr, "pseudo-cluster: %s\n", error.c_str());
      links_->Close();
      for (auto& n : nodes_) {
        n->Close();
      }
      StopListening();
      uv_run(&loop_, UV_RUN_DEFAULT);
      return 1;
    }
  }
  const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; ++i) {
    uv_signal_init(&loop_, &signals_[i]);
    signals_[i].data = this;
    uv_signal_start(
        &signals_[i],
        [](uv_signal_t* handle, int signum) {
          auto* self = static_cast<Supervisor*>(handle->data);
          if (self->shutting_down_) {
            for (auto& n : self->nodes_) {
              n->Signal(SIGKILL, true);
            }
            return;
          }
          self->BeginShutdown(signum == SIGINT ? "interrupted" : "terminated");
        },
        signals[i]);
  }
  uv_timer_init(&loop_, &poll_timer_);
  poll_timer_.data = this;
  const int poll_ms = std::clamp(spec_.tick_time_ms, 100, 500);
  uv_timer_start(
      &poll_timer_, [](uv_timer_t* t) { static_cast<Supervisor*>(t->data)->Poll(); }, poll_ms,
      poll_ms);

  AddEvent(0, "up",
           "supervisor pid " + std::to_string(::getpid()) + " starts cluster '" + spec_.name +
               "': " + std::to_string(spec_.voter_count()) + " voters" +
               (spec_.observer_count() ? " + " + std::to_string(spec_.observer_count()) +
                                             " observers"
                                       : "") +
               (spec_.reconfig ? ", reconfig enabled" : "") +
               ", engine " + EngineName(spec_.engine) +
               (links_ ? ", links proxied (faults possible)" : ", direct links"),
           {{"pid", ::getpid()},
            {"engine", EngineName(spec_.engine)},
            {"links", links_ ? "proxied" : "direct"}});
  uv_timer_init(&loop_, &start_timer_);
  start_timer_.data = this;
  StartMembers();
  uv_run(&loop_, UV_RUN_DEFAULT);
  spdlog::info("supervisor exits");
  return 0;
}

void Supervisor::AddNodeProcess(int id) {
  auto node = std::make_unique<NodeProcess>(&loop_, id, NodeDir(cluster_dir_, id));
  node->on_start = [this](NodeProcess& n) { OnNodeStart(n); };
  node->on_exit = [this](NodeProcess& n, const NodeProcess::Exit& e) { OnNodeExit(n, e); };
  node->on_event_line = [this](NodeProcess& n, const std::string& l) { OnNodeEventLine(n, l); };
  nodes_.push_back(std::move(node));
  views_.emplace_back();
  exits_.push_back(0);
}

void Supervisor::StartNode(int id, const char* why) {
  if (std::string error = node(id).Start(launcher_, self_exe_); !error.empty()) {
    view(id).last_exit = error;
    AddEvent(id, "start_failed", error);
  }
}

void Supervisor::OnNodeStart(NodeProcess& n) {
  ApacheMemberStarted(n.id());
  const Role last_role = view(n.id()).last_role;
  view(n.id()) = NodeView{};
  view(n.id()).last_role = last_role;
  AddEvent(n.id(), "start", "started, pid " + std::to_string(n.pid()), {{"pid", n.pid()}});
  if (leader_ == 0 && !had_quorum_) {
    // Members started by hand or one by one: the first election's time counts from the first
    // start, not from `up`.
    int alive = 0;
    for (const auto& other : nodes_) alive += other->alive() ? 1 : 0;
    if (alive == 1) no_leader_since_ = NowMs();
  }
  EvaluateCluster();
}

void Supervisor::OnNodeExit(NodeProcess& n, const NodeProcess::Exit& exit) {
  const int id = n.id();
  std::string how = exit.signal ? "killed by " + SignalText(exit.signal)
                                : "exited with status " + std::to_string(exit.status);
  nlohmann::json data = {{"status", exit.status},
                         {"signal", exit.signal ? SignalText(exit.signal) : ""},
                         {"requested", exit.requested},
                         {"role", RoleName(view(id).role)},
                         {"epoch", view(id).epoch}};
  std::string text = how;
  if (!exit.requested) {
    std::string reason = ExitReason(n);
    data["last_log_line"] = reason;
    text += " (unexpected)";
    if (!reason.empty()) {
      text += ": " + reason;
    }
  }
  const Role last_role = view(id).last_role;
  view(id) = NodeView{};
  view(id).last_exit = text;
  view(id).last_role = last_role;
  AddEvent(id, "exit", text, data);
  exits_[id - 1]++;
  auto pending = std::find(restart_pending_.begin(), restart_pending_.end(), id);
  if (pending != restart_pending_.end()) {
    restart_pending_.erase(pending);
    if (!shutting_down_) {
      StartNode(id, "restart");
    }
  }
  EvaluateCluster();
  SettleActions();
  MaybeStartNext();
  MaybeFinishShutdown();
}

std::string Supervisor::ExitReason(const NodeProcess& n) const {
  const ExitClues clues = ReadExitClues(n.RunLog());
  const int id = n.id();
  const std::string myid_path = n.node_dir() + "/data/myid";
  const std::string fix = "echo " + std::to_string(id) + " > " + myid_path;
  if (clues.myid_missing) {
    return myid_path + " is missing: put the member's number in it: " + fix;
  }
  if (clues.reason.find("duplicate myid") != std::string::npos || !clues.address_in_use) {
    return clues.reason;  // zkd says it itself
  }
  // A port of its own taken: with the myid of another member that runs, that member's ports.
  int64_t myid = clues.myid;
  if (myid < 0) {
    std::ifstream in(myid_path);
    in >> myid;
  }
  if (myid == id || myid < 1 || myid > spec_.nodes() || !node(static_cast<int>(myid)).alive()) {
    return clues.reason;
  }
  const std::string m = std::to_string(myid);
  return "duplicate myid " + m + ": it started as myid " + m + " (" + myid_path + "), which node" +
         m + " runs as, so server." + m + "'s ports are taken (" + clues.reason + "); " + fix;
}

void Supervisor::OnNodeEventLine(NodeProcess& n, const std::string& line) {
  std::string error;
  auto event = ParseZkdEvent(line, &error);
  if (!event) {
    spdlog::warn("node{}: bad event line ({}): {}", n.id(), error, line);
    return;
  }
  NodeView& v = view(n.id());
  v.has_events = true;
  switch (event->kind) {
    case ZkdEvent::Kind::kState:
      SetRole(n.id(), event->role, false, event->epoch >= 0 ? event->epoch : v.epoch, event->zxid);
      break;
    case ZkdEvent::Kind::kServing:
      SetRole(n.id(), v.role, true, v.epoch, v.zxid);
      break;
    case ZkdEvent::Kind::kQuorumLost:
      AddEvent(n.id(), "quorum_lost",
               "reports that it lost its quorum and steps down" + SinceLinkChange());
      break;
    case ZkdEvent::Kind::kStorageFailed:
      AddEvent(n.id(), "storage_failed",
               "cannot record " + event->what + " (" + event->error +
                   "): left the quorum until a write succeeds",
               {{"what", event->what}, {"error", event->error}});
      break;
    case ZkdEvent::Kind::kStorageRecovered:
      AddEvent(n.id(), "storage_recovered",
               "can write to its data directory again: rejoining through an election");
      break;
    case ZkdEvent::Kind::kVoteFact:
      event->fact.node = n.id();
      AddVoteFact(std::move(event->fact));
      break;
    case ZkdEvent::Kind::kOther:
      break;
  }
}

void Supervisor::SetRole(int id, Role role, bool serving, int64_t epoch, uint64_t zxid) {
  NodeView& v = view(id);
  const bool changed = v.role != role || v.epoch != epoch || v.serving != serving;
  const bool announce = v.role != role || (v.epoch != epoch && role != Role::kLooking);
  v.role = role;
  if (role != Role::kUnknown && role != Role::kLooking) {
    v.last_role = role;
  }
  v.serving = serving;
  v.epoch = epoch;
  v.zxid = zxid;
  if (announce && role != Role::kUnknown) {
    const std::string zxid_hex = zk::ZxidHex(zxid);
    std::string text = std::string("is ") + RoleName(role);
    if (role != Role::kLooking && epoch >= 0) {
      text += " in epoch " + std::to_string(epoch);
    }
    text += SinceLinkChange();
    AddEvent(id, "role", text, {{"role", RoleName(role)}, {"epoch", epoch}, {"zxid", zxid_hex}});
  }
  if (changed) {
    EvaluateCluster();
  }
  SettleActions();
  MaybeStartNext();
}

void Supervisor::Poll() {
  SettleActions();  // deadlines
  MaybeStartNext();
  if (shutting_down_) {
    return;
  }
  ReadApacheLogs();
  NoticeDroppedVotes();
  NoteDroppedSubscribers();
  CloseStalledConnections();
  for (auto& n : nodes_) {
    const int id = n->id();
    if (n->state() != NodeProcess::State::kRunning || view(id).poll_in_flight) {
      continue;
    }
    view(id).poll_in_flight = true;
    const int pid = n->pid();
    const int port = spec_.base.client - 1 + id;
    QueryFourLetter(&loop_, port, "srvr", 1000, [this, id, pid](bool ok, const std::string& text) {
      NodeView& v = view(id);
      v.poll_in_flight = false;
      const NodeProcess& n = node(id);
      if (shutting_down_ || n.pid() != pid || n.state() != NodeProcess::State::kRunning) {
        return;
      }
      SrvrReply reply = ok ? ParseSrvr(text) : SrvrReply{};
      if (reply.connections >= 0) {
        v.connections = reply.connections;
      }
      // The first answer settles a waiting `start` — after the role it tells is taken, so the
      // answer says "looking", not "starting".
      auto first_answer = [&] {
        if (ok && !v.answered) {
          v.answered = true;
          SettleActions();
          MaybeStartNext();
        }
      };
      if (spec_.engine != Engine::kApache && v.has_events) {
        if (reply.serving) {
          v.zxid = reply.zxid;
        }
        first_answer();
        return;
      }
      // Apache, or a zkd that reports no events: the role comes from `srvr`.
      int64_t epoch = ReadCurrentEpoch(n.node_dir() + "/data");
      if (!ok || reply.role == Role::kUnknown) {
        // Not answering (yet): a JVM still starting, or a server that just died.
        if (v.role != Role::kUnknown && v.role != Role::kLooking) {
          SetRole(id, Role::kLooking, false, v.epoch, v.zxid);
        }
        first_answer();
        return;
      }
      SetRole(id, reply.role, reply.serving, epoch >= 0 ? epoch : int64_t(reply.zxid >> 32),
              reply.zxid);
      first_answer();
    });
  }
}

int Supervisor::RunningVoters() const {
  int running = 0;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    if (spec_.is_voter(id) && node(id).state() == NodeProcess::State::kRunning) {
      ++running;
    }
  }
  return running;
}

int Supervisor::LeaderId() const {
  int leader = 0;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    const NodeView& v = view(id);
    if (node(id).state() != NodeProcess::State::kRunning || !v.serving || !spec_.is_member(id)) {
      continue;
    }
    if (v.role != Role::kLeading && v.role != Role::kStandalone) {
      continue;
    }
    if (leader == 0 || v.epoch > view(leader).epoch) {
      leader = id;
    }
  }
  return leader;
}

bool Supervisor::IsReady() const {
  const int leader = LeaderId();
  if (leader == 0 || RunningVoters() < QuorumSize()) {
    return false;
  }
  for (int id = 1; id <= spec_.nodes(); ++id) {
    if (id == leader || node(id).state() != NodeProcess::State::kRunning ||
        !spec_.is_member(id)) {
      continue;
    }
    const NodeView& v = view(id);
    if (v.role != Role::kFollowing && v.role != Role::kObserving) {
      return false;
    }
    if (!v.serving || v.epoch != view(leader).epoch) {
      return false;
    }
  }
  return true;
}

void Supervisor::EvaluateCluster() {
  const int64_t now = NowMs();
  const int leader = LeaderId();
  if (leader != leader_) {
    if (leader == 0) {
      if (!shutting_down_) {
        AddEvent(0, "no_leader",
                 "no leader (node" + std::to_string(leader_) + " led epoch " +
                     std::to_string(leader_epoch_) + "): writes are unavailable",
                 {{"previous", leader_}, {"epoch", leader_epoch_}});
      }
      no_leader_since_ = now;
    } else {
      const int64_t gap = no_leader_since_ ? now - *no_leader_since_ : 0;
      const bool first = leader_ == 0 && timeline_.events().size() > 0 &&
                         std::none_of(timeline_.events().begin(), timeline_.events().end(),
                                      [](const Event& e) { return e.kind == "leader"; });
      std::string text = "node" + std::to_string(leader) + " leads epoch " +
                         std::to_string(view(leader).epoch) +
                         (first ? ", " + Seconds(gap) + " after start"
                                : " after " + Seconds(gap) + " without a leader") +
                         SinceLinkChange();
      AddEvent(0, "leader", text,
               {{"leader", leader},
                {"epoch", view(leader).epoch},
                {"election_ms", gap},
                {"previous", leader_}});
      no_leader_since_.reset();
    }
    leader_ = leader;
  }
  if (leader) {
    leader_epoch_ = view(leader).epoch;
  }
  const bool quorum = RunningVoters() >= QuorumSize();
  if (quorum != quorum_ && !shutting_down_ && !booting_) {
    const std::string counts = std::to_string(RunningVoters()) + " of " +
                               std::to_string(spec_.voter_count()) + " voters running, " +
                               std::to_string(QuorumSize()) + " needed";
    AddEvent(0, quorum ? "quorum_regained" : "quorum_lost",
             (quorum ? (had_quorum_ ? "quorum regained: " : "quorum reached: ") : "quorum lost: ") +
                 counts,
             {{"running_voters", RunningVoters()}, {"quorum_size", QuorumSize()}});
  }
  if (!booting_) {
    quorum_ = quorum;
    had_quorum_ = had_quorum_ || quorum;
  }
  const bool ready = IsReady();
  if (ready && !ready_) {
    int followers = 0, observers = 0;
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (id == leader || node(id).state() != NodeProcess::State::kRunning) {
        continue;
      }
      (view(id).role == Role::kObserving ? observers : followers)++;
    }
    std::string text = "ready: node" + std::to_string(leader) +
                       (view(leader).role == Role::kStandalone ? " standalone" : " leads") +
                       " epoch " + std::to_string(view(leader).epoch) + ", " +
                       std::to_string(followers) + " following";
    if (observers) {
      text += ", " + std::to_string(observers) + " observing";
    }
    AddEvent(0, "ready", text, {{"leader", leader}, {"epoch", view(leader).epoch}});
  }
  ready_ = ready;
}

void Supervisor::AddEvent(int node_id, std::string kind, std::string text, nlohmann::json data) {
  Event event;
  event.t_ms = NowMs();
  event.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  event.node = node_id;
  event.kind = std::move(kind);
  event.text = std::move(text);
  if (!data.is_null()) {
    event.data = std::move(data);
  }
  const Event& added = timeline_.Add(std::move(event));
  spdlog::info("{}", RenderEvent(added, false));
  const nlohmann::json message = {{"event", EventToJson(added)}};
  for (Connection* conn : std::vector<Connection*>(connections_)) {
    if (IsSubscriber(conn)) {
      Send(conn, message);
    }
  }
  NoteDroppedSubscribers();
}

std::string Supervisor::DisplayRole(int id) const {
  switch (node(id).state()) {
    case NodeProcess::State::kStopped:
      return Queued(id) ? "queued" : "stopped";
    case NodeProcess::State::kCrashed:
      return "crashed";
    case NodeProcess::State::kPaused:
      return "paused";
    case NodeProcess::State::kRunning:
      break;
  }
  const NodeView& v = view(id);
  if (v.role == Role::kUnknown) {
    return "starting";
  }
  return RoleName(v.role);
}

nlohmann::json Supervisor::StatusJson() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (int id = 1; id <= spec_.nodes(); ++id) {
    if (!spec_.is_member(id)) {
      continue;  // `remove`d: no longer part of the cluster
    }
    const NodeProcess& n = node(id);
    const NodeView& v = view(id);
    const std::string zxid_hex = zk::ZxidHex(v.zxid);
    const NodePorts ports = PortsOf(spec_, id);
    nodes.push_back({{"id", id},
                     {"role", DisplayRole(id)},
                     {"process", StateName(n.state())},
                     {"observer", spec_.is_observer(id)},
                     {"queued", Queued(id)},
                     {"pid", n.alive() ? n.pid() : 0},
                     {"epoch", v.epoch},
                     {"zxid", n.alive() ? zxid_hex : "-"},
                     {"serving", v.serving},
                     {"client_port", ports.client},
                     {"secure_client_port", spec_.tls ? ports.secure_client : 0},
                     {"quorum_port", ports.quorum},
                     {"election_port", ports.election},
                     {"connections", v.connections},
                     {"uptime_ms", n.alive() ? NowMs() + start_ms_ - n.started_ms() : 0},
                     {"data_dir", n.node_dir() + "/data"},
                     {"log", n.log_path()},
                     {"last_exit", v.last_exit}});
  }
  const int leader = LeaderId();
  return {{"cluster",
           {{"name", spec_.name},
            {"engine", EngineName(spec_.engine)},
            {"dir", cluster_dir_},
            {"tls", spec_.tls},
            {"voters", spec_.voter_count()},
            {"observers", spec_.observer_count()},
            {"reconfig", spec_.reconfig},
            {"quorum_size", QuorumSize()},
            {"running_voters", RunningVoters()},
            {"survives", std::max(-1, RunningVoters() - QuorumSize())},
            {"leader", leader},
            {"epoch", leader ? view(leader).epoch : -1},
            {"ready", IsReady()},
            {"supervisor_pid", ::getpid()},
            {"uptime_ms", NowMs()},
            {"tick_time_ms", spec_.tick_time_ms},
            {"sync_limit", spec_.sync_limit},
            {"shutting_down", shutting_down_}}},
          {"nodes", nodes},
          {"links", LinksJson()}};
}

void Supervisor::BeginShutdown(const char* why) {
  if (shutting_down_) {
    return;
  }
  AddEvent(0, "down", std::string("stopping every server (") + why + ")");
  shutting_down_ = true;
  restart_pending_.clear();
  start_queue_.clear();
  uv_timer_stop(&start_timer_);
  for (auto& n : nodes_) {
    n->Stop(kStopGraceMs);
  }
  MaybeFinishShutdown();
}

void Supervisor::MaybeFinishShutdown() {
  if (!shutting_down_) {
    return;
  }
  for (auto& n : nodes_) {
    if (n->alive()) {
      return;
    }
  }
  AddEvent(0, "stopped", "every server has stopped; supervisor exits");
  for (auto& n : nodes_) {
    n->Close();
  }
  if (links_) {
    links_->Close();
  }
  uv_timer_stop(&poll_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&start_timer_), nullptr);
  for (auto& s : signals_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
  }
  StopListening();
}

}  // namespace pc
