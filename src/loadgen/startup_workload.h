// Start-up workload, one round: `pseudo-cluster up -d` of a fresh cluster in a private state
// root, timed from the moment `up` is spawned to
//   ready        — every member answers `srvr` as serving, exactly one of them as leader (polled
//                  by the bench itself every few ms, the same way for both engines);
//   first write  — the first create that succeeds on any member;
//   up returned  — `up -d` exited (it waits for the supervisor's own idea of ready);
// then `down --clean`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/bench_cluster.h"
#include "loadgen/progress.h"

namespace pc::loadgen {

struct StartupOptions {
  OwnClusterOptions cluster;
  double timeout_s = 120;
  int session_timeout_ms = 4000;
};

struct StartupRound {
  nlohmann::json json;  // {"round", "ready_ms", "first_write_ms", "up_returned_ms"}
  std::string error;
};

// `home` is the bench's private $PSEUDO_CLUSTER_HOME; the cluster is named `name` there.
StartupRound RunStartupRound(const std::string& home, const std::string& name, int round,
                             const StartupOptions& options, Progress& progress);

// {"round_count", "ready_ms": {"median", "worst"}, "first_write_ms": {...},
//  "up_returned_ms": {...}, "rounds": [...]}
nlohmann::json SummarizeStartup(const std::vector<nlohmann::json>& rounds);

}  // namespace pc::loadgen
