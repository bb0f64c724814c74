// PeerTransport: its start (listeners, hellos, timers), the peers it learns, its close, and the
// public face over State (peer_transport_state.h).
#include "server/peer_transport.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "proto/jute.h"
#include "server/address.h"
#include "server/peer_transport_state.h"

namespace zk {
namespace {

constexpr int kListenBacklog = 64;
constexpr uint64_t kSweepIntervalMs = 500;

int BoundPort(uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof(ss);
  if (uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return 0;
  }
  if (ss.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

}  // namespace

// ---- start and close ----

std::string PeerTransport::State::Listen(uv_tcp_t* listener, int port, Port which) {
  std::string where = config.host + ":" + std::to_string(port) + " (" + PortName(which) + " port)";
  uv_tcp_init(loop, listener);
  ++open_handles;
  handles.push_back(reinterpret_cast<uv_handle_t*>(listener));
  listener->data = this;
  sockaddr_storage addr{};
  if (!ResolveAddress(config.host, port, &addr)) {
    return "cannot resolve " + where;
  }
  int rc = uv_tcp_bind(listener, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener), kListenBacklog, OnConnection);
  }
  if (rc != 0) {
    std::string why = rc == UV_EADDRINUSE ? "address already in use" : uv_strerror(rc);
    return "cannot listen on " + where + ": " + why;
  }
  return {};
}

std::string PeerTransport::State::Start() {
  if (started || closing) {
    return "peer transport already started";
  }
  started = true;
  for (const auto& [sid, a] : config.peers) {
    if (std::string e = AddPeer(sid, a); !e.empty()) return e;
  }
  if (auto err = Listen(&election_listener, config.election_port, Port::kElection); !err.empty()) {
    return err;
  }
  if (auto err = Listen(&quorum_listener, config.quorum_port, Port::kQuorum); !err.empty()) {
    return err;
  }
  bound_election_port = BoundPort(&election_listener);
  bound_quorum_port = BoundPort(&quorum_listener);
  hello[static_cast<int>(Port::kElection)] =
      EncodeElectionHello({config.my_sid, config.host + ":" + std::to_string(bound_election_port)});
  hello[static_cast<int>(Port::kQuorum)] =
      EncodeElectionHello({config.my_sid, config.host + ":" + std::to_string(bound_quorum_port)});

  uv_prepare_init(loop, &flush_prepare);
  uv_check_init(loop, &flush_check);
  uv_timer_init(loop, &sweep_timer);
  for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&flush_prepare),
                         reinterpret_cast<uv_handle_t*>(&flush_check),
                         reinterpret_cast<uv_handle_t*>(&sweep_timer)}) {
    ++open_handles;
    handles.push_back(h);
    h->data = this;
  }
  // Before the loop blocks (frames queued by timers) and after I/O callbacks (frames queued by
  // reads): either way the frames of one iteration leave in one write per connection.
  uv_prepare_start(&flush_prepare, [](uv_prepare_t* h) { static_cast<State*>(h->data)->Flush(); });
  uv_check_start(&flush_check, [](uv_check_t* h) { static_cast<State*>(h->data)->Flush(); });
  uv_timer_start(
      &sweep_timer, [](uv_timer_t* h) { static_cast<State*>(h->data)->Sweep(); }, kSweepIntervalMs,
      kSweepIntervalMs);
  spdlog::info("{}: election port {}:{}, quorum port {}:{}, {} peers", Tag(), config.host,
               bound_election_port, config.host, bound_quorum_port, peers.size());
  return {};
}

std::string PeerTransport::State::AddPeer(int64_t sid, const PeerEndpoint& a) {
  if (sid == config.my_sid) return {};
  auto& links = peers[sid];
  const bool fresh = links == nullptr;
  if (fresh) links = std::make_unique<PeerLinks>();
  for (Port p : {Port::kElection, Port::kQuorum}) {
    PeerLink& l = links->of(p);
    int port = p == Port::kElection ? a.election_port : a.quorum_port;
    if (!fresh && port == 0) continue;  // not known yet: keep what we have
    l.owner = this;
    l.sid = sid;
    l.port = p;
    l.address = a.host + ":" + std::to_string(port);
    if (fresh) l.backoff_ms = limits.reconnect_delay_ms_min;
    if (!ResolveAddress(a.host, port, &l.addr)) {
      return "cannot resolve server." + std::to_string(sid) + " address " + a.host;
    }
    if (fresh) {
      uv_timer_init(loop, &l.retry_timer);
      ++open_handles;
      handles.push_back(reinterpret_cast<uv_handle_t*>(&l.retry_timer));
      l.retry_timer.data = &l;
    }
  }
  return {};
}

