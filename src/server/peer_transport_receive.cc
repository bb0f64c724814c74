// PeerTransport's receiving side: accepting (within connections_max), the hello that names the
// peer, frames handed to the Replica, the sweep of silent strangers, and closing one connection
// with the reconnect or the on_peer_lost it calls for.
#include <spdlog/spdlog.h>

#include <cassert>
#include <optional>

#include "proto/jute.h"
#include "server/address.h"
#include "server/peer_transport_state.h"

namespace zk {
namespace {

// Why DecodeElectionHello said kBad, for the one log line.
std::string BadHelloReason(std::string_view bytes) {
  JuteReader r(bytes);
  int64_t version = r.Long();
  r.Long();
  int32_t len = r.Int();
  if (version != kElectionProtocolVersion) {
    return "bad hello: protocol version " + std::to_string(version) + ", expected " +
           std::to_string(kElectionProtocolVersion);
  }
  return "bad hello: address length " + std::to_string(len) + " (limit " +
         std::to_string(kElectionAddressMax) + ")";
}

std::string PeerName(uv_tcp_t* tcp) {
  std::string ip;
  int port = 0;
  if (!PeerAddress(tcp, &ip, &port)) return "?";
  return ip + ":" + std::to_string(port);
}

}  // namespace

// ---- receiving ----

void PeerTransport::State::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<State*>(server->data);
  if (self->closing) {
    return;
  }
  if (status < 0) {
    spdlog::warn("{}: accept failed: {}", self->Tag(), uv_strerror(status));
    return;
  }
  Port port = server == reinterpret_cast<uv_stream_t*>(&self->election_listener) ? Port::kElection
                                                                                 : Port::kQuorum;
  auto* c = new PeerConnection(self, port, /*outbound=*/false, self->FrameMax(port));
  uv_tcp_init(self->loop, &c->tcp);
  ++self->open_handles;
  c->tcp.data = c;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnConnectionClosed);
    return;
  }
  c->remote = PeerName(&c->tcp);
  if (self->inbound.size() >= self->connections_max) {
    self->MakeRoom();
  }
  if (self->inbound.size() >= self->connections_max) {
    ++self->counters.connections_rejected;
    spdlog::warn("{}: closing {} connection from {}: connections_max {} reached", self->Tag(),
                 PortName(port), c->remote, self->connections_max);
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnConnectionClosed);
    return;
  }
  ++self->counters.connections_accepted;
  c->connected = true;
  c->opened_ms = uv_now(self->loop);
  self->inbound.insert(c);
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
}

void PeerTransport::State::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* c = static_cast<PeerConnection*>(handle->data);
  *buf = uv_buf_init(c->read_buffer, sizeof(c->read_buffer));
}

