// PeerTransport's sending side: each peer link's bounded queue, dialing with backoff, and the
// writes that carry the queue (the hello first on a new connection).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

#include "server/address.h"
#include "server/peer_transport_state.h"

namespace zk {

// ---- sending ----

void PeerTransport::State::Send(int64_t to, Port port, std::string frame) {
  if (!started || closing) {
    return;
  }
  auto it = peers.find(to);
  if (it == peers.end()) {
    Drop(frame.size());
    spdlog::warn("{}: dropping a {} message to sid {}: not a peer", Tag(), PortName(port), to);
    return;
  }
  PeerLink& l = it->second->of(port);
  size_t max = limits.peer_queue_bytes_max;
  if (frame.size() > max || frame.size() - 4 > FrameMax(port)) {
    Drop(frame.size());
    spdlog::error("{}: dropping a {}-byte {} message to sid {}: over the limit", Tag(),
                  frame.size(), PortName(port), to);
    return;
  }
  if (l.conn != nullptr && l.conn->connected) {
    // The stream must not skip: a peer that stops reading loses the connection instead.
    if (l.overflowed || l.queued_bytes + frame.size() > max) {
      l.overflowed = true;
      flush_pending = true;
      Drop(frame.size());
      return;
    }
  } else {
    while (!l.queue.empty() && l.queued_bytes + frame.size() > max) {
      l.queued_bytes -= l.queue.front().size();
      Drop(l.queue.front().size());
      l.queue.pop_front();
    }
  }
  l.queued_bytes += frame.size();
  l.queue.push_back(std::move(frame));
  flush_pending = true;
  if (l.conn == nullptr && !l.retry_running) {
    Dial(l);
  }
}

void PeerTransport::State::DropQueue(PeerLink& l) {
  for (const std::string& f : l.queue) {
    Drop(f.size());
  }
  l.queue.clear();
  l.queued_bytes = 0;
}

void PeerTransport::State::Dial(PeerLink& l) {
  assert(l.conn == nullptr && !closing);
  auto* c = new PeerConnection(this, l.port, /*outbound=*/true, FrameMax(l.port));
  uv_tcp_init(loop, &c->tcp);
  ++open_handles;
  c->tcp.data = c;
  c->link = &l;
  c->sid = l.sid;
  c->remote = l.address;
  l.conn = c;
  ++counters.dials;
  int rc =
      uv_tcp_connect(&c->connect_req, &c->tcp, reinterpret_cast<sockaddr*>(&l.addr), OnConnect);
  if (rc != 0) {
    ++counters.dial_failures;
    CloseConnection(c, uv_strerror(rc));
  }
}

void PeerTransport::State::ScheduleRetry(PeerLink& l) {
  if (closing || l.retry_running) {
    return;
  }
  l.retry_running = true;
  uv_timer_start(&l.retry_timer, OnRetry, static_cast<uint64_t>(l.backoff_ms), 0);
  l.backoff_ms = std::min(l.backoff_ms * 2, limits.reconnect_delay_ms_max);
}

void PeerTransport::State::DialWaitingLinks(int64_t sid) {
  // Start-up: a member dials a peer not listening yet and backs off (5, 10, 20... ms); the
  // peer's own dial to us says when it is up, and our queued votes need not wait the rest.
  auto it = peers.find(sid);
  if (it == peers.end() || closing) return;
  for (Port p : {Port::kElection, Port::kQuorum}) {
    PeerLink& l = it->second->of(p);
    if (!l.retry_running || l.conn != nullptr) continue;
    uv_timer_stop(&l.retry_timer);
    l.retry_running = false;
    l.backoff_ms = limits.reconnect_delay_ms_min;
    if (!l.queue.empty()) Dial(l);
  }
}

void PeerTransport::State::OnRetry(uv_timer_t* timer) {
  auto* l = static_cast<PeerLink*>(timer->data);
  State* self = l->owner;
  l->retry_running = false;
  if (self->closing) {
    return;
  }
  if (l->conn == nullptr && !l->queue.empty()) {
    self->Dial(*l);
  }
}

void PeerTransport::State::OnConnect(uv_connect_t* req, int status) {
  auto* c = static_cast<PeerConnection*>(req->handle->data);
  State* self = c->owner;
  if (c->closing) {
    return;  // closed while connecting (UV_ECANCELED)
  }
  PeerLink* l = c->link;
  if (status < 0) {
    ++self->counters.dial_failures;
    self->CloseConnection(c, uv_strerror(status));
    return;
  }
  c->connected = true;
  c->hello_pending = true;
  c->opened_ms = uv_now(self->loop);
  l->connected_ms = c->opened_ms;
  if (l->failing) {
    spdlog::info("{}: connected to sid {} at {} ({} port)", self->Tag(), l->sid, l->address,
                 PortName(l->port));
  }
  l->failing = false;
  uv_tcp_nodelay(&c->tcp, 1);
  // Nothing is expected from the peer on this connection; reading notices its EOF / RST.
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
  self->flush_pending = true;
}

void PeerTransport::State::Flush() {
  if (!flush_pending || closing) {
    return;
  }
  flush_pending = false;
  for (auto& [sid, links] : peers) {
    for (Port p : {Port::kElection, Port::kQuorum}) {
      PeerLink& l = links->of(p);
      PeerConnection* c = l.conn;
      if (c == nullptr || !c->connected || c->closing) {
        continue;
      }
      if (l.overflowed) {
        std::string why = "peer not reading: more than " +
                          std::to_string(limits.peer_queue_bytes_max) +
                          " bytes queued (peer_queue_bytes_max)";
        CloseConnection(c, why.c_str());
        if (closing) {
          return;  // on_peer_lost closed the transport
        }
        continue;
      }
      if (c->write_in_flight || (!c->hello_pending && l.queue.empty())) {
        continue;
      }
      StartWrite(c, l);
      if (closing) {
        return;
      }
    }
  }
}

void PeerTransport::State::StartWrite(PeerConnection* c, PeerLink& l) {
  c->writing.clear();
  if (c->hello_pending) {
    c->writing.push_back(hello[static_cast<int>(l.port)]);
    c->hello_pending = false;
  }
  while (!l.queue.empty() && c->writing.size() < kWriteBuffersMax) {
    l.queued_bytes -= l.queue.front().size();
    c->writing.push_back(std::move(l.queue.front()));
    l.queue.pop_front();
    ++(l.port == Port::kElection ? counters.notifications_sent : counters.zab_sent);
  }
  // Built after `writing` is complete: moving a short string moves its bytes.
  c->write_bufs.clear();
  for (std::string& f : c->writing) {
    c->write_bufs.push_back(uv_buf_init(f.data(), static_cast<unsigned>(f.size())));
  }
  c->write_in_flight = true;
  c->write_req.data = c;
  int rc = uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), c->write_bufs.data(),
                    static_cast<unsigned>(c->write_bufs.size()), OnWrite);
  if (rc != 0) {
    c->write_in_flight = false;
    CloseConnection(c, uv_strerror(rc));
  }
}

void PeerTransport::State::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<PeerConnection*>(req->data);
  State* self = c->owner;
  c->write_in_flight = false;
  c->writing.clear();
  if (c->closing) {
    return;
  }
  if (status < 0) {
    self->CloseConnection(c, uv_strerror(status));
    return;
  }
  if (c->link != nullptr && (!c->link->queue.empty() || c->link->overflowed)) {
    self->flush_pending = true;
  }
}
}  // namespace zk
