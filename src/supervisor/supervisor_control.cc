// The Supervisor's control socket: one JSON request per line in, JSON lines out.
//   request:  {"cmd":"status"} | {"cmd":"events","follow":bool,"votes":bool,"last":N}
//             | {"cmd":"kill|stop|start|restart|pause|resume","target":"leader","signal":"KILL"}
//             | {"cmd":"down"} | {"cmd":"ui","port":N} | the link commands of supervisor_links.cc
//             | {"cmd":"add","observer":bool} | {"cmd":"remove|promote|demote","target":"3"}
//             (supervisor_reconfig.cc;
//             a refusal of bad input has data.bad_input true)
//   replies:  {"line":"text for a person"}*  then  {"ok":bool,"error":"...","data":{...}}
//             (a start or restart whose member died or could not start: ok false, and
//             data.failed lists those members; the lines above say why)
//   `events` with follow: {"event":{...}} lines until the supervisor exits, or until the
//   subscriber falls kPendingWriteBytesMax behind: then a last {"ok":false,"error":...} line.
//   `events` with votes: the election facts instead, as {"vote":{...}} lines (an Event whose kind
//   is notification, vote, decision or votes_dropped; see vote_facts.h), then as with follow.
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
  bool vote_subscriber = false;
  bool close_requested = false;
  bool closing = false;
  int pending_writes = 0;
  int64_t dropped_at_ms = -1;  // when it was dropped as a subscriber that does not read
  // A subscriber is dropped when more than this waits to be written: what its replay of the
  // timeline queued (bounded by the timeline's size), plus kPendingWriteBytesMax.
  size_t queued_bytes_max = 0;
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

bool Supervisor::IsVoteSubscriber(const Connection* conn) const { return conn->vote_subscriber; }

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
  if ((conn->subscriber || conn->vote_subscriber) &&
      uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&conn->pipe)) >
          conn->queued_bytes_max) {
    DropSubscriber(conn);
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

void Supervisor::DropSubscriber(Connection* conn) {
  const std::string what = conn->vote_subscriber ? "events --votes -f" : "events -f";
  conn->subscriber = false;
  conn->vote_subscriber = false;
  conn->dropped_at_ms = NowMs();
  const std::string why = "dropped: more than " + std::to_string(kPendingWriteBytesMax >> 20) +
                          " MiB of events were waiting for this subscriber to read them";
  Reply(conn, false, why);
  CloseConnection(conn);  // once the queue and the note are written, or after the grace
  dropped_subscribers_.push_back(what);
}

void Supervisor::NoteDroppedSubscribers() {
  while (!dropped_subscribers_.empty()) {
    const std::string what = dropped_subscribers_.front();
    dropped_subscribers_.erase(dropped_subscribers_.begin());
    AddEvent(0, "subscriber_dropped",
             "an `" + what + "` subscriber stopped reading (" +
                 std::to_string(kPendingWriteBytesMax >> 20) +
                 " MiB waiting): dropped, so the supervisor's memory stays bounded",
             {{"stream", what}, {"pending_bytes_max", kPendingWriteBytesMax}});
  }
}

void Supervisor::CloseStalledConnections() {
  const int64_t now = NowMs();
  for (Connection* conn : std::vector<Connection*>(connections_)) {
    if (conn->dropped_at_ms >= 0 && !conn->closing && now - conn->dropped_at_ms > kDroppedGraceMs) {
      CloseNow(conn);  // its queued writes are cancelled and freed
    }
  }
}

void Supervisor::CloseConnection(Connection* conn) {
  if (conn->closing) {
    return;
  }
  if (conn->pending_writes > 0) {
    conn->close_requested = true;
    return;
  }
  CloseNow(conn);
}

void Supervisor::CloseNow(Connection* conn) {
  // Callbacks of writes still queued run (cancelled) before the close callback frees conn;
  // `closing` keeps them from closing it again.
  conn->closing = true;
  pending_actions_.erase(std::remove_if(pending_actions_.begin(), pending_actions_.end(),
                                        [conn](const PendingAction& p) { return p.conn == conn; }),
                         pending_actions_.end());
  if (reshape_ && reshape_->conn == conn) {
    reshape_->conn = nullptr;  // an add or remove carries on without its client
  }
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
    const bool votes = request.value("votes", false);
    if (votes) {
      for (const VoteFact& fact : votes_.facts()) {
        Send(conn, {{"vote", EventToJson(VoteFactEvent(fact))}});
      }
    } else {
      // "last": N sends only the newest N (a view that redraws often, like `top`).
      const auto& events = timeline_.events();
      const size_t last = request.value("last", size_t{0});
      const size_t skip = last > 0 && events.size() > last ? events.size() - last : 0;
      for (auto it = events.begin() + static_cast<std::ptrdiff_t>(skip); it != events.end(); ++it) {
        Send(conn, {{"event", EventToJson(*it)}});
      }
    }
    if (request.value("follow", false)) {
      (votes ? conn->vote_subscriber : conn->subscriber) = true;
      conn->queued_bytes_max =
          uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&conn->pipe)) +
          kPendingWriteBytesMax;
    } else {
      Reply(conn, true, "");
    }
  } else if (cmd == "ui") {
    OnUiRequest(conn, request);
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
  } else if (cmd == "add" || cmd == "remove" || cmd == "promote" || cmd == "demote") {
    if (shutting_down_) {
      Reply(conn, false, "the cluster is shutting down");
      return;
    }
    if (cmd == "add") DoAdd(conn, request);
    if (cmd == "remove") DoRemove(conn, request);
    if (cmd == "promote" || cmd == "demote") DoChangeRole(conn, request, cmd == "demote");
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

}  // namespace pc