void PeerTransport::State::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<PeerConnection*>(stream->data);
  State* self = c->owner;
  if (c->closing || nread == 0) {
    return;
  }
  if (nread < 0) {
    size_t pending = c->outbound ? 0 : c->reader.buffered().size();
    if (pending > 0) {
      // A truncated hello or frame: the dialler broke off mid-message.
      self->ProtocolError(c, std::string("closed in the middle of a ") +
                                 (c->hello_seen ? "frame" : "hello") + " (" +
                                 std::to_string(pending) + " bytes received)");
      return;
    }
    self->CloseConnection(
        c, nread == UV_EOF ? "closed by the peer" : uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (c->outbound) {
    self->ProtocolError(c, "unexpected bytes on an outbound connection");
    return;
  }
  self->OnBytes(c, std::string_view(buf->base, static_cast<size_t>(nread)));
}

void PeerTransport::State::OnBytes(PeerConnection* c, std::string_view bytes) {
  c->reader.Feed(bytes);
  if (!c->hello_seen) {
    ElectionHello h;
    size_t used = 0;
    switch (DecodeElectionHello(c->reader.buffered(), &h, &used)) {
      case FrameResult::kNeedMore:
        return;
      case FrameResult::kBad:
        ProtocolError(c, BadHelloReason(c->reader.buffered()));
        return;
      case FrameResult::kOk:
        break;
    }
    c->reader.Skip(used);
    const bool learned =
        h.sid != config.my_sid && config.learn_peers &&
        (peers.count(h.sid) == 0 || peers[h.sid]->of(c->port).address.ends_with(":0")) &&
        LearnPeer(h.sid, c->port, h.address);
    if (!learned && (h.sid == config.my_sid || peers.count(h.sid) == 0)) {
      ProtocolError(c, "hello from sid " + std::to_string(h.sid) +
                           (h.sid == config.my_sid ? ", which is this server's own"
                                                   : ", not a member in the config"));
      return;
    }
    c->sid = h.sid;
    c->hello_seen = true;
    DialWaitingLinks(h.sid);
  }
  for (;;) {
    std::string_view frame;
    FrameReader::Status st = c->reader.Next(&frame);
    if (st == FrameReader::Status::kNeedMore) {
      return;
    }
    if (st == FrameReader::Status::kBadLength || frame.empty()) {
      ProtocolError(c, "frame length " + std::to_string(c->reader.bad_length()) + " (limit " +
                           std::to_string(FrameMax(c->port)) + ")");
      return;
    }
    if (c->port == Port::kElection) {
      std::optional<WireNotification> wn = DecodeNotification(frame);
      if (!wn) {
        ProtocolError(c, "malformed notification");
        return;
      }
      if (wn->n.sid != c->sid) {
        ProtocolError(c, "notification from sid " + std::to_string(wn->n.sid) +
                             " on the connection of sid " + std::to_string(c->sid));
        return;
      }
      ++counters.notifications_received;
      c->delivered = true;
      if (cb.on_notification) {
        cb.on_notification(wn->n, wn->config);
      }
    } else {
      std::optional<ZabPacket> p = DecodeZabPacket(frame);
      if (!p) {
        ProtocolError(c, "malformed Zab packet");
        return;
      }
      ++counters.zab_received;
      c->delivered = true;
      if (cb.on_zab) {
        cb.on_zab(c->sid, *p);
      }
    }
    if (c->closing || closing) {
      return;  // the callback closed the transport
    }
  }
}

void PeerTransport::State::ProtocolError(PeerConnection* c, const std::string& why) {
  ++counters.protocol_errors;
  spdlog::warn("{}: closing {} connection {} {}: {}", Tag(), PortName(c->port),
               c->outbound ? "to" : "from", c->remote, why);
  CloseConnection(c, nullptr);
}

void PeerTransport::State::Sweep() {
  if (closing) {
    return;
  }
  uint64_t now = uv_now(loop);
  std::vector<PeerConnection*> stale;
  for (PeerConnection* c : inbound) {
    if (!c->hello_seen && now - c->opened_ms > static_cast<uint64_t>(limits.hello_timeout_ms)) {
      stale.push_back(c);
    }
  }
  for (PeerConnection* c : stale) {
    ProtocolError(c, "no hello within hello_timeout_ms");
  }
}

void PeerTransport::State::MakeRoom() {
  PeerConnection* oldest = nullptr;
  for (PeerConnection* c : inbound) {
    if (!c->hello_seen && (oldest == nullptr || c->opened_ms < oldest->opened_ms)) oldest = c;
  }
  if (oldest != nullptr) {
    ProtocolError(oldest, "no hello yet, and connections_max " + std::to_string(connections_max) +
                              " reached: closed to make room");
  }
}

// ---- closing one connection ----

void PeerTransport::State::CloseConnection(PeerConnection* c, const char* why, bool deliberate) {
  if (c->closing) {
    return;
  }
  c->closing = true;
  bool established = c->outbound ? c->connected : c->hello_seen;
  if (c->outbound) {
    PeerLink* l = c->link;
    c->link = nullptr;
    l->conn = nullptr;
    l->overflowed = false;
    if (established) {
      // What was sent before the loss and not yet written dies with the connection.
      DropQueue(*l);
      uint64_t now = uv_now(loop);
      if (now - l->connected_ms >= static_cast<uint64_t>(limits.reconnect_delay_ms_max)) {
        l->backoff_ms = limits.reconnect_delay_ms_min;
      }
    }
    if (why != nullptr && !closing) {
      if (established) {
        spdlog::info("{}: {} connection to sid {} at {} lost: {}", Tag(), PortName(c->port), c->sid,
                     c->remote, why);
      } else if (!l->failing) {
        spdlog::info("{}: cannot reach sid {} at {} ({} port): {}; retrying", Tag(), c->sid,
                     c->remote, PortName(c->port), why);
      } else {
        spdlog::debug("{}: cannot reach sid {} at {}: {}", Tag(), c->sid, c->remote, why);
      }
    }
    if (!established && !deliberate) {
      l->failing = true;
    }
    if (deliberate) {
      DropQueue(*l);  // the next message dials a new connection at once
    } else {
      ScheduleRetry(*l);
    }
  } else {
    inbound.erase(c);
    if (why != nullptr && established && !closing) {
      spdlog::info("{}: {} connection from sid {} ({}) lost: {}", Tag(), PortName(c->port), c->sid,
                   c->remote, why);
    }
  }
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnConnectionClosed);
  // An inbound connection that never delivered a frame carried nothing the Replica knows of:
  // losing it ends no Zab relationship. (So a stranger that says hello with a member's sid and
  // then garbage does not cost that member its place.)
  const bool carried = c->outbound || c->delivered;
  if (c->port == Port::kQuorum && established && carried && !closing && !deliberate) {
    ++counters.peers_lost;
    if (cb.on_peer_lost) {
      cb.on_peer_lost(c->sid);  // c stays valid until its close callback
    }
  } else if (c->port == Port::kQuorum && c->outbound && !established && !closing && !deliberate &&
             cb.on_peer_unreachable) {
    cb.on_peer_unreachable(c->sid);
  }
}

void PeerTransport::State::DisconnectQuorum(int64_t sid) {
  auto it = peers.find(sid);
  if (!started || closing || it == peers.end()) {
    return;
  }
  PeerLink& l = it->second->quorum;
  if (l.conn != nullptr) {
    CloseConnection(l.conn, nullptr, /*deliberate=*/true);
  } else {
    DropQueue(l);
  }
  std::vector<PeerConnection*> from;
  for (PeerConnection* c : inbound) {
    if (c->port == Port::kQuorum && c->hello_seen && c->sid == sid) from.push_back(c);
  }
  for (PeerConnection* c : from) {
    CloseConnection(c, nullptr, /*deliberate=*/true);
  }
  ++counters.quorum_disconnects;
  spdlog::info("{}: closed the quorum connections with sid {} (left the Zab relationship)", Tag(),
               sid);
}
}  // namespace zk
