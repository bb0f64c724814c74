#include "server/four_letter.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <set>

#include "proto/zxid.h"
#include "server/config.h"
#include "tree/watches.h"

namespace zk {

namespace {

constexpr std::string_view kNotServing =
    "This ZooKeeper instance is not currently serving requests\n";

std::string VersionDir(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d + "/version-2";
}

// ServerCnxn.dumpConnectionInfo.
void AppendConnection(std::string& out, const ConnectionStats& c, bool brief) {
  out += " " + c.remote + "[" + (c.interest_ops == 0 ? "0" : HexDigits(c.interest_ops)) +
         "](queued=" + std::to_string(c.queued) + ",recved=" + std::to_string(c.recved) +
         ",sent=" + std::to_string(c.sent);
  if (!brief && c.session_id != 0) {
    out += ",sid=0x" + HexDigits(c.session_id) + ",lop=" + c.last_op +
           ",est=" + std::to_string(c.established_ms) + ",to=" + std::to_string(c.timeout_ms);
    if (c.last_cxid >= 0) out += ",lcxid=0x" + HexDigits(c.last_cxid);
    out += ",lzxid=0x" + HexDigits(c.last_zxid) + ",lresp=" + std::to_string(c.last_response_ms) +
           ",llat=" + std::to_string(c.last_latency_ms) +
           ",minlat=" + std::to_string(c.min_latency_ms) +
           ",avglat=" + std::to_string(c.avg_latency_ms) +
           ",maxlat=" + std::to_string(c.max_latency_ms);
  }
  out += ")";
}

// ServerStats.toString() + "Node count: N\n" (srvr and stat share it).
void AppendServerBody(std::string& out, const StatsSnapshot& s) {
  out += "Latency min/avg/max: " + std::to_string(s.latency_min_ms) + "/" +
         JavaDouble(AverageRounded(s.latency_total_ms, s.latency_count)) + "/" +
         std::to_string(s.latency_max_ms) + "\n";
  out += "Received: " + std::to_string(s.packets_received) + "\n";
  out += "Sent: " + std::to_string(s.packets_sent) + "\n";
  out += "Connections: " + std::to_string(s.connections.size()) + "\n";
  out += "Outstanding: " + std::to_string(s.outstanding) + "\n";
  out += "Zxid: 0x" + HexDigits(s.zxid) + "\n";
  out += "Mode: " + s.mode + "\n";
  out += "Node count: " + std::to_string(s.node_count) + "\n";
  if (s.quorum && s.quorum->leader) {
    // LeaderZooKeeperServer's addition to ServerStats.
    out += "Proposal sizes last/min/max: " + std::to_string(s.quorum->last_proposal_size) + "/" +
           std::to_string(s.quorum->min_proposal_size) + "/" +
           std::to_string(s.quorum->max_proposal_size) + "\n";
  }
}

std::string Srvr(const StatsSnapshot& s, bool with_clients) {
  std::string out = "Zookeeper version: " + s.version + "\n";
  if (s.read_only) out += "READ-ONLY mode; serving only read-only clients\n";
  if (with_clients) {
    out += "Clients:\n";
    for (const ConnectionStats& c : s.connections) {
      AppendConnection(out, c, /*brief=*/true);
      out += "\n";
    }
    out += "\n";
  }
  AppendServerBody(out, s);
  return out;
}

std::string Cons(const StatsSnapshot& s) {
  std::string out;
  for (const ConnectionStats& c : s.connections) {
    AppendConnection(out, c, /*brief=*/false);
    out += "\n";
  }
  out += "\n";
  return out;
}

std::string Conf(const StatsSnapshot& s) {
  std::string out;
  out += "clientPort=" + std::to_string(s.client_port) + "\n";
  out += "secureClientPort=" + std::to_string(s.secure_client_port) + "\n";
  out += "dataDir=" + VersionDir(s.data_dir) + "\n";
  out += "dataDirSize=" + std::to_string(s.data_dir_size) + "\n";
  out += "dataLogDir=" + VersionDir(s.data_log_dir) + "\n";
  out += "dataLogSize=" + std::to_string(s.log_dir_size) + "\n";
  out += "tickTime=" + std::to_string(s.tick_ms) + "\n";
  out += "maxClientCnxns=" + std::to_string(s.max_client_cnxns) + "\n";
  out += "minSessionTimeout=" + std::to_string(s.min_session_timeout_ms) + "\n";
  out += "maxSessionTimeout=" + std::to_string(s.max_session_timeout_ms) + "\n";
  out += "clientPortListenBacklog=-1\n";
  out += "serverId=" + std::to_string(s.server_id) + "\n";
  if (s.quorum) {
    // QuorumZooKeeperServer.dumpConf: the cluster keys, then the membership as /zookeeper/config
    // holds it (which ends without a newline).
    const QuorumStats& q = *s.quorum;
    out += "initLimit=" + std::to_string(q.init_limit) + "\n";
    out += "syncLimit=" + std::to_string(q.sync_limit) + "\n";
    out += "electionAlg=3\n";
    out += "electionPort=" + std::to_string(q.election_port) + "\n";
    out += "quorumPort=" + std::to_string(q.quorum_port) + "\n";
    out += std::string("peerType=") + (q.observer ? "1" : "0") + "\n";
    // ReadOnlyZooKeeperServer prints the cluster keys but is no QuorumZooKeeperServer.
    if (!s.read_only) out += "membership: \n" + q.membership;
  }
  return out;
}

std::string Envi(const StatsSnapshot& s) {
  const EnvironmentInfo& e = s.env;
  std::string out = "Environment:\n";
  out += "zookeeper.version=" + s.version + "\n";
  out += "host.name=" + e.host_name + "\n";
  out += "zkd.executable=" + e.executable + "\n";
  out += "zkd.compiler=" + e.compiler + "\n";
  out += "zkd.libuv.version=" + e.libuv_version + "\n";
  out += "os.name=" + e.os_name + "\n";
  out += "os.arch=" + e.os_arch + "\n";
  out += "os.version=" + e.os_version + "\n";
  out += "user.name=" + e.user_name + "\n";
  out += "user.home=" + e.user_home + "\n";
  out += "user.dir=" + e.user_dir + "\n";
  out += "os.memory.free=" + std::to_string(e.memory_free_mb) + "MB\n";
  out += "os.memory.max=" + std::to_string(e.memory_max_mb) + "MB\n";
  out += "os.memory.total=" + std::to_string(e.memory_total_mb) + "MB\n";
  return out;
}

// mntr: Apache 3.8's key order (its metrics registry's hash order), so that tools diffing or
// scraping the two servers see the same lines. Values zkd does not measure print 0.
constexpr std::string_view kMntrCounters[] = {
    "proposal_count",
    "watch_bytes",
    "outstanding_changes_removed",
    "throttled_ops",
    "stale_requests_dropped",
    "large_requests_rejected",
    "insecure_admin_count",
    "connection_rejected",
    "cnxn_closed_without_zk_server_running",
    "sessionless_connections_expired",
    "looking_count",
    "dead_watchers_queued",
    "stale_requests",
    "connection_drop_count",
    "learner_proposal_received_count",
    "digest_mismatches_count",
    "dead_watchers_cleared",
    "response_packet_cache_hits",
    "bytes_received_count",
    "add_dead_watcher_stall_time",
    "request_throttle_wait_count",
    "requests_not_forwarded_to_commit_processor",
    "response_packet_cache_misses",
    "ensemble_auth_success",
    "prep_processor_request_queued",
    "learner_commit_received_count",
    "stale_replies",
    "connection_request_count",
    "response_bytes",
    "ensemble_auth_fail",
    "diff_count",
    "response_packet_get_children_cache_misses",
    "connection_revalidate_count",
    "quit_leading_due_to_disloyal_voter",
    "snap_count",
    "unrecoverable_error_count",
    "unsuccessful_handshake",
    "commit_count",
    "stale_sessions_expired",
    "response_packet_get_children_cache_hits",
    "sync_processor_request_queued",
    "outstanding_changes_queued",
    "request_commit_queued",
    "ensemble_auth_skip",
    "skip_learner_request_to_next_processor_count",
    "tls_handshake_exceeded",
    "revalidate_count",
};

// Summaries print avg/min/max/cnt/sum.
constexpr std::string_view kMntrSummaries[] = {
    "socket_closing_time",
    "proposal_process_time",
    "leader_unavailable_time",
    "node_created_watch_count",
    "session_queues_drained",
    "write_commit_proc_req_queued",
    "connection_token_deficit",
    "read_commit_proc_req_queued",
    "node_deleted_watch_count",
    "startup_txns_load_time",
    "sync_processor_queue_size",
    "follower_sync_time",
    "prep_processor_queue_size",
    "fsynctime",
    "inflight_snap_count",
    "reads_issued_from_session_queue",
    "learner_request_processor_queue_size",
    "snapshottime",
    "unavailable_time",
    "startup_txns_loaded",
    "reads_after_write_in_session_queue",
    "requests_in_session_queue",
    "write_commit_proc_issued",
    "prep_process_time",
    "pending_session_queue_size",
    "time_waiting_empty_pool_in_commit_processor_read_ms",
    "commit_process_time",
    "dbinittime",
    "inflight_diff_count",
    "netty_queued_buffer_capacity",
    "election_time",
    "commit_commit_proc_req_queued",
    "sync_processor_batch_size",
    "node_children_watch_count",
    "write_batch_time_in_commit_processor",
    "read_commit_proc_issued",
    "concurrent_request_processing_in_commit_processor",
    "observer_sync_time",
    "node_changed_watch_count",
    "sync_process_time",
    "startup_snap_load_time",
};

// Percentile summaries add p50/p95/p99/p999.
constexpr std::string_view kMntrPercentileSummaries[] = {
    "prep_processor_queue_time_ms",
    "jvm_pause_time_ms",
    "close_session_prep_time",
    "read_commitproc_time_ms",
    "updatelatency",
    "local_write_committed_time_ms",
    "request_throttle_queue_time_ms",
    "readlatency",
    "quorum_ack_latency",
    "om_commit_process_time_ms",
    "read_final_proc_time_ms",
    "commit_propagation_latency",
    "dead_watchers_cleaner_latency",
    "write_final_proc_time_ms",
    "proposal_ack_creation_latency",
    "proposal_latency",
    "om_proposal_process_time_ms",
    "sync_processor_queue_and_flush_time_ms",
    "propagation_latency",
    "server_write_committed_time_ms",
    "sync_processor_queue_time_ms",
    "sync_processor_queue_flush_time_ms",
    "write_commitproc_time_ms",
};

std::string Mntr(const StatsSnapshot& s) {
  std::string out;
  auto line = [&out](std::string_view key, const std::string& value) {
    out += "zk_";
    out += key;
    out += "\t" + value + "\n";
  };
  auto num = [&line](std::string_view key, int64_t v) { line(key, std::to_string(v)); };
  // Apache registers the gauges in one hash map, so a leader's own gauges are interleaved with
  // the server's; `lead` prints one only on a leader, `quorum` only on an ensemble member.
  // A read-only member's server is no QuorumZooKeeperServer: no quorum gauges.
  const QuorumStats* q = s.quorum && !s.read_only ? &*s.quorum : nullptr;
  const QuorumStats* lead = q && q->leader ? q : nullptr;
  line("version", s.version);
  line("server_state", s.mode);
  if (q) line("peer_state", q->peer_state);
  if (q && q->observer_master_id >= 0) num("observer_master_id", q->observer_master_id);
  num("ephemerals_count", s.ephemerals_count);
  num("num_alive_connections", static_cast<int64_t>(s.connections.size()));
  line("avg_latency", JavaDouble(AverageRounded(s.latency_total_ms, s.latency_count)));
  if (lead) num("min_proposal_size", lead->min_proposal_size);
  num("outstanding_requests", s.outstanding);
  num("znode_count", s.node_count);
  num("global_sessions", s.session_count);
  num("non_mtls_remote_conn_count", 0);
  num("last_client_response_size", s.last_response_size);
  num("packets_sent", s.packets_sent);
  num("packets_received", s.packets_received);
  if (lead) num("max_proposal_size", lead->max_proposal_size);
  num("max_client_response_size", s.max_response_size);
  if (lead) num("synced_followers", lead->synced_followers);
  line("connection_drop_probability", "0.0");
  num("watch_count", s.watch_count);
  if (lead) num("synced_non_voting_followers", lead->synced_non_voting_followers);
  if (lead) num("synced_observers", lead->synced_observers);
  num("auth_failed_count", s.auth_failed_count);
  num("min_latency", s.latency_min_ms);
  num("max_file_descriptor_count", s.max_fds);
  num("approximate_data_size", s.approximate_data_size);
  num("open_file_descriptor_count", s.open_fds);
  if (lead) num("last_proposal_size", lead->last_proposal_size);
  if (lead) num("pending_syncs", lead->pending_syncs);
  if (lead) num("leader_uptime", lead->leader_uptime_ms);
  num("local_sessions", 0);
  num("uptime", s.uptime_ms);
  num("max_latency", s.latency_max_ms);
  num("outstanding_tls_handshake", 0);
  if (lead) num("learners", lead->learners);
  num("min_client_response_size", s.min_response_size);
  num("non_mtls_local_conn_count", 0);
  if (q) num("quorum_size", q->quorum_size);
  for (std::string_view name : kMntrCounters) {
    auto it = s.counters.find(std::string(name));
    num(name, it == s.counters.end() ? 0 : it->second);
  }
  auto summary = [&](std::string_view name, bool percentiles) {
    std::string n(name);
    line("avg_" + n, "0.0");
    num("min_" + n, 0);
    num("max_" + n, 0);
    num("cnt_" + n, 0);
    num("sum_" + n, 0);
    if (percentiles) {
      num("p50_" + n, 0);
      num("p95_" + n, 0);
      num("p99_" + n, 0);
      num("p999_" + n, 0);
    }
  };
  for (std::string_view name : kMntrSummaries) summary(name, false);
  for (std::string_view name : kMntrPercentileSummaries) summary(name, true);
  return out;
}

std::string Dump(const StatsSnapshot& s) {
  std::string out = "SessionTracker dump:\n";
  std::map<int64_t, std::vector<int64_t>> buckets;
  for (const SessionExpiry& e : s.sessions) buckets[e.expire_at_ms].push_back(e.session_id);
  out += "Session Sets (" + std::to_string(buckets.size()) + ")/(" +
         std::to_string(s.sessions.size()) + "):\n";
  for (const auto& [at, ids] : buckets) {
    out += std::to_string(ids.size()) + " expire at " + JavaDate(at) + ":\n";
    for (int64_t id : ids) out += "\t0x" + HexDigits(id) + "\n";
  }
  out += "ephemeral nodes dump:\n";
  size_t with = 0;
  if (s.ephemerals != nullptr) {
    for (const auto& [sid, paths] : *s.ephemerals) with += paths.empty() ? 0 : 1;
  }
  out += "Sessions with Ephemerals (" + std::to_string(with) + "):\n";
  if (s.ephemerals != nullptr) {
    for (const auto& [sid, paths] : *s.ephemerals) {
      if (paths.empty()) continue;
      out += "0x" + HexDigits(sid) + ":\n";
      for (const std::string& p : paths) out += "\t" + p + "\n";
    }
  }
  out += "Connections dump:\n";
  std::map<int64_t, std::vector<const ConnectionStats*>> cbuckets;
  for (const ConnectionStats& c : s.connections) cbuckets[c.expire_at_ms].push_back(&c);
  out += "Connections Sets (" + std::to_string(cbuckets.size()) + ")/(" +
         std::to_string(s.connections.size()) + "):\n";
  for (const auto& [at, conns] : cbuckets) {
    out += std::to_string(conns.size()) + " expire at " + JavaDate(at) + ":\n";
    for (const ConnectionStats* c : conns) {
      out += "\tip: " + c->remote + " sessionId: 0x" + HexDigits(c->session_id) + "\n";
    }
  }
  return out;
}

std::string Wchs(const StatsSnapshot& s) {
  size_t sessions = 0, paths = 0, total = 0;
  if (s.watches != nullptr) {
    auto by_path = s.watches->ByPath();
    paths = by_path.size();
    for (const auto& [path, ids] : by_path) total += ids.size();
    sessions = s.watches->BySession().size();
  }
  return std::to_string(sessions) + " connections watching " + std::to_string(paths) +
         " paths\nTotal watches:" + std::to_string(total) + "\n";
}

std::string Wchc(const StatsSnapshot& s) {
  std::string out;
  if (s.watches != nullptr) {
    for (const auto& [sid, paths] : s.watches->BySession()) {
      out += "0x" + HexDigits(sid) + "\n";
      for (const std::string& p : paths) out += "\t" + p + "\n";
    }
  }
  return out + "\n";
}

std::string Wchp(const StatsSnapshot& s) {
  std::string out;
  if (s.watches != nullptr) {
    for (const auto& [path, ids] : s.watches->ByPath()) {
      out += path + "\n";
      for (int64_t id : ids) out += "\t0x" + HexDigits(id) + "\n";
    }
  }
  return out + "\n";
}

}  // namespace

bool IsFourLetterWord(std::string_view word) {
  return word.size() == 4 && KnownFourLetterWords().count(std::string(word)) > 0;
}

std::string WhitelistRefusal(std::string_view word) {
  return std::string(word) + " is not executed because it is not in the whitelist.\n";
}

std::string RenderFourLetterWord(std::string_view word, const StatsSnapshot& s) {
  // These three answer whether or not the server is serving.
  if (word == "ruok") return "imok";
  if (word == "envi") return Envi(s);
  if (word == "isro") {
    if (!s.serving) return "null";
    return s.read_only ? "ro" : "rw";
  }
  if (word == "gtmk" || word == "stmk") return std::to_string(s.trace_mask);
  if (!s.serving) return std::string(kNotServing);
  if (word == "srvr") return Srvr(s, /*with_clients=*/false);
  if (word == "stat") return Srvr(s, /*with_clients=*/true);
  if (word == "cons") return Cons(s);
  if (word == "conf") return Conf(s);
  if (word == "mntr") return Mntr(s);
  if (word == "dump") return Dump(s);
  if (word == "wchs") return Wchs(s);
  if (word == "wchc") return Wchc(s);
  if (word == "wchp") return Wchp(s);
  if (word == "srst") return "Server stats reset.\n";
  if (word == "crst") return "Connection stats reset.\n";
  if (word == "dirs") {
    return "datadir_size: " + std::to_string(s.data_dir_size) +
           "\nlogdir_size: " + std::to_string(s.log_dir_size) + "\n";
  }
  if (word == "hash") return "";  // zkd keeps no digest log (zookeeper.digest.enabled off)
  return "";
}

double AverageRounded(int64_t total, int64_t count) {
  if (count <= 0) return 0.0;
  double avg = static_cast<double>(total) / static_cast<double>(count);
  return std::floor(avg * 10000.0 + 0.5) / 10000.0;
}

std::string JavaDouble(double v) {
  if (v == 0.0) return "0.0";
  char buf[64];
  double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e7) {
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
    std::string s(buf, p);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  // Java's computerized scientific notation: "1.0E-4", "1.2345E7".
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, p);
  size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  int exp = std::stoi(s.substr(e + 1));
  return mantissa + "E" + std::to_string(exp);
}

std::string JavaDate(int64_t wall_ms) {
  std::time_t t = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace zk
