// Latency samples and their summaries: nearest-rank percentiles over every sample (no
// histogram buckets, so p99.9 of 2000 samples is the third largest: two lie above it).
// Pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace pc::loadgen {

struct LatencySummary {
  int64_t count = 0;
  double mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

LatencySummary Summarize(std::vector<int64_t> latencies_ns);
// {"count", "mean_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"}
nlohmann::json SummaryJson(const LatencySummary& summary);

// (percentile in [0,100), latency in µs) at percentiles spread on a "nines" scale, for plots.
std::vector<std::pair<double, double>> PercentileCurve(std::vector<int64_t> latencies_ns);

double Median(std::vector<double> values);

}  // namespace pc::loadgen
