// PeerTransport's inside (pimpl), shared by its three files: peer_transport.cc (start, close,
// the public face), peer_transport_send.cc (queues, dials, writes) and
// peer_transport_receive.cc (accepts, hellos, frames in, closing one connection). Private to
// them; nothing else includes it. Loop thread only, as PeerTransport.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/frame_reader.h"
#include "server/peer_transport.h"

namespace zk {

enum class Port { kElection, kQuorum };
inline const char* PortName(Port p) { return p == Port::kElection ? "election" : "quorum"; }

constexpr size_t kReadBufferBytes = size_t{64} * 1024;
constexpr size_t kWriteBuffersMax = 256;  // frames per uv_write; more wait for the next one

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
  // `sid` just dialled us, so its listeners are up (it binds both before it dials anyone): a
  // dial of ours to it that waits out its backoff goes now, with the backoff reset.
  void DialWaitingLinks(int64_t sid);
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

}  // namespace zk
