// ClientServer's connection life: listening, accepting (and refusing past the limits), reading
// and framing, closing, and the tick. The rest of the class: the handshake and requests in
// client_session.cc, the Machine's outputs in client_replies.cc, the write path in
// client_write.cc, four-letter words in client_four_letter.cc, SASL in client_sasl.cc.
#include "server/client_server.h"

#include <spdlog/spdlog.h>

#include <cassert>

#include "proto/jute.h"
#include "proto/zxid.h"
#include "server/address.h"
#include "server/host_probe.h"

namespace zk {

namespace {

constexpr int kListenBacklog = 511;
constexpr int kSendBufferBytes = 4 << 20;  // per client connection; see Accept

ClientConnection* ConnectionOf(void* handle) {
  return static_cast<ClientConnection*>(static_cast<uv_handle_t*>(handle)->data);
}

}  // namespace

int64_t FirstSessionId(int64_t now_ms, int64_t server_id) {
  uint64_t id = (static_cast<uint64_t>(now_ms) << 24) >> 8;
  id |= static_cast<uint64_t>(server_id) << 56;
  return static_cast<int64_t>(id);
}

ServerLimits ServerLimits::FromConfig(const ServerConfig& config) {
  ServerLimits l;
  l.packet_bytes_max = config.jute_max_buffer;
  l.connections_per_ip_max = config.max_client_cnxns;
  return l;
}

ClientServer::ClientServer(uv_loop_t* loop, const ServerConfig& config, Machine* machine)
    : loop_(loop), config_(config), limits_(ServerLimits::FromConfig(config)), machine_(machine) {
  env_ = CollectEnvironment();
}

ClientServer::~ClientServer() {
  // Stop() must have run and the loop must have closed every handle.
  assert(connections_.empty());
}

int64_t ClientServer::LoopMs() const { return static_cast<int64_t>(uv_now(loop_)); }

std::string ClientServer::listen_address() const {
  std::string host = config_.client_port_address.empty() ? "0.0.0.0" : config_.client_port_address;
  return host + ":" + std::to_string(config_.client_port);
}

std::string ClientServer::secure_listen_address() const {
  if (!config_.tls.enabled()) return "";
  std::string host = config_.client_port_address.empty() ? "0.0.0.0" : config_.client_port_address;
  return host + ":" + std::to_string(config_.tls.secure_client_port);
}

// Binds and listens on clientPortAddress:port. Returns an error line, empty on success.
std::string ClientServer::Listen(uv_tcp_t* listener, int port) {
  sockaddr_storage addr{};
  // clientPortAddress empty = all interfaces.
  const std::string& host = config_.client_port_address;
  if (!ResolveAddress(host.empty() ? "0.0.0.0" : host, port, &addr)) {
    return "cannot resolve clientPortAddress " + config_.client_port_address;
  }
  uv_tcp_init(loop_, listener);
  listener->data = this;
  int rc = uv_tcp_bind(listener, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener), kListenBacklog, OnConnection);
  if (rc != 0) {
    std::string why = rc == UV_EADDRINUSE ? "address already in use" : uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(listener), nullptr);
    return "cannot listen on " + (host.empty() ? "0.0.0.0" : host) + ":" + std::to_string(port) +
           ": " + why;
  }
  return "";
}

std::string ClientServer::Start() {
  if (config_.tls.enabled()) {
    std::string error;
    tls_ = TlsContext::Make(config_.tls, &error);
    if (tls_ == nullptr) return config_.path + ": " + error;
  }
  if (std::string error = Listen(&listener_, config_.client_port); !error.empty()) return error;
  if (tls_ != nullptr) {
    if (std::string error = Listen(&secure_listener_, config_.tls.secure_client_port);
        !error.empty()) {
      uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
      return error;
    }
    spdlog::info("TLS clients on {} (secureClientPort; ssl.clientAuth={})",
                 secure_listen_address(), config_.tls.client_auth);
  }
  uv_timer_init(loop_, &tick_timer_);
  tick_timer_.data = this;
  uv_timer_start(&tick_timer_, OnTick, config_.tick_ms, config_.tick_ms);
  uv_check_init(loop_, &flush_check_);
  flush_check_.data = this;
  uv_check_start(&flush_check_, OnFlushAfterPoll);
  uv_prepare_init(loop_, &flush_prepare_);
  flush_prepare_.data = this;
  uv_prepare_start(&flush_prepare_, OnFlushBeforePoll);
  started_ = true;
  start_loop_ms_ = LoopMs();
  last_tick_wall_ms_ = WallMs();
  return {};
}

