// Latency workload: one session, one request at a time, so each sample is a full round trip
// through the C client, the socket and the server (writes: the leader's quorum and fsync).
// Runs create, get, exists, set, multi (create + set in one transaction) and delete on fresh
// nodes under `root`, after an untimed warm-up pass of the same sequence.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/progress.h"

namespace pc::loadgen {

struct LatencyOptions {
  int requests = 2000;  // per operation
  int warmup = 200;     // per operation, untimed
  int value_bytes = 100;
  int session_timeout_ms = 4000;
  int timeout_ms = 30000;  // a request that takes longer counts as an error
};

struct LatencyRun {
  // {"target", "host", "requests", "ops": {"create": {"requests", "errors", "latency": {...}}}}
  nlohmann::json json;
  std::map<std::string, std::vector<int64_t>> samples_ns;  // by op name, successful requests
  std::string error;  // non-empty: the run could not start (no session)
};

// `root` must exist; the workload's nodes are removed again afterwards.
LatencyRun RunLatency(const std::string& host, const std::string& root,
                      const LatencyOptions& options, Progress& progress);

}  // namespace pc::loadgen
