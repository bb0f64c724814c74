// `bench scale`: what a large tree costs. Creates N znodes of value_bytes each (pipelined, one
// session, `inflight` requests in flight) under the bench's root, 1,000 per parent, and reports:
// the time and rate of the creates, each member's RSS before and after and so the RSS per znode,
// the newest snapshot file in the leader's data directory (ZooKeeper and zkd both snapshot every
// snapCount txns), and the recovery time of that state: every member restarted, until the
// cluster is ready again and the last znode created is read from every member.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/bench_cluster.h"
#include "loadgen/progress.h"

namespace pc::loadgen {

struct ScaleOptions {
  int64_t znodes = 100000;
  int value_bytes = 100;
  int inflight = 256;
  int session_timeout_ms = 4000;
};

// {"znodes", "value_bytes", "create_s", "creates_per_s", "errors", "members": [{"id", "role",
//  "rss_before_kb", "rss_after_kb", "bytes_per_znode"}], "max_bytes_per_znode", "snapshot":
//  {"file", "bytes"}, "recovery_ms"}; or {"error": "..."} when it could not finish.
nlohmann::json RunZnodeScale(BenchCluster& cluster, const std::string& root,
                             const ScaleOptions& options, Progress& progress);

}  // namespace pc::loadgen
