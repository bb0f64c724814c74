// The bench report: the zkd-vs-Apache comparison rows (which figures, which way is better, the
// advantage and the targets) and the exact text they and one engine's results render to.
#include "loadgen/bench_report.h"

#include <gtest/gtest.h>

#include <string>

namespace pc::loadgen {
namespace {

using nlohmann::json;

json ZkdResult() {
  return {
      {"latency", {{"ops", {{"get", {{"latency", {{"p50_us", 100}, {"p99_us", 150}}}}}}}}},
      {"throughput", {{"write", {{"ops_per_s", 30000}}}}},
      {"failover", {{"window_ms", {{"median", 0}}}}},
      {"startup", {{"ready_ms", {{"median", "n/a"}}}}},  // not a number: no row
      {"memory", {{"rss_kb_mean", 10240}}},
  };
}

json ApacheResult() {
  return {
      {"latency",
       {{"ops",
         {{"get", {{"latency", {{"p50_us", 200}, {"p99_us", 300}}}}},
          {"set", {{"latency", {{"p50_us", 900}}}}}}}}},  // zkd has no set: no row
      {"throughput", {{"write", {{"ops_per_s", 10000}}}}},
      {"failover", {{"window_ms", {{"median", 250}}}}},
      {"startup", {{"ready_ms", {{"median", 900}}}}},
      {"memory", {{"rss_kb_mean", 204800}}},
  };
}

TEST(CompareJson, OneRowPerFigureBothEnginesHaveInFigureOrder) {
  json rows = CompareJson(ZkdResult(), ApacheResult());
  ASSERT_EQ(rows.size(), 5u) << rows.dump(1);
  EXPECT_EQ(rows[0]["figure"], "read latency p50 (get, one client)");
  EXPECT_EQ(rows[1]["figure"], "pipelined write throughput");
  EXPECT_EQ(rows[2]["figure"], "failover window (median)");
  EXPECT_EQ(rows[3]["figure"], "RSS per server after the run (mean)");
  EXPECT_EQ(rows[4]["figure"], "get latency p99 (one client)");
}

TEST(CompareJson, LowerIsBetterAdvantageIsApacheOverZkd) {
  json row = CompareJson(ZkdResult(), ApacheResult())[0];
  EXPECT_EQ(row["unit"], "us");
  EXPECT_EQ(row["better"], "lower");
  EXPECT_EQ(row["zkd"], 100.0);
  EXPECT_EQ(row["apache"], 200.0);
  EXPECT_DOUBLE_EQ(row["advantage"].get<double>(), 2.0);
  EXPECT_EQ(row["target"], (json{{"text", "<= Apache/1.3"}, {"factor", 1.3}, {"met", true}}));
}

TEST(CompareJson, HigherIsBetterAdvantageIsZkdOverApacheAndMissesItsTarget) {
  json row = CompareJson(ZkdResult(), ApacheResult())[1];
  EXPECT_EQ(row["unit"], "ops/s");
  EXPECT_EQ(row["better"], "higher");
  EXPECT_DOUBLE_EQ(row["advantage"].get<double>(), 3.0);
  EXPECT_EQ(row["target"], (json{{"text", ">= Apache x 4"}, {"factor", 4.0}, {"met", false}}));
}

TEST(CompareJson, ZeroDenominatorHasNoAdvantageAndMissesTheTarget) {
  json row = CompareJson(ZkdResult(), ApacheResult())[2];
  EXPECT_TRUE(row["advantage"].is_null());
  EXPECT_EQ(row["target"]["met"], false);
}

TEST(CompareJson, TargetMetExactlyAtTheFactor) {
  json row = CompareJson(ZkdResult(), ApacheResult())[3];
  EXPECT_DOUBLE_EQ(row["advantage"].get<double>(), 20.0);
  EXPECT_EQ(row["target"]["met"], true);
}

TEST(CompareJson, FigureWithoutTargetHasNullTarget) {
  json row = CompareJson(ZkdResult(), ApacheResult())[4];
  EXPECT_TRUE(row["target"].is_null());
  EXPECT_DOUBLE_EQ(row["advantage"].get<double>(), 2.0);
}

TEST(CompareJson, NothingInCommonGivesNoRows) {
  EXPECT_EQ(CompareJson(json::object(), ApacheResult()), json::array());
}

TEST(RenderCompare, ExactTableWithUnitsAdvantagesAndVerdicts) {
  std::string text = RenderCompare(CompareJson(ZkdResult(), ApacheResult()));
  const std::string want =
      "zkd vs Apache ZooKeeper, same machine, same run. \"zkd x\" = how many times better zkd is\n"
      "(apache/zkd for times and memory, zkd/apache for throughput); > 1 means zkd is better.\n"
      "\n"
      "figure                                                zkd         apache    zkd x  target  "
      "           \n"
      "read latency p50 (get, one client)               0.100 ms       0.200 ms    2.00x  <= "
      "Apache/1.3      met\n"
      "pipelined write throughput                    30000 ops/s    10000 ops/s    3.00x  >= "
      "Apache x 4      MISSED (3.00x of 4x)\n"
      "failover window (median)                           0.0 ms       250.0 ms        -  <= "
      "Apache/5        MISSED (0.00x of 5x)\n"
      "RSS per server after the run (mean)              10.0 MiB      200.0 MiB   20.00x  <= "
      "Apache/20       met\n"
      "get latency p99 (one client)                     0.150 ms       0.300 ms    2.00x  -     "
      "             \n";
  EXPECT_EQ(text, want);
}

TEST(RenderEngine, HeaderLineOnlyWhenThereAreNoResults) {
  json e = {{"engine", "zkd"},
            {"cluster",
             {{"voters", 3},
              {"observers", 0},
              {"force_sync", "yes"},
              {"tick_time_ms", 2000},
              {"dir", "/d"}}}};
  EXPECT_EQ(RenderEngine(e),
            "== zkd: 3 voters + 0 observers, forceSync=yes, tickTime=2000 ms, /d\n");
}

TEST(RenderEngine, LatencyAndFailoverTablesInMilliseconds) {
  json e = {{"engine", "apache"},
            {"cluster",
             {{"voters", 3},
              {"observers", 1},
              {"force_sync", "no"},
              {"tick_time_ms", 2000},
              {"apache_jvm", "17.0.9"},
              {"dir", "/tmp/pc"}}},
            {"latency",
             {{"host", "127.0.0.1:2181"},
              {"value_bytes", 100},
              {"ops",
               {{"get",
                 {{"requests", 1000},
                  {"errors", 2},
                  {"latency",
                   {{"p50_us", 123.4},
                    {"p90_us", 200},
                    {"p99_us", 1500},
                    {"p999_us", 2000},
                    {"max_us", 12345}}}}}}}}},
            {"failover",
             {{"rounds", json::array({{{"round", 1},
                                       {"killed", 2},
                                       {"new_leader", 3},
                                       {"window_ms", 240.3},
                                       {"max_gap_ms", 300.0},
                                       {"writes_ok", 50},
                                       {"writes_failed", 0},
                                       {"ready_again_ms", 900.0}},
                                      {{"round", 2},
                                       {"killed", 3},
                                       {"new_leader", 0},
                                       {"window_ms", nullptr},
                                       {"max_gap_ms", 812.5},
                                       {"writes_ok", 40},
                                       {"writes_failed", 3},
                                       {"ready_again_ms", 1500.0}}})},
              {"window_ms", {{"median", 240.3}, {"worst", nullptr}}},
              {"max_gap_ms", {{"median", 556.3}, {"worst", 812.5}}}}}};
  const std::string want =
      "== apache: 3 voters + 1 observers, forceSync=no, tickTime=2000 ms, JVM 17.0.9, /tmp/pc\n"
      "latency: one session to 127.0.0.1:2181, one request at a time, 100-byte values (ms)\n"
      "  op        requests errors      p50       p90       p99     p99.9       max\n"
      "  get           1000      2     0.123     0.200     1.500     2.000    12.345\n"
      "failover: leader killed with SIGKILL each round; window = kill -> first successful write\n"
      "  round killed new-leader  window ms  largest gap ms  ok  failed  ready again ms\n"
      "      1      2          3      240.3           300.0   50       0           900.0\n"
      "      2      3          0      never           812.5   40       3          1500.0\n"
      "  window median 240.3 ms, worst never recovered; largest gap median 556.3 ms, worst 812.5 "
      "ms\n";
  EXPECT_EQ(RenderEngine(e), want);
}

json Cluster() {
  return {{"voters", 3},
          {"observers", 0},
          {"force_sync", "yes"},
          {"tick_time_ms", 2000},
          {"dir", "/d"}};
}

TEST(RenderEngine, SectionsWithoutTheirRowsRenderHeadersOnlyInsteadOfAborting) {
  json e = {{"engine", "zkd"},
            {"cluster", Cluster()},
            {"latency", {{"host", "h"}, {"value_bytes", 10}}},
            {"startup", json::object()},
            {"memory", {{"when", "after"}}}};
  const std::string want =
      "== zkd: 3 voters + 0 observers, forceSync=yes, tickTime=2000 ms, /d\n"
      "latency: one session to h, one request at a time, 10-byte values (ms)\n"
      "  op        requests errors      p50       p90       p99     p99.9       max\n"
      "start-up: `up -d` of a fresh cluster until ... (ms)\n"
      "  round     ready  first write  up returned\n"
      "memory: RSS per server (after)\n"
      "  node role        pid      RSS MiB  peak MiB\n";
  EXPECT_EQ(RenderEngine(e), want);
}

TEST(RenderEngine, MissingLatencyWindowAndGapRenderAsAbsentInsteadOfAborting) {
  json e = {{"engine", "zkd"},
            {"cluster", Cluster()},
            {"throughput",
             {{"write",
               {{"connections", 1},
                {"inflight", 2},
                {"ops_per_s", 10.0},
                {"requests", 100},
                {"errors", 0}}}}},
            {"failover",
             {{"rounds", json::array({{{"round", 1},
                                       {"killed", 2},
                                       {"new_leader", 3},
                                       {"writes_ok", 5},
                                       {"writes_failed", 0},
                                       {"ready_again_ms", 900.0}}})},
              {"window_ms", {{"median", 1.0}}}}}};
  const std::string want =
      "== zkd: 3 voters + 0 observers, forceSync=yes, tickTime=2000 ms, /d\n"
      "throughput: pipelined (sessions x requests in flight), latency in ms\n"
      "  kind   sessions x inflight     ops/s   requests  errors      p50       p99       max\n"
      "  write         1 x 2               10        100       0     0.000     0.000     0.000\n"
      "failover: leader killed with SIGKILL each round; window = kill -> first successful write\n"
      "  round killed new-leader  window ms  largest gap ms  ok  failed  ready again ms\n"
      "      1      2          3      never             0.0    5       0           900.0\n"
      "  window median 1.0 ms, worst never recovered; largest gap median 0.0 ms, worst 0.0 ms\n";
  EXPECT_EQ(RenderEngine(e), want);
}

}  // namespace
}  // namespace pc::loadgen
