// The four-letter words (docs/four-letter-words.md), rendered as pure functions over a stats
// snapshot — the text Apache ZooKeeper 3.8 prints, byte for byte where the values allow.
//
// The shell (ClientServer) fills a StatsSnapshot from its counters and the Core's read-only views,
// calls RenderFourLetterWord, writes the text and closes the connection. Side effects of srst /
// crst / stmk (resetting counters, setting the trace mask) are the shell's; the renderers only
// produce text. The watch and ephemeral views are borrowed pointers (may be null = empty), valid
// for the duration of the call. No I/O, no clock: times come in the snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace zk {

class Watches;

// Per-connection counters, as ServerCnxn keeps them (cons / stat / dump).
struct ConnectionStats {
  std::string remote;      // "/127.0.0.1:41224", as Java prints an InetSocketAddress
  int interest_ops = 1;    // 0 for a four-letter-word connection, 1 reading, 5 reading + writing
  int64_t queued = 0;      // requests submitted and not yet answered
  int64_t recved = 0;      // packets received
  int64_t sent = 0;        // packets sent
  int64_t session_id = 0;  // 0 before the handshake (then only the brief form is printed)
  std::string last_op = "NA";
  int64_t established_ms = 0;  // wall clock
  int32_t timeout_ms = 0;
  int64_t last_cxid = -1;  // not printed while < 0
  int64_t last_zxid = -1;
  int64_t last_response_ms = 0;  // monotonic, as ZooKeeper's Time.currentElapsedTime
  int64_t last_latency_ms = 0;
  int64_t min_latency_ms = 0;
  int64_t avg_latency_ms = 0;  // integer, as ServerCnxn
  int64_t max_latency_ms = 0;
  int64_t expire_at_ms = 0;  // wall clock; the connection's idle-expiry bucket (dump)
};

struct SessionExpiry {
  int64_t session_id = 0;
  int64_t expire_at_ms = 0;  // wall clock, rounded to tickTime buckets
};

// Process environment for envi (zkd's equivalents of Java's system properties).
struct EnvironmentInfo {
  std::string host_name = "localhost";
  std::string executable;
  std::string compiler;
  std::string libuv_version;
  std::string os_name, os_arch, os_version;
  std::string user_name, user_home, user_dir;
  int64_t memory_free_mb = 0, memory_max_mb = 0, memory_total_mb = 0;
};

// What an ensemble member adds (QuorumZooKeeperServer, Leader, Learner in ZooKeeper); absent in
// standalone. Filled by the EnsembleNode from its Replica and config.
struct QuorumStats {
  std::string peer_state;           // mntr zk_peer_state: "leading - broadcast", "looking", ...
  int64_t quorum_size = 0;          // voters (zk_quorum_size)
  int64_t observer_master_id = -1;  // an observer's leader (zk_observer_master_id); -1 otherwise
  // conf
  int32_t init_limit = 0;
  int32_t sync_limit = 0;
  int election_port = 0;
  int quorum_port = 0;
  bool observer = false;   // peerType 1
  std::string membership;  // server.N=... lines then "version=<hex>" (no newline), as
                           // /zookeeper/config holds it
  // Leader only (srvr's "Proposal sizes" line, mntr's leader gauges).
  bool leader = false;
  int64_t learners = 0;                     // learners connected (followers + observers)
  int64_t synced_followers = 0;             // voters synced (UPTODATE sent)
  int64_t synced_non_voting_followers = 0;  // zkd has none: every follower votes
  int64_t synced_observers = 0;
  int64_t pending_syncs = 0;  // learners being synchronised
  int64_t leader_uptime_ms = 0;
  int64_t last_proposal_size = -1;  // bytes; -1 before the first proposal
  int64_t min_proposal_size = -1;
  int64_t max_proposal_size = -1;
};

struct StatsSnapshot {
  std::string version;              // "3.8.6-zkd, built on 2025-01-01 00:00 UTC"
  std::string mode = "standalone";  // srvr's Mode, mntr's zk_server_state
  bool serving = true;
  bool read_only = false;
  int64_t now_ms = 0;  // wall clock, for dates in dump

  // Request latency (ServerStats' AvgMinMaxCounter), in ms.
  int64_t latency_min_ms = 0;  // 0 when no requests
  int64_t latency_max_ms = 0;
  int64_t latency_total_ms = 0;
  int64_t latency_count = 0;
  int64_t packets_received = 0;
  int64_t packets_sent = 0;
  int64_t outstanding = 0;
  int64_t zxid = 0;
  int64_t node_count = 0;
  int64_t approximate_data_size = 0;
  int64_t ephemerals_count = 0;
  int64_t watch_count = 0;  // every registration (data + child + persistent)
  int64_t session_count = 0;
  int64_t uptime_ms = 0;
  int64_t open_fds = 0;
  int64_t max_fds = 0;
  int64_t last_response_size = -1;  // -1 until the first response
  int64_t min_response_size = -1;
  int64_t max_response_size = -1;
  int64_t auth_failed_count = 0;
  // Counters by mntr name (without "zk_"): e.g. bytes_received_count, connection_rejected.
  // Named counters not given print 0.
  std::map<std::string, int64_t> counters;

  std::vector<ConnectionStats> connections;
  std::vector<SessionExpiry> sessions;                                   // dump
  const std::map<int64_t, std::set<std::string>>* ephemerals = nullptr;  // session → paths
  const Watches* watches = nullptr;

  // conf / dirs
  int client_port = 0;
  int secure_client_port = -1;  // conf prints -1 when there is no TLS listener, as ZooKeeper
  std::string data_dir;  // as configured; rendered with "/version-2"
  std::string data_log_dir;
  int64_t data_dir_size = 0;
  int64_t log_dir_size = 0;
  int32_t tick_ms = 0;
  int max_client_cnxns = 0;
  int32_t min_session_timeout_ms = 0;
  int32_t max_session_timeout_ms = 0;
  int64_t server_id = 0;

  int64_t trace_mask = 306;  // gtmk / stmk
  EnvironmentInfo env;

  std::optional<QuorumStats> quorum;  // set on an ensemble member: its lines are printed
};

// Is `word` (the first 4 bytes of a connection) a four-letter word? Anything else is a length.
bool IsFourLetterWord(std::string_view word);
// The refusal for a known word outside the whitelist.
std::string WhitelistRefusal(std::string_view word);
// The full reply for `word` (which must be known).
std::string RenderFourLetterWord(std::string_view word, const StatsSnapshot& s);

// Java's Double.toString for the values the words print (avg latency): "0.0", "4.5455".
std::string JavaDouble(double v);
// BigDecimal(avg).setScale(4, HALF_UP), as AvgMinMaxCounter.getAvg; 0.0 when count is 0.
double AverageRounded(int64_t total, int64_t count);
// java.util.Date.toString() in UTC: "Sun Nov 22 05:30:34 UTC 2026".
std::string JavaDate(int64_t wall_ms);

}  // namespace zk