void ClientServer::Stop() {
  if (stopping_) return;
  stopping_ = true;
  std::vector<ClientConnection*> all;
  for (auto& [id, c] : connections_) all.push_back(c);
  if (!all.empty()) spdlog::info("closing {} client connections", all.size());
  for (ClientConnection* c : all) Close(c, nullptr);
  if (started_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    if (tls_ != nullptr) uv_close(reinterpret_cast<uv_handle_t*>(&secure_listener_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_prepare_), nullptr);
  }
}

// ---- accepting ----

void ClientServer::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<ClientServer*>(server->data);
  if (status < 0) {
    spdlog::warn("accept failed: {}", uv_strerror(status));
    return;
  }
  self->Accept(server);
}

void ClientServer::Accept(uv_stream_t* listener) {
  auto* c = new ClientConnection(this, next_connection_id_++, limits_.packet_bytes_max);
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete ConnectionOf(h); });
    return;
  }
  int port = 0;
  PeerAddress(&c->tcp, &c->ip, &port);
  c->stats.remote = "/" + c->ip + ":" + std::to_string(port);
  c->stats.interest_ops = 1;
  c->stats.established_ms = WallMs();
  c->established_loop_ms = LoopMs();
  c->last_activity_wall_ms = c->stats.established_ms;
  uv_tcp_nodelay(&c->tcp, 1);
  // Room in the kernel for a whole large reply (getChildren of 100k children is 1.6 MB), so it
  // leaves in one write from the caller's buffer (ClientServer::Send) instead of the part the
  // socket did not take being copied to the outbox and written on later turns. Autotuning
  // starts a socket at 16 KB. The kernel caps the value at net.core.wmem_max (4 MB here) and
  // doubles it; half of that (2 MB asked, 4 MB got) did not hold a 1.6 MB reply on loopback.
  // Memory is used only while replies wait unread. Measured (bench/results/children_cost.txt):
  // server CPU per getChildren of 100k children 1.13-1.20 -> 0.84-0.86 ms, p90 5-7 -> 1.5-1.8 ms.
  int send_buffer = kSendBufferBytes;
  uv_send_buffer_size(reinterpret_cast<uv_handle_t*>(&c->tcp), &send_buffer);

  const char* refusal = nullptr;
  if (stopping_) {
    refusal = "server shutting down";
  } else if (connections_.size() >= limits_.connections_max) {
    refusal = "connections_max reached";
  } else if (limits_.connections_per_ip_max > 0 &&
             per_ip_[c->ip] >= limits_.connections_per_ip_max) {
    refusal = "per-IP limit reached";
  }
  if (refusal != nullptr) {
    ++counters_.connections_rejected;
    spdlog::warn("Too many connections from {} - max is {} ({}); closing", c->stats.remote,
                 refusal[0] == 'p' ? limits_.connections_per_ip_max
                                   : static_cast<int>(limits_.connections_max),
                 refusal);
    c->state = ClientConnection::State::kClosing;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete ConnectionOf(h); });
    return;
  }
  if (listener == reinterpret_cast<uv_stream_t*>(&secure_listener_)) {
    c->tls = std::make_unique<TlsSession>(tls_->get());
  }
  connections_[c->id] = c;
  ++per_ip_[c->ip];
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
}

// ---- reading ----

void ClientServer::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  ClientConnection* c = ConnectionOf(handle);
  buf->base = c->read_buffer;
  buf->len = sizeof(c->read_buffer);
}

