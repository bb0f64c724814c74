// ClientServer: zkd's client-facing I/O shell on one libuv loop.
//
// It listens on clientPortAddress:clientPort, frames each connection's bytes (FrameReader),
// answers four-letter words (first 4 bytes of a connection only), performs the handshake
// (Machine::OpenSession / Machine::Reattach), answers pings itself, hands every other request to
// Machine::Submit, and after each input delivers the client outputs of the Machine's Ready in
// order: replies and notifications to the session's connection, kSessionOpened →
// ConnectResponse, kCloseSession → close. The rest of the Ready (log appends, peer messages) is
// carried out by the Machine's other shell (DurableStore or EnsembleNode), which hands the client
// outputs over. Standalone, a timer calls Machine::Tick every tickTime. Replies are coalesced: one
// uv_write per connection per loop iteration (uv_check / uv_prepare handles flush dirty
// connections).
//
// Limits (named, see ServerLimits): a frame longer than packet_bytes_max, a client whose unread
// replies exceed buffered_bytes_per_connection_max, connections beyond connections_per_ip_max or
// connections_max — each closes that one connection with a log line and nothing else.
//
// Owns the connections; the Machine is borrowed and must outlive it. Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/machine.h"
#include "server/client_connection.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/four_letter.h"
#include "server/tls_context.h"

namespace zk {

struct ServerLimits {
  int64_t packet_bytes_max = 0xfffff;                        // jute.maxbuffer
  int connections_per_ip_max = 60;                           // maxClientCnxns; 0 = unlimited
  size_t buffered_bytes_per_connection_max = 32 * 1024 * 1024;  // unread replies
  size_t connections_max = 10000;
  static ServerLimits FromConfig(const ServerConfig& config);
};

// Server-wide counters (ServerStats): srvr / mntr.
struct ServerCounters {
  int64_t packets_received = 0;
  int64_t packets_sent = 0;
  int64_t latency_min_ms = 0;
  int64_t latency_max_ms = 0;
  int64_t latency_total_ms = 0;
  int64_t latency_count = 0;
  int64_t last_response_size = -1;
  int64_t min_response_size = -1;
  int64_t max_response_size = -1;
  int64_t bytes_received = 0;
  int64_t auth_failed = 0;
  int64_t connections_rejected = 0;
  int64_t unsuccessful_handshakes = 0;
  int64_t connection_requests = 0;
  void AddLatency(int64_t ms);
  void AddResponseSize(int64_t bytes);
};

class ClientServer {
 public:
  ClientServer(uv_loop_t* loop, const ServerConfig& config, Machine* machine);
  ~ClientServer();
  ClientServer(const ClientServer&) = delete;
  ClientServer& operator=(const ClientServer&) = delete;

  // Binds and listens, starts the tick timer. Returns an error line, empty on success.
  std::string Start();
  // Closes the listener, the timer and every connection; the loop then runs out.
  void Stop();

  std::string listen_address() const;  // "127.0.0.1:2181"
  // The TLS listener's address (secureClientPort), empty when there is none.
  std::string secure_listen_address() const;
  size_t connection_count() const { return connections_.size(); }
  const ServerLimits& limits() const { return limits_; }

  // The snapshot the four-letter words render (public for tests and for main's logging).
  StatsSnapshot Snapshot() const;

  // ---- the Machine's other shell, set before Start ----
  // Takes the Machine's Ready, carries out its storage and peer parts in order, and hands its
  // client outputs over in *out (replaced): DurableStore (standalone) or EnsembleNode. Unset:
  // the Machine applies on submit, and the ClientServer takes the Ready itself.
  void SetReadyCarrier(std::function<void(std::vector<Output>*)> take_client_outputs) {
    take_client_outputs_ = std::move(take_client_outputs);
  }

  // ---- durable storage (server/durable_store.h), set by main before Start ----
  // While `accepting_writes` says no, a write request is answered at once with NOTREADONLY
  // (-119) and never reaches the Machine.
  struct Storage {
    std::function<bool()> accepting_writes;
  };
  void SetStorage(Storage storage) { storage_ = std::move(storage); }
  // Delivers the Machine's client outputs and flushes the connections they touched.
  void DeliverOutputs();
  // Closes this server's connection of `session_id`, if any (its requests were dropped).
  void CloseSessionConnection(int64_t session_id, const char* why);

