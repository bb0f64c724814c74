// The Supervisor's control socket: one JSON request per line in, JSON lines out.
//   request:  {"cmd":"status"} | {"cmd":"events","follow":bool}
//             | {"cmd":"kill|stop|start|restart|pause|resume","target":"leader","signal":"KILL"}
//             | {"cmd":"down"} | the link commands of supervisor_links.cc
//   replies:  {"line":"text for a person"}*  then  {"ok":bool,"error":"...","data":{...}}
//   `events` with follow: {"event":{...}} lines until the supervisor exits.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "supervisor/cluster_layout.h"
#include "supervisor/supervisor.h"

namespace pc {

struct Supervisor::Connection {
  uv_pipe_t pipe;
  Supervisor* supervisor;
  std::string in;
  char buffer[4096];
  bool subscriber = false;
  bool close_requested = false;
  bool closing = false;
  int pending_writes = 0;
};

namespace {

struct WriteRequest {
  uv_write_t req;
  std::string data;
  Supervisor::Connection* conn;
};

}  // namespace

std::string Supervisor::Listen() {
  const std::string path = SocketPath(cluster_dir_);
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return "socket path " + path + " is too long for a Unix socket; use a shorter --dir";
  }
  ::unlink(path.c_str());  // the caller checked that no live supervisor owns it
  uv_pipe_init(&loop_, &server_, 0);
  server_.data = this;
  int rc = uv_pipe_bind(&server_, path.c_str());
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 16, OnNewConnection);
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr);
    return "cannot listen on " + path + ": " + uv_strerror(rc);
  }
  listening_ = true;
  return {};
}

void Supervisor::StopListening() {
  if (listening_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr);
    ::unlink(SocketPath(cluster_dir_).c_str());
    listening_ = false;
  }
  for (Connection* conn : std::vector<Connection*>(connections_)) {
    CloseConnection(conn);
  }
}

bool Supervisor::IsSubscriber(const Connection* conn) const { return conn->subscriber; }

void Supervisor::OnNewConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<Supervisor*>(server->data);
  if (status != 0) {
    return;
  }
  auto* conn = new Connection();
  conn->supervisor = self;
  uv_pipe_init(&self->loop_, &conn->pipe, 0);
  conn->pipe.data = conn;
  self->connections_.push_back(conn);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&conn->pipe)) != 0 ||
      self->connections_.size() > kConnectionsMax || self->shutting_down_) {
    if (self->shutting_down_) {
      self->Reply(conn, false, "the cluster is shutting down");
    }
    self->CloseConnection(conn);
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&conn->pipe),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(h->data);
        *buf = uv_buf_init(c->buffer, sizeof c->buffer);
      },
      OnConnectionRead);
}

void Supervisor::OnConnectionRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* conn = static_cast<Connection*>(stream->data);
  Supervisor* self = conn->supervisor;
  if (nread < 0) {
    self->CloseConnection(conn);
    return;
  }
  conn->in.append(buf->base, static_cast<size_t>(nread));
  size_t newline;
  while (!conn->close_requested && (newline = conn->in.find('\n')) != std::string::npos) {
    std::string line = conn->in.substr(0, newline);
    conn->in.erase(0, newline + 1);
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
      self->Reply(conn, false, "request is not a JSON object");
      continue;
    }
    self->OnRequest(conn, request);
  }
  if (conn->in.size() > kRequestBytesMax) {
    self->Reply(conn, false, "request over " + std::to_string(kRequestBytesMax) + " bytes");
    self->CloseConnection(conn);
  }
}

void Supervisor::Send(Connection* conn, const nlohmann::json& message) {
  if (conn->closing || conn->close_requested) {
    return;
  }
  auto* w = new WriteRequest();
  w->data = message.dump() + "\n";
  w->conn = conn;
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  conn->pending_writes++;
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&conn->pipe), &buf, 1,
                    [](uv_write_t* req, int) {
                      auto* w = static_cast<WriteRequest*>(req->data);
                      Connection* c = w->conn;
                      delete w;
                      if (--c->pending_writes == 0 && c->close_requested) {
                        c->close_requested = false;
                        c->supervisor->CloseConnection(c);
                      }
                    });
  if (rc != 0) {
    conn->pending_writes--;
    delete w;
  }
}

