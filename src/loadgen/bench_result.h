// What one engine's bench run produced: the JSON the report prints (and --json emits), plus the
// raw samples the plot draws. Filled by bench.cc, read by bench_report.cc and bench_plot.cc.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/failover_workload.h"
#include "loadgen/latency_workload.h"
#include "loadgen/throughput_workload.h"

namespace pc::loadgen {

struct EngineResult {
  std::string engine;  // zkd or apache
  // {"engine", "cluster": {...}, "latency": {...}, "throughput": {"write", "read", "mix"},
  //  "failover": {...}, "startup": {...}, "memory": {...}}; absent keys: workload not run
  nlohmann::json json;
  std::map<std::string, std::vector<int64_t>> latency_ns;  // "get", "set", ..., "write", "read"
  std::vector<FailoverPoint> failover_points;
  std::vector<nlohmann::json> failover_rounds, startup_rounds;
  std::map<int, int64_t> rss_peak_kb;  // by node id
};

// --compare runs each step in parts, alternating engines (A B, then B A) so that other load on
// the machine drifting over time weighs on both alike. These add one part's run: counts add up,
// summaries are recomputed over every sample so far. The first part sets the other fields.
void AddLatency(EngineResult& r, LatencyRun run);
void AddThroughput(EngineResult& r, const std::string& kind, ThroughputRun run);

}  // namespace pc::loadgen
