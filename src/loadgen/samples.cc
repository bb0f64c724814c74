#include "loadgen/samples.h"

#include <algorithm>
#include <cmath>

namespace pc::loadgen {

namespace {

// Nearest rank: the smallest sample with at least p% of the samples at or below it.
double At(const std::vector<int64_t>& sorted, double p) {
  const size_t n = sorted.size();
  // In doubles p / 100 * n lands a hair above a whole rank (99.9 / 100 * 1000 =
  // 999.0000000000001), and ceil would take the next sample: round such a product first.
  const double exact = p / 100.0 * static_cast<double>(n);
  const double whole = std::round(exact);
  const double ranked = std::abs(exact - whole) <= 1e-9 * whole ? whole : std::ceil(exact);
  size_t rank = static_cast<size_t>(ranked);
  rank = std::clamp<size_t>(rank, 1, n);
  return static_cast<double>(sorted[rank - 1]) / 1000.0;
}

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

LatencySummary Summarize(std::vector<int64_t> latencies_ns) {
  LatencySummary s;
  s.count = static_cast<int64_t>(latencies_ns.size());
  if (latencies_ns.empty()) {
    return s;
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  double sum = 0;
  for (int64_t v : latencies_ns) {
    sum += static_cast<double>(v);
  }
  s.mean_us = sum / static_cast<double>(latencies_ns.size()) / 1000.0;
  s.p50_us = At(latencies_ns, 50);
  s.p90_us = At(latencies_ns, 90);
  s.p99_us = At(latencies_ns, 99);
  s.p999_us = At(latencies_ns, 99.9);
  s.max_us = static_cast<double>(latencies_ns.back()) / 1000.0;
  return s;
}

nlohmann::json SummaryJson(const LatencySummary& s) {
  return {{"count", s.count},           {"mean_us", Round3(s.mean_us)},
          {"p50_us", Round3(s.p50_us)}, {"p90_us", Round3(s.p90_us)},
          {"p99_us", Round3(s.p99_us)}, {"p999_us", Round3(s.p999_us)},
          {"max_us", Round3(s.max_us)}};
}

std::vector<std::pair<double, double>> PercentileCurve(std::vector<int64_t> latencies_ns) {
  std::vector<std::pair<double, double>> curve;
  if (latencies_ns.empty()) {
    return curve;
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  // 20 points per decade of "nines": 0, ..., 90, ..., 99, ..., 99.9, ... up to the sample count.
  const double nines_max = std::log10(static_cast<double>(latencies_ns.size()));
  for (int i = 0; i <= static_cast<int>(nines_max * 20); ++i) {
    const double p = 100.0 * (1.0 - std::pow(10.0, -i / 20.0));
    curve.emplace_back(p, At(latencies_ns, std::max(p, 0.0001)));
  }
  curve.emplace_back(100.0 * (1.0 - 1.0 / static_cast<double>(latencies_ns.size())),
                     static_cast<double>(latencies_ns.back()) / 1000.0);
  return curve;
}

double Median(std::vector<double> values) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

}  // namespace pc::loadgen