bool PeerTransport::State::LearnPeer(int64_t sid, Port port, const std::string& address) {
  // "host:port" from the hello; the other port stays unknown (0) until its hello comes.
  size_t colon = address.rfind(':');
  int number = 0;
  if (colon == std::string::npos || colon == 0) return false;
  const std::string digits = address.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size() || number < 1 || number > 65535) {
    return false;
  }
  PeerEndpoint e{address.substr(0, colon), 0, 0};
  (port == Port::kElection ? e.election_port : e.quorum_port) = number;
  if (!AddPeer(sid, e).empty()) return false;
  spdlog::info("{}: learned sid {} at {} ({} port), not in the config: a server joining",
               Tag(), sid, address, PortName(port));
  return true;
}

void PeerTransport::State::Close() {
  if (closing) {
    return;
  }
  closing = true;
  for (auto& [sid, links] : peers) {
    for (Port p : {Port::kElection, Port::kQuorum}) {
      PeerLink& l = links->of(p);
      if (l.conn != nullptr) {
        CloseConnection(l.conn, nullptr);
      }
      DropQueue(l);
    }
  }
  for (PeerConnection* c : std::vector<PeerConnection*>(inbound.begin(), inbound.end())) {
    CloseConnection(c, nullptr);
  }
  for (uv_handle_t* h : handles) {
    h->data = this;
    uv_close(h, OnHandleClosed);
  }
  handles.clear();
}

void PeerTransport::State::OnHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<State*>(handle->data);
  --self->open_handles;
  self->MaybeFree();
}

void PeerTransport::State::OnConnectionClosed(uv_handle_t* handle) {
  auto* c = static_cast<PeerConnection*>(handle->data);
  State* self = c->owner;
  delete c;
  --self->open_handles;
  self->MaybeFree();
}
// ---- the public face ----

PeerTransport::PeerTransport(uv_loop_t* loop, PeerTransportConfig config,
                             PeerTransportCallbacks callbacks)
    : state_(new State(loop, std::move(config), std::move(callbacks))) {}

PeerTransport::~PeerTransport() {
  state_->Close();
  state_->owner_alive = false;
  state_->MaybeFree();
}

std::string PeerTransport::Start() {
  std::string err = state_->Start();
  if (!err.empty()) {
    state_->Close();  // nothing half-started stays behind
  }
  return err;
}

void PeerTransport::SendNotification(int64_t to, const Notification& n, std::string_view config) {
  Notification mine = n;
  mine.sid = state_->config.my_sid;
  state_->Send(to, Port::kElection, EncodeFrame(EncodeNotification(mine, config)));
}

void PeerTransport::SendZab(int64_t to, const ZabPacket& p) {
  state_->Send(to, Port::kQuorum, EncodeFrame(EncodeZabPacket(p)));
}

void PeerTransport::DisconnectQuorum(int64_t sid) { state_->DisconnectQuorum(sid); }

void PeerTransport::FlushNow() { state_->Flush(); }

std::string PeerTransport::AddPeer(int64_t sid, const PeerEndpoint& endpoint) {
  if (!state_->started || state_->closing) return "peer transport not running";
  return state_->AddPeer(sid, endpoint);
}

void PeerTransport::Close() { state_->Close(); }

int PeerTransport::election_port() const { return state_->bound_election_port; }
int PeerTransport::quorum_port() const { return state_->bound_quorum_port; }
const PeerTransportCounters& PeerTransport::counters() const { return state_->counters; }
size_t PeerTransport::inbound_connection_count() const { return state_->inbound.size(); }

}  // namespace zk