void Supervisor::Reply(Connection* conn, bool ok, const std::string& error, nlohmann::json data) {
  nlohmann::json reply = {{"ok", ok}};
  if (!error.empty()) {
    reply["error"] = error;
  }
  if (!data.is_null()) {
    reply["data"] = std::move(data);
  }
  Send(conn, reply);
}

void Supervisor::CloseConnection(Connection* conn) {
  if (conn->closing) {
    return;
  }
  if (conn->pending_writes > 0) {
    conn->close_requested = true;
    return;
  }
  conn->closing = true;
  connections_.erase(std::remove(connections_.begin(), connections_.end(), conn),
                     connections_.end());
  uv_close(reinterpret_cast<uv_handle_t*>(&conn->pipe),
           [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
}

void Supervisor::OnRequest(Connection* conn, const nlohmann::json& request) {
  const std::string cmd = request.value("cmd", "");
  if (cmd == "status") {
    Reply(conn, true, "", StatusJson());
  } else if (cmd == "events") {
    for (const Event& event : timeline_.events()) {
      Send(conn, {{"event", EventToJson(event)}});
    }
    if (request.value("follow", false)) {
      conn->subscriber = true;
    } else {
      Reply(conn, true, "");
    }
  } else if (cmd == "down") {
    Reply(conn, true, "", {{"supervisor_pid", ::getpid()}});
    BeginShutdown("down");
  } else if (cmd == "kill" || cmd == "stop" || cmd == "start" || cmd == "restart" ||
             cmd == "pause" || cmd == "resume") {
    if (shutting_down_) {
      Reply(conn, false, "the cluster is shutting down");
      return;
    }
    DoAction(conn, cmd, request);
  } else if (cmd == "partition" || cmd == "isolate" || cmd == "cut" || cmd == "delay" ||
             cmd == "slow" || cmd == "heal" || cmd == "links") {
    if (shutting_down_ && cmd != "links") {
      Reply(conn, false, "the cluster is shutting down");
      return;
    }
    DoLinkCommand(conn, cmd, request);
  } else {
    Reply(conn, false, "unknown command '" + cmd + "'");
  }
}

std::vector<int> Supervisor::ResolveTarget(const std::string& action, const std::string& target,
                                           std::string* error) const {
  std::vector<int> ids;
  auto with_role = [&](Role role) {
    std::vector<int> found;
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (node(id).alive() && view(id).role == role) {
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
    return {id};
  }
  // start/restart of a role means the nodes that had it before they went down.
  auto had_role = [&](Role role) {
    std::vector<int> found;
    for (int id = 1; id <= spec_.nodes(); ++id) {
      if (!node(id).alive() && view(id).last_role == role) {
        found.push_back(id);
      }
    }
    return found;
  };
  const bool revive = action == "start" || action == "restart";
  if (target == "all") {
    for (int id = 1; id <= spec_.nodes(); ++id) {
      ids.push_back(id);
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
  for (int id = 1; id <= spec_.voters; ++id) {
    const bool hit = std::find(ids.begin(), ids.end(), id) != ids.end();
    if (!hit && node(id).state() == NodeProcess::State::kRunning) {
      ++remaining;
    }
  }
  if (RunningVoters() < QuorumSize() || remaining >= QuorumSize()) {
    return {};
  }
  return "warning: this leaves " + std::to_string(remaining) + " of " +
         std::to_string(spec_.voters) + " voters running and a quorum needs " +
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
  nlohmann::json done = nlohmann::json::array();
  for (int id : ids) {
    Send(conn, {{"line", ActOn(id, action, signal)}});
    done.push_back(id);
  }
  EvaluateCluster();
  Reply(conn, true, "", {{"nodes", done}});
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
