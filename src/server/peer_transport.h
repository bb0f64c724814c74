// PeerTransport: the TCP links between ensemble members on one libuv loop — election
// notifications on the election port, Zab packets on the quorum port — for the Replica
// (core/replica.h) that the shell drives.
//
// Connection model (simpler than ZooKeeper's QuorumCnxManager, on purpose):
//   - To send to X on a port, this server dials X's port and keeps that connection; it carries
//     only this server's messages to X. A connection X dialled to us carries only X's messages to
//     us. So each pair of servers has up to two TCP connections per port, one per direction, and
//     ZooKeeper's "the larger sid keeps the connection" rule (docs/election.md, Connections) is
//     not needed: there
//     is never a duplicate to break ties on.
//   - Every connection starts with the election hello of core/peer_wire.h (protocol version, the
//     dialler's sid, its "host:port"), on the quorum port too: that is how an inbound connection
//     knows who is talking. An unknown sid, our own sid, or a bad hello closes the connection.
//   - Election frames: int length (1..election_frame_bytes_max) + EncodeNotification; a
//     notification whose sid is not the hello's sid closes the connection.
//     Zab frames: int length (1..zab_frame_bytes_max) + EncodeZabPacket.
//   - Outbound connections are read too, only to notice EOF / RST at once; any byte arriving on
//     one is a protocol error and closes it (this also ends a TCP self-connect).
//
// What is guaranteed:
//   - Per connection: frames arrive complete, in send order, without gaps or duplicates.
//   - on_peer_unreachable(sid) fires once per failed dial of sid's quorum port (refused, timed
//     out, reset before connecting); the transport keeps redialling while something is queued.
//   - on_peer_lost(sid) fires once per lost quorum-port connection that had been established
//     (outbound: connected; inbound: hello received and at least one frame delivered — so a
//     stranger claiming a member's sid and then sending garbage does not end that member's
//     Zab relationship), in either direction — so up to twice per
//     peer death, once per connection. It marks a boundary: whatever was sent to sid and not yet
//     written to the lost connection is dropped (and counted).
//   - Nothing across reconnects. Messages sent while no connection to the peer is up are queued
//     (at most peer_queue_bytes_max bytes per peer and port; past it the oldest are dropped and
//     counted) and go out on the next connection, in order. So a new connection carries a suffix
//     of what was sent since the last loss. Election messages may be lost freely (the election
//     resends); Zab messages lost at a connection loss are the Replica's to recover (it
//     resynchronises the learner after PeerDisconnected).
//   - A connected peer that stops reading: once more than peer_queue_bytes_max bytes wait behind
//     the write in flight, the connection is closed (on_peer_lost for the quorum port) rather
//     than letting the stream skip messages.
//   - Dialling: the first message to a peer with no connection dials at once; a failed dial or
//     a lost connection waits reconnect_delay_ms_min, doubling to reconnect_delay_ms_max (reset
//     once a connection has lived that long), before the next dial, and dials only while
//     something is queued. An established connection stays open while idle; there are no
//     transport heartbeats (the Replica's PINGs are the liveness check; EOF / RST is noticed at
//     once because every connection is being read).
//   - Inbound: at most connections_max connections (both ports), and one that sends no
//     complete hello within hello_timeout_ms is closed. At the limit a new connection closes
//     the oldest one that has not said hello yet (so strangers cannot crowd out a member that
//     dials in); only when every connection has said hello is the new one closed at accept.
//   - Malformed input (bad hello, unknown sid, bad length, undecodable frame, sid mismatch,
//     EOF in the middle of a hello or frame) closes that one connection, with one warning line
//     naming the address and the reason; nothing else changes. Not covered: a stranger that
//     speaks valid Zab or election messages under a member's sid (no peer authentication, as
//     in ZooKeeper without quorum SASL).
//
// Writes are coalesced: Send* only queues the frame; a uv_prepare (before the loop blocks) and a
// uv_check (after I/O callbacks) hand each connection's queue to one uv_write (at most one in
// flight per connection, its uv_write_t embedded in the connection). TCP_NODELAY is on.
//
// Callbacks run only from libuv callbacks on the loop, never from inside Start / Send* / Close,
// and never after Close(). A callback may call Send*, and may call Close().
//
// Ownership and threads: one loop, one thread. The handles and connections live in a heap state
// that frees itself in the last uv_close callback after the PeerTransport object is gone, so the
// object may be destroyed at any time, even from inside one of its callbacks (its destructor
// calls Close()); the loop must then run until the handles close (uv_run returns 0) before
// uv_loop_close. Counters stay readable after Close() for as long as the object lives.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/election.h"
#include "core/peer_wire.h"
#include "core/zab_packet.h"

