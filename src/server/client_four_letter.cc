// ClientServer's four-letter words: the word read off a connection's first bytes, the
// whitelist, srst / crst, and the StatsSnapshot every word renders (four_letter.h), with the
// server-wide counters behind it.
#include <spdlog/spdlog.h>

#include "proto/jute.h"
#include "server/client_server.h"
#include "server/host_probe.h"
#include "server/version.h"

namespace zk {

void ServerCounters::AddLatency(int64_t ms) {
  if (latency_count == 0 || ms < latency_min_ms) latency_min_ms = ms;
  if (ms > latency_max_ms) latency_max_ms = ms;
  latency_total_ms += ms;
  ++latency_count;
}

void ServerCounters::AddResponseSize(int64_t bytes) {
  last_response_size = bytes;
  if (min_response_size < 0 || bytes < min_response_size) min_response_size = bytes;
  if (bytes > max_response_size) max_response_size = bytes;
}

bool ClientServer::HandleFourLetterWord(ClientConnection* c) {
  std::string word(c->reader.buffered().substr(0, 4));
  if (word == "stmk") {
    // Set trace mask: the word is followed by a long.
    if (c->reader.buffered().size() < 12) return false;
    trace_mask_ = JuteReader(c->reader.buffered().substr(4, 8)).Long();
    c->reader.Skip(12);
  } else {
    c->reader.Skip(4);
  }
  c->state = ClientConnection::State::kFourLetter;
  c->stats.interest_ops = 0;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  ++c->stats.recved;
  ++counters_.packets_received;
  std::string text;
  if (!config_.four_letter_whitelist.count(word)) {
    spdlog::info("four-letter word {} from {} refused: not in 4lw.commands.whitelist", word,
                 c->stats.remote);
    text = WhitelistRefusal(word);
  } else {
    if (word == "srst") ResetServerStats();
    if (word == "crst") {
      for (auto& [id, other] : connections_) other->ResetStats();
    }
    text = RenderFourLetterWord(word, Snapshot());
  }
  ++counters_.packets_sent;
  ++c->stats.sent;
  Send(c, std::move(text));
  CloseAfterFlush(c);
  return true;
}

int64_t ClientServer::ExpiryBucketMs(int64_t wall_ms) const {
  int64_t tick = config_.tick_ms;
  return (wall_ms / tick + 1) * tick;  // ExpiryQueue.roundToNextInterval
}

void ClientServer::ResetServerStats() {
  ServerCounters fresh;
  fresh.bytes_received = 0;
  counters_ = fresh;
}

StatsSnapshot ClientServer::Snapshot() const {
  StatsSnapshot s;
  s.version = FullVersion();
  s.mode = ensemble_.mode ? ensemble_.mode() : "standalone";
  if (ensemble_.serving) s.serving = ensemble_.serving();
  s.read_only = machine_->read_only();
  s.serving = s.serving || s.read_only;
  s.now_ms = WallMs();
  s.latency_min_ms = counters_.latency_count ? counters_.latency_min_ms : 0;
  s.latency_max_ms = counters_.latency_max_ms;
  s.latency_total_ms = counters_.latency_total_ms;
  s.latency_count = counters_.latency_count;
  s.packets_received = counters_.packets_received;
  s.packets_sent = counters_.packets_sent;
  s.zxid = machine_->last_processed_zxid();
  s.node_count = static_cast<int64_t>(machine_->core().tree().node_count());
  s.approximate_data_size = machine_->core().tree().approximate_data_size();
  s.ephemerals_count = static_cast<int64_t>(machine_->core().tree().ephemeral_count());
  s.watch_count = static_cast<int64_t>(machine_->core().watches().count());
  s.session_count = static_cast<int64_t>(machine_->core().sessions().size());
  s.uptime_ms = LoopMs() - start_loop_ms_;
  s.open_fds = CountOpenFds();
  s.max_fds = MaxFds();
  s.last_response_size = counters_.last_response_size;
  s.min_response_size = counters_.min_response_size;
  s.max_response_size = counters_.max_response_size;
  s.auth_failed_count = counters_.auth_failed;
  s.counters["bytes_received_count"] = counters_.bytes_received;
  s.counters["connection_rejected"] = counters_.connections_rejected;
  s.counters["unsuccessful_handshake"] = counters_.unsuccessful_handshakes;
  s.counters["connection_request_count"] = counters_.connection_requests;

  int64_t outstanding = 0;
  for (const auto& [id, c] : connections_) {
    ConnectionStats cs = c->stats;
    if (c->state == ClientConnection::State::kSession && c->backlog_bytes() > 0) {
      cs.interest_ops = 5;  // OP_READ | OP_WRITE
    }
    int32_t timeout = c->session_id != 0 ? c->stats.timeout_ms : config_.min_session_timeout_ms;
    cs.expire_at_ms = ExpiryBucketMs(c->last_activity_wall_ms + timeout);
    outstanding += cs.queued;
    s.connections.push_back(std::move(cs));
  }
  s.outstanding = outstanding;

  const SessionTable& sessions = machine_->core().sessions();
  for (const auto& [id, session] : sessions.all()) {
    int64_t ticks_left = session.expire_tick - sessions.now_tick();
    s.sessions.push_back({id, last_tick_wall_ms_ + ticks_left * config_.tick_ms});
  }
  s.ephemerals = &machine_->core().tree().ephemerals();
  s.watches = &machine_->core().watches();

  s.client_port = config_.client_port;
  if (config_.tls.enabled()) s.secure_client_port = config_.tls.secure_client_port;
  s.data_dir = config_.data_dir;
  s.data_log_dir = config_.data_log_dir;
  s.data_dir_size = DirectorySize(config_.data_dir + "/version-2");
  s.log_dir_size = DirectorySize(config_.data_log_dir + "/version-2");
  s.tick_ms = config_.tick_ms;
  s.max_client_cnxns = config_.max_client_cnxns;
  s.min_session_timeout_ms = config_.min_session_timeout_ms;
  s.max_session_timeout_ms = config_.max_session_timeout_ms;
  s.server_id = config_.server_id;
  s.trace_mask = trace_mask_;
  s.env = env_;
  s.env.memory_free_mb = MeminfoMb("MemAvailable:");
  s.env.memory_max_mb = MeminfoMb("MemTotal:");
  s.env.memory_total_mb = ResidentMb();
  if (ensemble_.fill_stats) ensemble_.fill_stats(&s);
  return s;
}

}  // namespace zk
