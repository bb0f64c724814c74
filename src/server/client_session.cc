// ClientServer's side of a session: the handshake (ConnectRequest → a new session, or a
// re-attached one, or a refusal as ZooKeeper refuses) and each request after it (pings answered
// here in reply order, `sasl` in client_sasl.cc, the rest submitted to the Machine).
#include <spdlog/spdlog.h>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/zxid.h"
#include "server/client_server.h"

namespace zk {

// ---- handshake ----

void ClientServer::HandleConnect(ClientConnection* c, std::string_view frame) {
  ++counters_.connection_requests;
  ConnectRequest req;
  JuteReader r(frame);
  if (!req.Read(r)) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info("closing {}: malformed ConnectRequest ({} bytes)", c->stats.remote,
                 frame.size());
    Close(c, nullptr);
    return;
  }
  c->has_read_only_byte = req.has_read_only;
  const bool read_only = machine_->read_only();
  if (ensemble_.serving && !ensemble_.serving() && !read_only) {
    // As ZooKeeper: a member without a leader closes the connection without a response.
    ++counters_.unsuccessful_handshakes;
    Close(c, nullptr);
    return;
  }
  if (read_only && !req.read_only) {
    // As ZooKeeper: a client that did not say it accepts a read-only server (an old client
    // never does) must find a read-write one.
    ++counters_.unsuccessful_handshakes;
    spdlog::info("Refusing session request for not-read-only client {}", c->stats.remote);
    Close(c, nullptr);
    return;
  }
  if (req.last_zxid_seen > machine_->core().last_zxid()) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info(
        "Refusing session request for client {} as it has seen zxid {} our last zxid is {} "
        "client must try another server",
        c->stats.remote, ZxidHex(req.last_zxid_seen), ZxidHex(machine_->core().last_zxid()));
    Close(c, nullptr);
    return;
  }
  if (req.session_id == 0) {
    OpenSessionResult s = machine_->OpenSession(req.timeout_ms, c->ip, WallMs());
    BindSession(c, s.session_id, s.timeout_ms);
    c->session_opening = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
    c->pending.push_back({0, OpCode::kCreateSession, LoopMs()});
    c->stats.queued = static_cast<int64_t>(c->pending.size());
    // The ConnectResponse goes out with the kSessionOpened output (Drain).
    return;
  }
  Reattach(c, req);
}

void ClientServer::Reattach(ClientConnection* c, const ConnectRequest& req) {
  // This server's other connection for the session goes first.
  if (auto it = by_session_.find(req.session_id); it != by_session_.end() && it->second != c) {
    Close(it->second, "session re-attached from another connection");
  }
  int32_t timeout = machine_->Reattach(req.session_id, req.passwd, req.timeout_ms, c->ip);
  ConnectResponse resp;
  resp.has_read_only = req.has_read_only;
  resp.read_only = machine_->read_only();
  if (timeout == 0) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info("Invalid session {} for client {}, probably expired", ZxidHex(req.session_id),
                 c->stats.remote);
    resp.passwd.assign(16, '\0');
    SendConnectResponse(c, resp);
    CloseAfterFlush(c);
    c->state = ClientConnection::State::kFourLetter;  // read nothing more
    return;
  }
  BindSession(c, req.session_id, timeout);
  resp.timeout_ms = timeout;
  resp.session_id = req.session_id;
  resp.passwd = Core::SessionPassword(req.session_id);
  SendConnectResponse(c, resp);
  spdlog::info("Established session {} with negotiated timeout {} for client {} (re-attached)",
               ZxidHex(req.session_id), timeout, c->stats.remote);
}

void ClientServer::BindSession(ClientConnection* c, int64_t session_id, int32_t timeout_ms) {
  c->session_id = session_id;
  c->state = ClientConnection::State::kSession;
  c->stats.session_id = session_id;
  c->stats.timeout_ms = timeout_ms;
  by_session_[session_id] = c;
}

void ClientServer::SendConnectResponse(ClientConnection* c, const ConnectResponse& resp) {
  JuteWriter w;
  resp.Write(w);
  Send(c, Framed(w.data()));
  ++counters_.packets_sent;
  ++c->stats.sent;
}

// ---- requests ----

void ClientServer::HandleRequest(ClientConnection* c, std::string_view frame) {
  JuteReader r(frame);
  RequestHeader h;
  if (!h.Read(r)) {
    spdlog::info("closing {}: request shorter than its header", c->stats.remote);
    Close(c, nullptr);
    return;
  }
  int64_t now = LoopMs();
  if (h.type == ToInt(OpCode::kPing)) {
    machine_->Touch(c->session_id);
    if (c->pending.empty()) {
      AnswerPing(c, now);
    } else {
      // Replies leave in request order (as ZooKeeper's pipeline keeps them): the ping is
      // answered once the requests before it are.
      c->pending.push_back({kXidPing, OpCode::kPing, now});
      c->stats.queued = static_cast<int64_t>(c->pending.size());
    }
    return;
  }
  if (h.type == ToInt(OpCode::kSasl)) {
    HandleSasl(c, h.xid, frame.substr(8));
    return;
  }
  ClientRequest req;
  req.session_id = c->session_id;
  req.xid = h.xid;
  req.op = static_cast<OpCode>(h.type);
  req.body.assign(frame.substr(8));
  c->pending.push_back({h.xid, req.op, now});
  c->stats.queued = static_cast<int64_t>(c->pending.size());
  if (storage_.accepting_writes && IsWriteOp(req.op) && !storage_.accepting_writes()) {
    // The log cannot be written (durable_store.h): refuse before the write takes a zxid,
    // in the session's reply order.
    machine_->Refuse(req, Err::kNotReadOnly);
  } else {
    machine_->Submit(std::move(req), WallMs());
  }
  // Drain after each frame: a reply may close this connection (unknown op, closeSession).
  Drain();
}

void ClientServer::AnswerPing(ClientConnection* c, int64_t start_ms) {
  int64_t now = LoopMs();
  SendReply(c, kXidPing, machine_->core().last_zxid(), Err::kOk, {});
  c->RecordResponse(kXidPing, machine_->core().last_zxid(), OpCode::kPing, start_ms, now);
  counters_.AddLatency(now - start_ms);
}

void ClientServer::AnswerQueuedPings(ClientConnection* c) {
  while (!c->pending.empty() && c->pending.front().op == OpCode::kPing) {
    int64_t start = c->pending.front().start_ms;
    c->pending.pop_front();
    c->stats.queued = static_cast<int64_t>(c->pending.size());
    AnswerPing(c, start);
  }
}
}  // namespace zk