  // ---- ensemble member (server/ensemble_node.h), set by RunEnsemble before Start ----
  // The Replica ticks on the node's timer, new sessions are refused while the member is not
  // serving, and srvr's Mode says leader / follower / observer.
  struct Ensemble {
    std::function<bool()> serving;
    std::function<std::string()> mode;
    std::function<void(StatsSnapshot*)> fill_stats;  // the quorum part of the 4lw snapshot
  };
  void SetEnsemble(Ensemble ensemble) { ensemble_ = std::move(ensemble); }
  // Closes every client connection (the member left its role; clients reconnect elsewhere).
  void CloseClientConnections(const char* why);
  // Latency and packet counters start again (srst; and a member that starts serving read-only,
  // which in ZooKeeper is a new server object with fresh ServerStats).
  void ResetServerStats();

 private:
  static void OnConnection(uv_stream_t* server, int status);
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnClosed(uv_handle_t* handle);
  static void OnTick(uv_timer_t* timer);
  static void OnFlushAfterPoll(uv_check_t* check);
  static void OnFlushBeforePoll(uv_prepare_t* prepare);
  void FlushDirty();

  void Accept(uv_stream_t* listener);
  std::string Listen(uv_tcp_t* listener, int port);
  // Secure port: turns socket bytes into application bytes; false when the connection closed.
  bool Unseal(ClientConnection* c, std::string_view cipher, std::string* plain);
  void HandleBytes(ClientConnection* c);
  bool HandleFourLetterWord(ClientConnection* c);
  void HandleConnect(ClientConnection* c, std::string_view frame);
  void Reattach(ClientConnection* c, const ConnectRequest& req);
  void BindSession(ClientConnection* c, int64_t session_id, int32_t timeout_ms);
  void SendConnectResponse(ClientConnection* c, const ConnectResponse& resp);
  // `body` behind its 4-byte big-endian length: one packet on the wire.
  static std::string Framed(const std::string& body);
  void HandleRequest(ClientConnection* c, std::string_view frame);
  // The `sasl` request (op 102), answered in the shell (server/client_sasl.cc).
  void HandleSasl(ClientConnection* c, int32_t xid, std::string_view body);
  void AnswerPing(ClientConnection* c, int64_t start_ms);
  void AnswerQueuedPings(ClientConnection* c);
  void Drain();
  // Reads again on connections whose new session was just opened (session_opening).
  void ResumeOpenedSessions();
  void Deliver(const Output& o);
  // Appends `frame` then `more` (a frame's head and its body) to the connection's outbox.
  void Send(ClientConnection* c, std::string_view frame, std::string_view more = {});
  void SendReply(ClientConnection* c, int32_t xid, int64_t zxid, Err err, const std::string& body);
  // The same, with the body sent whatever `err` is (SASL's failure reply carries a null token).
  void SendReplyWithBody(ClientConnection* c, int32_t xid, int64_t zxid, Err err,
                         std::string_view body);
  void MarkDirty(ClientConnection* c);
  void Flush(ClientConnection* c);
  void Close(ClientConnection* c, const char* why);
  void CloseAfterFlush(ClientConnection* c);
  int64_t LoopMs() const;
  int64_t ExpiryBucketMs(int64_t wall_ms) const;

  uv_loop_t* loop_;
  ServerConfig config_;
  ServerLimits limits_;
  Machine* machine_;
  uv_tcp_t listener_{};
  uv_tcp_t secure_listener_{};  // open when config_.tls.enabled()
  std::unique_ptr<TlsContext> tls_;
  uv_timer_t tick_timer_{};
  // Dirty connections are flushed after each poll (replies to what was just read) and before
  // the next one (what timers and write completions produced), so nothing waits for a wakeup.
  uv_check_t flush_check_{};
  uv_prepare_t flush_prepare_{};
  bool started_ = false;
  bool stopping_ = false;

  uint64_t next_connection_id_ = 1;
  std::map<uint64_t, ClientConnection*> connections_;  // by id: iteration order = accept order
  std::map<int64_t, ClientConnection*> by_session_;
  std::map<std::string, int> per_ip_;
  std::vector<uint64_t> dirty_;
  std::vector<uint64_t> opened_;  // session_opening connections whose session just opened
  std::vector<Output> drain_spare_;  // Drain's output buffer between drains
  Ready ready_;                      // Drain's, without a carrier

  ServerCounters counters_;
  int64_t start_loop_ms_ = 0;
  int64_t last_tick_wall_ms_ = 0;
  int64_t trace_mask_ = 306;
  EnvironmentInfo env_;
  Storage storage_;
  std::function<void(std::vector<Output>*)> take_client_outputs_;
  Ensemble ensemble_;
};

// ZooKeeper's first session id: ((now_ms << 24) >>> 8) | (myid << 56).
int64_t FirstSessionId(int64_t now_ms, int64_t server_id);

}  // namespace zk
