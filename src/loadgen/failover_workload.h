// Failover workload, one round: a few sessions on the non-leader members (or `target`) write
// one request at a time without pause; the leader is killed through the supervisor (SIGKILL);
// the round measures the client-visible window — from the kill until the first successful write
// issued after it — and the largest gap between successful writes; then the killed node is
// started again and the round ends once the ensemble is ready.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/bench_cluster.h"
#include "loadgen/progress.h"

namespace pc::loadgen {

struct FailoverOptions {
  int clients = 2;
  std::string target = "followers";
  double before_s = 1.0;  // steady writes before the kill
  double after_s = 1.0;   // and after the first success
  double round_timeout_s = 60;
  double ready_timeout_s = 120;
  int value_bytes = 100;
  int session_timeout_ms = 4000;
};

struct FailoverPoint {
  int round;
  double t_ms;  // issue time relative to the kill
  double latency_ms;
  bool ok;
};

struct FailoverRound {
  // {"round", "killed", "new_leader", "recovered", "window_ms", "max_gap_ms", "writes_ok",
  //  "writes_failed", "ready_again_ms"}
  nlohmann::json json;
  std::vector<FailoverPoint> points;
  std::string error;  // the round could not run (no leader, no session, ...)
};

FailoverRound RunFailoverRound(const BenchCluster& cluster, const std::string& root, int round,
                               const FailoverOptions& options, Progress& progress);

// {"round_count", "recovered", "window_ms": {"median", "best", "worst"},
//  "max_gap_ms": {"median", "worst"}, "rounds": [...]}
nlohmann::json SummarizeFailover(const std::vector<nlohmann::json>& rounds);

}  // namespace pc::loadgen