void ClientServer::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  ClientConnection* c = ConnectionOf(stream);
  ClientServer* self = c->server;
  if (c->state == ClientConnection::State::kClosing) return;
  if (nread < 0) {
    self->Close(c, nread == UV_EOF ? nullptr : uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (nread == 0) return;
  self->counters_.bytes_received += nread;
  c->last_activity_wall_ms = WallMs();
  if (c->state == ClientConnection::State::kFourLetter) return;  // ignore what follows the word
  std::string_view bytes(buf->base, static_cast<size_t>(nread));
  std::string plain;
  if (c->tls != nullptr) {
    if (!self->Unseal(c, bytes, &plain)) return;
    bytes = plain;
  }
  c->reader.Feed(bytes);
  self->HandleBytes(c);
  self->Drain();
}

bool ClientServer::Unseal(ClientConnection* c, std::string_view cipher, std::string* plain) {
  bool was_established = c->tls->established();
  if (!c->tls->Receive(cipher, plain)) {
    // A plain client on this port, a certificate the trust store rejects, a broken record:
    // this connection goes, with one line saying why; nobody else notices.
    if (!was_established) ++counters_.unsuccessful_handshakes;
    const std::string& why = c->tls->error();
    Close(c, why.empty() ? nullptr : why.c_str());
    return false;
  }
  if (c->tls->has_outgoing()) MarkDirty(c);  // handshake records to send back
  return true;
}

void ClientServer::HandleBytes(ClientConnection* c) {
  while ((c->state == ClientConnection::State::kHandshake ||
          c->state == ClientConnection::State::kSession) &&
         !c->close_after_flush && !c->session_opening) {
    // A four-letter word is recognised only as the first 4 bytes of a connection.
    if (c->state == ClientConnection::State::kHandshake && c->stats.recved == 0) {
      std::string_view head = c->reader.buffered();
      if (head.size() < 4) return;
      if (IsFourLetterWord(head.substr(0, 4))) {
        HandleFourLetterWord(c);
        return;
      }
    }
    std::string_view frame;
    switch (c->reader.Next(&frame)) {
      case FrameReader::Status::kNeedMore:
        return;
      case FrameReader::Status::kBadLength:
        spdlog::info("closing {}: packet length {} is out of range (0..{} jute.maxbuffer)",
                     c->stats.remote, c->reader.bad_length(), limits_.packet_bytes_max);
        Close(c, nullptr);
        return;
      case FrameReader::Status::kFrame:
        break;
    }
    ++c->stats.recved;
    ++counters_.packets_received;
    if (c->state == ClientConnection::State::kHandshake) {
      HandleConnect(c, frame);
    } else {
      HandleRequest(c, frame);
    }
  }
}

// ---- closing ----

void ClientServer::Close(ClientConnection* c, const char* why) {
  if (c->state == ClientConnection::State::kClosing) return;
  if (why != nullptr) {
    spdlog::info("closing connection {} (session {}): {}", c->stats.remote,
                 ZxidHex(c->session_id), why);
  }
  c->state = ClientConnection::State::kClosing;
  if (c->session_id != 0) {
    auto it = by_session_.find(c->session_id);
    if (it != by_session_.end() && it->second == c) {
      by_session_.erase(it);
      machine_->ConnectionClosed(c->session_id);
    }
  }
  connections_.erase(c->id);
  if (auto it = per_ip_.find(c->ip); it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnClosed);
}

void ClientServer::OnClosed(uv_handle_t* handle) { delete ConnectionOf(handle); }

// ---- time ----

void ClientServer::OnTick(uv_timer_t* timer) {
  auto* self = static_cast<ClientServer*>(timer->data);
  int64_t now = WallMs();
  self->last_tick_wall_ms_ = now;
  if (!self->ensemble_.serving) self->machine_->Tick(now);  // a Replica ticks on its own timer
  self->Drain();
  // A connection that never completes its handshake is closed after minSessionTimeout.
  int64_t loop_now = self->LoopMs();
  std::vector<ClientConnection*> stale;
  for (auto& [id, c] : self->connections_) {
    if (c->state == ClientConnection::State::kHandshake &&
        loop_now - c->established_loop_ms > self->config_.min_session_timeout_ms) {
      stale.push_back(c);
    }
  }
  for (ClientConnection* c : stale) {
    ++self->counters_.unsuccessful_handshakes;
    self->Close(c, "no ConnectRequest within minSessionTimeout");
  }
}

}  // namespace zk
