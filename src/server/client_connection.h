// ClientConnection: one client TCP connection of zkd, as the I/O shell (ClientServer) holds it.
//
// Owned by ClientServer, which allocates it on accept and frees it only in the uv_close callback.
// It embeds its uv_tcp_t (tcp.data points back here), its read buffer (libuv reads into it, the
// FrameReader copies what arrived), and its one write request: at most one uv_write is in flight
// per connection; replies produced meanwhile accumulate in `outbox` and go out together in the
// next write (one write per loop iteration at most). Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "proto/codes.h"
#include "server/four_letter.h"
#include "server/frame_reader.h"
#include "server/tls_session.h"
#include "server/sasl_digest.h"

namespace zk {

class ClientServer;

struct ClientConnection {
  enum class State {
    kHandshake,   // waiting for the ConnectRequest (or a four-letter word)
    kSession,     // attached to session_id
    kFourLetter,  // answering a four-letter word; closes once written
    kClosing,     // uv_close called; waiting for the close callback
  };

  // One request submitted to the Core and not yet answered (latency and cons's queued).
  struct Pending {
    int32_t xid = 0;
    OpCode op = OpCode::kPing;
    int64_t start_ms = 0;  // loop time
  };

  static constexpr size_t kReadBufferBytes = 16 * 1024;

  ClientConnection(ClientServer* server, uint64_t id, int64_t packet_bytes_max)
      : server(server), id(id), reader(packet_bytes_max) {}

  uv_tcp_t tcp{};  // first: uv handles point back here through tcp.data
  uv_write_t write_req{};
  uv_shutdown_t shutdown_req{};
  ClientServer* server;
  uint64_t id = 0;
  State state = State::kHandshake;
  std::string ip;  // "127.0.0.1"
  FrameReader reader;
  char read_buffer[kReadBufferBytes];
  // Set on connections to secureClientPort: socket bytes pass through it both ways, and the
  // outbox holds plaintext until Flush seals it.
  std::unique_ptr<TlsSession> tls;

  int64_t session_id = 0;  // 0 until a session is opened or re-attached
  bool has_read_only_byte = true;  // the ConnectRequest had the trailing byte
  // A new session is being committed: reading pauses until its ConnectResponse (ZooKeeper's
  // disableRecv), so requests a client pipelines behind its ConnectRequest (Java's Netty
  // client does) are not taken for requests of a session that does not exist yet.
  bool session_opening = false;
  std::string outbox;   // replies waiting for the next write
  std::string writing;  // the bytes of the write in flight
  bool write_in_flight = false;
  bool close_after_flush = false;
  bool dirty = false;  // queued in ClientServer::dirty_
  int64_t established_loop_ms = 0;
  int64_t last_activity_wall_ms = 0;

  std::unique_ptr<SaslDigestExchange> sasl;  // from the first `sasl` request on

  std::deque<Pending> pending;
  ConnectionStats stats;  // what cons / stat print; remote, counters, latencies
  int64_t latency_count = 0;
  int64_t latency_total_ms = 0;

  size_t backlog_bytes() const { return outbox.size() + writing.size(); }

  void ResetStats() {
    stats.recved = 0;
    stats.sent = 0;
    stats.last_op = "NA";
    stats.last_cxid = -1;
    stats.last_zxid = -1;
    stats.last_response_ms = 0;
    stats.last_latency_ms = 0;
    stats.min_latency_ms = 0;
    stats.max_latency_ms = 0;
    stats.avg_latency_ms = 0;
    latency_count = 0;
    latency_total_ms = 0;
  }

  // ServerCnxn.updateStatsForResponse.
  void RecordResponse(int32_t cxid, int64_t zxid, OpCode op, int64_t start_ms, int64_t end_ms) {
    if (cxid >= 0) stats.last_cxid = cxid;
    stats.last_zxid = zxid;
    stats.last_op = std::string(OpTag(op));
    stats.last_response_ms = end_ms;
    int64_t elapsed = end_ms - start_ms;
    stats.last_latency_ms = elapsed;
    if (latency_count == 0 || elapsed < stats.min_latency_ms) stats.min_latency_ms = elapsed;
    if (elapsed > stats.max_latency_ms) stats.max_latency_ms = elapsed;
    ++latency_count;
    latency_total_ms += elapsed;
    stats.avg_latency_ms = latency_total_ms / latency_count;
  }
};

}  // namespace zk
