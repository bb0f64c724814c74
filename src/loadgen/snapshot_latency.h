// `bench scale --snapshot-latency`: after the znodes are created, one session sets one znode
// again and again (synchronous: one request in flight) and each set is put in one of two bins:
// "during" when it overlapped a snapshot being taken on any member, else "without". Both
// engines snapshot every snapCount txns on their own (the sets are those txns), so no hook is
// needed; when each snapshot ran is read from the members' logs:
//   zkd:    "snapshot at zxid Z written by a child process (fork F us), T ms" ends at the
//           line's time and began T ms earlier (the fork, then the child's write);
//   Apache: "Snapshotting: 0xZ to FILE" begins it; FILE's last modification ends it.
// Runs until both bins hold `min_sets` sets, or `max_s` seconds.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/bench_cluster.h"
#include "loadgen/progress.h"

namespace pc::loadgen {

struct SnapshotLatencyOptions {
  std::string engine;  // zkd or apache: which log lines to read
  std::string path;    // the znode to set
  int value_bytes = 100;
  int min_sets = 1000;
  double max_s = 300;
};

// {"snapshots": [{"node", "start_ms", "ms"}], "during": {"sets", "p50_us", "p99_us", "max_us"},
//  "without": {...}, "p99_ratio", "sets", "errors"} or {"error"}.
nlohmann::json RunSnapshotLatency(BenchCluster& cluster, const SnapshotLatencyOptions& options,
                                  Progress& progress);

}  // namespace pc::loadgen
