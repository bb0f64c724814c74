// Throughput workload: C sessions, each keeping D requests in flight (pipelined async calls: a
// completion issues the next request at once), for a warm-up and then a measured window. Every
// request completing inside the window counts; ops/s = successful ones / window length.
// Kinds: write (set), read (get), mix (read_pct % gets, the rest sets, interleaved).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/progress.h"

namespace pc::loadgen {

struct ThroughputOptions {
  std::string kind = "write";
  int inflight = 64;  // per session
  double duration_s = 5;
  double warmup_s = 1;
  int value_bytes = 100;
  int read_pct = 90;  // mix only
  int session_timeout_ms = 4000;
};

struct ThroughputRun {
  // {"kind", "connections", "inflight", "hosts", "duration_s", "requests", "ok", "errors",
  //  "ops_per_s", "latency": {...}} (+ "read_pct", "reads", "writes" for mix)
  nlohmann::json json;
  std::vector<int64_t> samples_ns;  // successful requests in the window
  std::string error;
};

// One session per entry of `hosts`. `every_second` runs on the calling thread about once a
// second while the load runs (the bench samples server memory there).
ThroughputRun RunThroughput(const std::vector<std::string>& hosts, const std::string& root,
                            const ThroughputOptions& options, Progress& progress,
                            const std::function<void()>& every_second);

}  // namespace pc::loadgen
