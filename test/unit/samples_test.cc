// Latency summaries: nearest-rank percentiles over every sample (the smallest sample with at
// least p% of the samples at or below it), the JSON they are written as, the plotted curve and
// the median of rounds.
#include "loadgen/samples.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace pc::loadgen {
namespace {

// 1 µs, 2 µs, ..., n µs in nanoseconds, shuffled: Summarize must sort them itself.
std::vector<int64_t> Micros1To(int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 1; i <= n; ++i) v.push_back(i * 1000);
  std::shuffle(v.begin(), v.end(), std::mt19937(42));
  return v;
}

TEST(Summarize, NoSamplesGivesZeros) {
  LatencySummary s = Summarize({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.mean_us, 0);
  EXPECT_EQ(s.p50_us, 0);
  EXPECT_EQ(s.p999_us, 0);
  EXPECT_EQ(s.max_us, 0);
}

TEST(Summarize, NearestRankOfAThousandSamples) {
  LatencySummary s = Summarize(Micros1To(1000));
  EXPECT_EQ(s.count, 1000);
  EXPECT_DOUBLE_EQ(s.mean_us, 500.5);
  EXPECT_DOUBLE_EQ(s.p50_us, 500);
  EXPECT_DOUBLE_EQ(s.p90_us, 900);
  EXPECT_DOUBLE_EQ(s.p99_us, 990);
  // 999 of 1000 samples (99.9%) are at or below 999 µs: the max is not p99.9.
  EXPECT_DOUBLE_EQ(s.p999_us, 999);
  EXPECT_DOUBLE_EQ(s.max_us, 1000);
}

TEST(Summarize, P999OfTwoThousandSamplesLeavesTwoAbove) {
  LatencySummary s = Summarize(Micros1To(2000));
  EXPECT_DOUBLE_EQ(s.p999_us, 1998);
  EXPECT_DOUBLE_EQ(s.p99_us, 1980);
  EXPECT_DOUBLE_EQ(s.max_us, 2000);
}

TEST(Summarize, RankRoundsUpBetweenSamples) {
  // 10 samples: p99 needs 9.9 samples at or below, so the 10th; p50 the 5th; p90 the 9th.
  LatencySummary s = Summarize(Micros1To(10));
  EXPECT_DOUBLE_EQ(s.p50_us, 5);
  EXPECT_DOUBLE_EQ(s.p90_us, 9);
  EXPECT_DOUBLE_EQ(s.p99_us, 10);
  EXPECT_DOUBLE_EQ(s.p999_us, 10);
}

TEST(Summarize, OneSampleIsEveryPercentile) {
  LatencySummary s = Summarize({1500});
  EXPECT_EQ(s.count, 1);
  EXPECT_DOUBLE_EQ(s.mean_us, 1.5);
  EXPECT_DOUBLE_EQ(s.p50_us, 1.5);
  EXPECT_DOUBLE_EQ(s.p999_us, 1.5);
  EXPECT_DOUBLE_EQ(s.max_us, 1.5);
}

TEST(SummaryJson, HasEveryKeyRoundedToTheNanosecond) {
  LatencySummary s;
  s.count = 3;
  s.mean_us = 1.23456;
  s.p50_us = 2.0004;
  s.p90_us = 3.0006;
  s.p99_us = 4;
  s.p999_us = 5;
  s.max_us = 6.1239;
  nlohmann::json j = SummaryJson(s);
  EXPECT_EQ(j.size(), 7u);
  EXPECT_EQ(j["count"], 3);
  EXPECT_DOUBLE_EQ(j["mean_us"].get<double>(), 1.235);
  EXPECT_DOUBLE_EQ(j["p50_us"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["p90_us"].get<double>(), 3.001);
  EXPECT_DOUBLE_EQ(j["p99_us"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(j["p999_us"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(j["max_us"].get<double>(), 6.124);
}

TEST(PercentileCurve, EmptyForNoSamples) { EXPECT_TRUE(PercentileCurve({}).empty()); }

TEST(PercentileCurve, TwentyPointsPerNineFromMinToMax) {
  std::vector<std::pair<double, double>> curve = PercentileCurve(Micros1To(1000));
  // 3 nines for 1000 samples: i = 0..60, then the max.
  ASSERT_EQ(curve.size(), 62u);
  EXPECT_DOUBLE_EQ(curve.front().first, 0);
  EXPECT_DOUBLE_EQ(curve.front().second, 1);  // the smallest sample
  EXPECT_NEAR(curve[20].first, 90, 1e-9);
  EXPECT_DOUBLE_EQ(curve[20].second, 900);
  EXPECT_NEAR(curve[40].first, 99, 1e-9);
  EXPECT_DOUBLE_EQ(curve[40].second, 990);
  EXPECT_NEAR(curve[60].first, 99.9, 1e-9);
  EXPECT_DOUBLE_EQ(curve[60].second, 999);
  EXPECT_DOUBLE_EQ(curve.back().first, 99.9);
  EXPECT_DOUBLE_EQ(curve.back().second, 1000);
  for (size_t i = 1; i < curve.size(); ++i) {
    EXPECT_LE(curve[i - 1].first, curve[i].first) << i;
    EXPECT_LE(curve[i - 1].second, curve[i].second) << i;
  }
}

TEST(Median, OddTakesTheMiddleEvenTheMeanOfTheTwoMiddles) {
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(Median({7}), 7);
  EXPECT_EQ(Median({9, 1, 5}), 5);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({-1, 100}), 49.5);
}

}  // namespace
}  // namespace pc::loadgen
