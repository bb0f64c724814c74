#include "server/peer_transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cassert>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/jute.h"
#include "server/address.h"
#include "server/frame_reader.h"

namespace zk {
namespace {

enum class Port { kElection, kQuorum };
const char* PortName(Port p) { return p == Port::kElection ? "election" : "quorum"; }

constexpr size_t kReadBufferBytes = size_t{64} * 1024;
constexpr size_t kWriteBuffersMax = 256;  // frames per uv_write; more wait for the next one
constexpr int kListenBacklog = 64;
constexpr uint64_t kSweepIntervalMs = 500;

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

struct PeerLink;

// One TCP connection, either direction. Allocated on dial / accept, freed only in its uv_close
// callback. Embeds its handle, its requests (one write in flight at most) and its read buffer.
struct PeerConnection {
  PeerConnection(PeerTransport::State* owner, Port port, bool outbound, size_t frame_bytes_max)
      : owner(owner),
        port(port),
        outbound(outbound),
        reader(static_cast<int64_t>(frame_bytes_max)) {}

  uv_tcp_t tcp{};  // tcp.data == this
  uv_connect_t connect_req{};
  uv_write_t write_req{};
  PeerTransport::State* owner;
  Port port;
  bool outbound;
  PeerLink* link = nullptr;    // outbound: the link it carries; cleared when closing
  int64_t sid = -1;            // outbound: the peer; inbound: from the hello
  std::string remote;          // "127.0.0.1:3882", for log lines
  bool connected = false;      // outbound: connect completed; inbound: accepted
  bool hello_seen = false;     // inbound
  bool delivered = false;      // inbound: a frame of it reached the Replica
  bool hello_pending = false;  // outbound: the hello goes first in the next write
  bool closing = false;
  bool write_in_flight = false;
  uint64_t opened_ms = 0;            // loop time
  FrameReader reader;                // inbound frames
  std::vector<std::string> writing;  // frames of the write in flight
  std::vector<uv_buf_t> write_bufs;
  char read_buffer[kReadBufferBytes];
};

// This server's messages to one peer on one port: the queue, the connection carrying it, and
// the reconnect backoff. Lives as long as the state.
struct PeerLink {
  PeerTransport::State* owner = nullptr;
  int64_t sid = 0;
  Port port = Port::kElection;
  sockaddr_storage addr{};
  std::string address;  // "host:port"
  PeerConnection* conn = nullptr;
  std::deque<std::string> queue;  // encoded frames not yet handed to a write
  size_t queued_bytes = 0;
  bool overflowed = false;  // connected, but the peer stopped reading: close at the next flush
  uv_timer_t retry_timer{};
  bool retry_running = false;
  int64_t backoff_ms = 0;
  uint64_t connected_ms = 0;
  bool failing = false;  // a dial failed since the last success (log the first one only)
};

struct PeerLinks {
  PeerLink election;
  PeerLink quorum;
  PeerLink& of(Port p) { return p == Port::kElection ? election : quorum; }
};

}  // namespace

struct PeerTransport::State {
  State(uv_loop_t* loop, PeerTransportConfig config, PeerTransportCallbacks callbacks)
      : loop(loop), config(std::move(config)), cb(std::move(callbacks)) {
    limits = this->config.limits;
    size_t peer_count = 0;
    for (const auto& [sid, addr] : this->config.peers) {
      peer_count += sid != this->config.my_sid;
    }
    connections_max = limits.connections_max != 0 ? limits.connections_max : 2 * peer_count + 8;
  }

  uv_loop_t* loop;
  PeerTransportConfig config;
  PeerTransportCallbacks cb;
  PeerTransportLimits limits;
  size_t connections_max = 0;

  uv_tcp_t election_listener{};
  uv_tcp_t quorum_listener{};
  uv_prepare_t flush_prepare{};
  uv_check_t flush_check{};
  uv_timer_t sweep_timer{};
  std::vector<uv_handle_t*> handles;  // initialised non-connection handles, closed by Close()

  bool started = false;
  bool closing = false;
  bool owner_alive = true;
  int open_handles = 0;
  bool flush_pending = false;

  std::map<int64_t, std::unique_ptr<PeerLinks>> peers;
  std::set<PeerConnection*> inbound;
  int bound_election_port = 0;
  int bound_quorum_port = 0;
  std::string hello[2];  // encoded hello per Port
  PeerTransportCounters counters;

  std::string Tag() const { return "peer transport " + std::to_string(config.my_sid); }
  size_t FrameMax(Port p) const {
    return p == Port::kElection ? limits.election_frame_bytes_max : limits.zab_frame_bytes_max;
  }

  std::string Start();
  // Adds sid's links (or fills in a port learned later). Error line if the host won't resolve.
  std::string AddPeer(int64_t sid, const PeerEndpoint& a);
  // learn_peers: an inbound hello from a stranger names its address for that port.
  bool LearnPeer(int64_t sid, Port port, const std::string& address);
  std::string Listen(uv_tcp_t* listener, int port, Port which);
  void Close();
  void MaybeFree() {
    if (closing && open_handles == 0 && !owner_alive) {
      delete this;
    }
  }

  void Send(int64_t to, Port port, std::string frame);
  void Drop(size_t bytes) {
    ++counters.frames_dropped;
    counters.bytes_dropped += static_cast<int64_t>(bytes);
  }
  void DropQueue(PeerLink& l);
  void Dial(PeerLink& l);
  void ScheduleRetry(PeerLink& l);
  void Flush();
  void StartWrite(PeerConnection* c, PeerLink& l);
  void OnBytes(PeerConnection* c, std::string_view bytes);
  void ProtocolError(PeerConnection* c, const std::string& why);
  // Closes one connection; `why` (if any) is logged. Fires on_peer_lost for an established
  // quorum connection unless the transport itself is closing or `deliberate` (this server
  // asked: DisconnectQuorum), which also skips the reconnect delay.
  void CloseConnection(PeerConnection* c, const char* why, bool deliberate = false);
  void DisconnectQuorum(int64_t sid);
  void Sweep();
  // At connections_max: closes the oldest inbound connection that has not said hello, so that
  // strangers cannot crowd out a member that dials in (a member says hello at once).
  void MakeRoom();

  // libuv callbacks
  static void OnConnection(uv_stream_t* server, int status);
  static void OnConnect(uv_connect_t* req, int status);
  static void OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnRetry(uv_timer_t* timer);
  static void OnConnectionClosed(uv_handle_t* handle);
  static void OnHandleClosed(uv_handle_t* handle);
};

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
