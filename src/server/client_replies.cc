// ClientServer's delivery of the Machine's client outputs: replies, notifications, opened and
// closed sessions, each to its session's connection, framed with ZooKeeper's ReplyHeader.
#include <spdlog/spdlog.h>

#include <cassert>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/zxid.h"
#include "server/client_server.h"

namespace zk {

namespace {

// ReplyHeader on the wire: xid (int), zxid (long), err (int).
constexpr size_t kReplyHeaderBytes = 16;

}  // namespace

std::string ClientServer::Framed(const std::string& body) {
  std::string out(4, '\0');
  StoreBigEndian32(out.data(), static_cast<int32_t>(body.size()));
  out += body;
  return out;
}

// ---- outputs ----

void ClientServer::Drain() {
  // The spare buffer goes out and comes back, so a drain per request allocates nothing; a
  // drain nested in Deliver finds no spare and simply allocates.
  std::vector<Output> outputs;
  outputs.swap(drain_spare_);
  if (take_client_outputs_) {
    take_client_outputs_(&outputs);
  } else {
    machine_->TakeReady(&ready_);
    assert(ready_.log_appends.empty());  // nothing to persist: the Core applies on submit
    outputs.swap(ready_.client_outputs);
  }
  for (const Output& o : outputs) Deliver(o);
  outputs.clear();
  if (outputs.capacity() > drain_spare_.capacity()) drain_spare_.swap(outputs);
  ResumeOpenedSessions();
}

void ClientServer::ResumeOpenedSessions() {
  if (opened_.empty()) return;
  std::vector<uint64_t> ids;
  ids.swap(opened_);
  for (uint64_t id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ClientConnection* c = it->second;
    c->session_opening = false;
    if (c->state != ClientConnection::State::kSession) continue;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
    HandleBytes(c);  // what the client sent behind its ConnectRequest
  }
  Drain();
}

void ClientServer::Deliver(const Output& o) {
  auto it = by_session_.find(o.session_id);
  ClientConnection* c = it == by_session_.end() ? nullptr : it->second;
  switch (o.kind) {
    case Output::Kind::kReply: {
      if (c == nullptr) return;  // the connection went away; the client will retry
      int64_t now = LoopMs();
      OpCode op = OpCode::kError;
      int64_t start = now;
      if (!c->pending.empty() && c->pending.front().xid == o.xid) {
        op = c->pending.front().op;
        start = c->pending.front().start_ms;
        c->pending.pop_front();
        c->stats.queued = static_cast<int64_t>(c->pending.size());
      }
      if (o.xid == kXidAuth && o.err == Err::kAuthFailed) ++counters_.auth_failed;
      SendReply(c, o.xid, o.zxid, o.err, o.body);
      c->RecordResponse(o.xid, o.zxid, op, start, now);
      counters_.AddLatency(now - start);
      if (o.close_after) {
        CloseAfterFlush(c);
        return;
      }
      AnswerQueuedPings(c);
      return;
    }
    case Output::Kind::kNotification: {
      if (c == nullptr) return;
      JuteWriter w;
      ReplyHeader{kXidNotification, -1, 0}.Write(w);
      w.Raw(o.body);
      Send(c, Framed(w.data()));
      ++counters_.packets_sent;
      ++c->stats.sent;
      return;
    }
    case Output::Kind::kSessionOpened: {
      if (c == nullptr) return;
      ConnectResponse resp;
      resp.timeout_ms = o.timeout_ms;
      resp.session_id = o.session_id;
      resp.passwd = o.body;
      resp.has_read_only = c->has_read_only_byte;
      resp.read_only = o.read_only;
      SendConnectResponse(c, resp);
      if (c->session_opening) opened_.push_back(c->id);
      int64_t now = LoopMs();
      int64_t start = now;
      if (!c->pending.empty() && c->pending.front().op == OpCode::kCreateSession) {
        start = c->pending.front().start_ms;
        c->pending.pop_front();
        c->stats.queued = static_cast<int64_t>(c->pending.size());
      }
      c->RecordResponse(0, o.zxid, OpCode::kCreateSession, start, now);
      counters_.AddLatency(now - start);
      AnswerQueuedPings(c);
      spdlog::info("Established session {} with negotiated timeout {} for client {}",
                   ZxidHex(o.session_id), o.timeout_ms, c->stats.remote);
      return;
    }
    case Output::Kind::kCloseSession: {
      if (c == nullptr) return;
      // The session is gone: nothing to tell the Core when the connection closes.
      by_session_.erase(it);
      c->session_id = 0;
      CloseAfterFlush(c);
      return;
    }
    case Output::Kind::kPersist:
    case Output::Kind::kForward:
    case Output::Kind::kSyncDone:
      // The Machine turns these into log appends and messages; none is a client output.
      spdlog::error("unexpected core output kind {} among the client outputs",
                    static_cast<int>(o.kind));
      assert(false);
      return;
  }
}

void ClientServer::DeliverOutputs() {
  Drain();
  FlushDirty();
}

void ClientServer::CloseClientConnections(const char* why) {
  std::vector<ClientConnection*> clients;
  for (auto& [id, c] : connections_) {
    if (c->state != ClientConnection::State::kFourLetter) clients.push_back(c);
  }
  if (!clients.empty()) spdlog::info("closing {} client connections: {}", clients.size(), why);
  for (ClientConnection* c : clients) Close(c, nullptr);
}

void ClientServer::CloseSessionConnection(int64_t session_id, const char* why) {
  auto it = by_session_.find(session_id);
  if (it != by_session_.end()) Close(it->second, why);
}

void ClientServer::SendReply(ClientConnection* c, int32_t xid, int64_t zxid, Err err,
                             const std::string& body) {
  SendReplyWithBody(c, xid, zxid, err,
                    err == Err::kOk ? std::string_view(body) : std::string_view());
}

void ClientServer::SendReplyWithBody(ClientConnection* c, int32_t xid, int64_t zxid, Err err,
                                     std::string_view payload) {
  // Frame length and ReplyHeader (xid, zxid, err) are built on the stack and go straight into
  // the outbox with the body: this runs once per reply.
  char head[4 + kReplyHeaderBytes];
  StoreBigEndian32(head, static_cast<int32_t>(kReplyHeaderBytes + payload.size()));
  StoreBigEndian32(head + 4, xid);
  StoreBigEndian32(head + 8, static_cast<int32_t>(static_cast<uint64_t>(zxid) >> 32));
  StoreBigEndian32(head + 12, static_cast<int32_t>(zxid));
  StoreBigEndian32(head + 16, ToInt(err));
  counters_.AddResponseSize(static_cast<int64_t>(kReplyHeaderBytes + payload.size()));
  ++counters_.packets_sent;
  ++c->stats.sent;
  Send(c, std::string_view(head, sizeof head), payload);
}
}  // namespace zk