namespace zk {

struct PeerEndpoint {
  std::string host = "127.0.0.1";  // numeric, or a name resolved once in Start()
  int quorum_port = 0;
  int election_port = 0;
};

struct PeerTransportLimits {
  size_t election_frame_bytes_max = kElectionFrameMax;  // 512 KiB, ZooKeeper's limit
  size_t zab_frame_bytes_max = kZabPacketMax;
  // Bytes queued for one peer on one port and not yet handed to a write. Large enough for one
  // SNAP of the biggest tree plus the proposals behind it.
  size_t peer_queue_bytes_max = kZabPacketMax + 16 * 1024 * 1024;
  size_t connections_max = 0;       // inbound, both ports; 0 = 2 × peers + 8
  int64_t hello_timeout_ms = 5000;  // an inbound connection must say hello within this
  int64_t reconnect_delay_ms_min = 5;
  int64_t reconnect_delay_ms_max = 200;
};

struct PeerTransportConfig {
  int64_t my_sid = 0;
  std::string host = "127.0.0.1";  // both listeners bind here
  int election_port = 0;           // 0 = any free port (tests), see election_port()
  int quorum_port = 0;
  std::map<int64_t, PeerEndpoint> peers;  // every member; an entry for my_sid is ignored
  // reconfigEnabled: a hello from a sid not in `peers` is a server about to join; its address
  // (the hello's "host:port" for that port) is learned instead of closing the connection.
  bool learn_peers = false;
  PeerTransportLimits limits;
};

struct PeerTransportCallbacks {
  // n.sid checked against the hello; the config text the notification carried (may be empty).
  std::function<void(const Notification&, const std::string&)> on_notification;
  std::function<void(int64_t from, const ZabPacket&)> on_zab;
  std::function<void(int64_t sid)> on_peer_lost;  // a quorum-port connection to/from sid closed
  std::function<void(int64_t sid)> on_peer_unreachable;  // a dial of sid's quorum port failed
};

struct PeerTransportCounters {
  int64_t notifications_sent = 0;  // handed to a write
  int64_t notifications_received = 0;
  int64_t zab_sent = 0;
  int64_t zab_received = 0;
  int64_t frames_dropped = 0;  // queue bound, lost connection, refused (too big, no peer)
  int64_t bytes_dropped = 0;
  int64_t dials = 0;
  int64_t dial_failures = 0;
  int64_t connections_accepted = 0;
  int64_t connections_rejected = 0;  // over connections_max
  int64_t protocol_errors = 0;       // bad hello, unknown sid, bad frame, hello timeout
  int64_t peers_lost = 0;            // on_peer_lost calls
  int64_t quorum_disconnects = 0;    // DisconnectQuorum calls
};

class PeerTransport {
 public:
  PeerTransport(uv_loop_t* loop, PeerTransportConfig config, PeerTransportCallbacks callbacks);
  ~PeerTransport();  // Close()
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // Binds and listens on both ports and resolves the peers' addresses. Returns an error line
  // naming the address ("cannot listen on 127.0.0.1:3881 (election port): address already in
  // use"), empty on success. Call once; a failed Start leaves the transport closed.
  std::string Start();

  // Queue a message for `to`; it goes out in this loop iteration if a connection is up. A message
  // to an unknown sid or to myself is dropped and counted. The notification's sid is sent as
  // my_sid whatever it says.
  void SendNotification(int64_t to, const Notification& n, std::string_view config = {});
  void SendZab(int64_t to, const ZabPacket& p);

  // Ends the quorum-port relationship with `sid` (the Replica left it: Ready::quorum_disconnects):
  // drops what is queued for sid and closes both quorum connections, ours to sid and sid's to us,
  // so that sid notices at once (its on_peer_lost) and nothing sent before can arrive after.
  // on_peer_lost does not fire here for these connections. The next SendZab to sid dials a new
  // connection at once.
  void DisconnectQuorum(int64_t sid);

  // Hands what is queued to the sockets now rather than at the end of this loop turn, for a
  // caller about to block the loop (an fdatasync on it): the frames do not wait for the disk.
  // From a loop callback only, not from inside this transport's callbacks; a connection found
  // broken is closed here, so on_peer_lost may fire.
  void FlushNow();

  // A reconfig activated: `sid` is a member at `endpoint` (added, or its address updated).
  // Error line if its host does not resolve; after Start() only.
  std::string AddPeer(int64_t sid, const PeerEndpoint& endpoint);

  // Closes the listeners and every connection; no callback fires afterwards. Idempotent.
  void Close();

  // The bound ports (differ from the config when it said 0). Valid after a successful Start().
  int election_port() const;
  int quorum_port() const;
  const PeerTransportCounters& counters() const;
  size_t inbound_connection_count() const;

  struct State;  // the heap state (peer_transport.cc)

 private:
  State* state_;  // frees itself once Close() has run and every handle has closed
};

}  // namespace zk
