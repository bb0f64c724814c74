// `bench`: its options; loadgen/bench.h runs it and prints the report.
#include <memory>

#include "cli/command.h"
#include "loadgen/bench.h"

namespace pc::cli {

namespace {

// Options of the clusters the bench runs on.
void AddClusterOptions(CLI::App* bench, BenchOptions& bo) {
  bench->add_option("--engine", bo.engine, "zkd (default) or apache, for clusters it brings up")
      ->check(CLI::IsMember({"zkd", "apache"}));
  bench->add_flag("--compare", bo.compare,
                  "run zkd and Apache ZooKeeper alternately and print them side by side");
  bench->add_option("--cluster", bo.cluster, "run against this running cluster (by name)");
  bench->add_option("--dir", bo.dir, "run against the running cluster in this directory");
  bench->add_option("--nodes", bo.voters, "voters in clusters it brings up (default 3)")
      ->check(CLI::Range(1, 15));
  bench->add_option("--observers", bo.observers, "observers in clusters it brings up")
      ->check(CLI::Range(0, 15));
  bench
      ->add_option("--apache-jvm", bo.apache_jvm,
                   "JVM of the Apache clusters it brings up: stock (default: Java's defaults, "
                   "as zkServer.sh) or tuned (small heap, C1 only, as `up` starts it)")
      ->check(CLI::IsMember({"tuned", "stock"}));
  bench->add_option("--tick-time", bo.tick_time_ms, "tickTime of clusters it brings up (2000)")
      ->check(CLI::Range(50, 60000));
  bench->add_option("--target", bo.target,
                    "members the sessions connect to: leader, followers, observers or all "
                    "(default all, leader first; failover: followers)");
}

// Options of the workloads. Returns --rounds, which also sets start-up rounds for `bench startup`.
CLI::Option* AddWorkloadOptions(CLI::App* bench, BenchOptions& bo) {
  bench->add_option("--requests", bo.requests, "latency: requests per operation (2000)")
      ->check(CLI::Range(1, 10000000));
  bench->add_option("--warmup-requests", bo.warmup_requests, "latency: untimed first (200)")
      ->check(CLI::Range(0, 10000000));
  bench->add_option("-c,--connections", bo.connections, "throughput: sessions (3)")
      ->check(CLI::Range(1, 256));
  bench->add_option("--inflight", bo.inflight, "throughput: requests in flight per session (64)")
      ->check(CLI::Range(1, 4096));
  bench->add_option("--duration", bo.duration_s, "throughput: measured seconds per kind (5)")
      ->check(CLI::Range(0.1, 3600.0));
  bench->add_option("--warmup", bo.warmup_s, "throughput: unmeasured seconds first (1)")
      ->check(CLI::Range(0.0, 600.0));
  bench->add_option("--value-size", bo.value_bytes, "bytes per value (100)")
      ->check(CLI::Range(0, 1000000));
  bench->add_option("--read-pct", bo.read_pct, "mix: percent of reads (90)")
      ->check(CLI::Range(0, 100));
  auto* rounds = bench
                     ->add_option("--rounds", bo.rounds,
                                  "failover rounds (5); with `bench startup`, its rounds")
                     ->check(CLI::Range(1, 1000));
  bench->add_option("--startup-rounds", bo.startup_rounds, "start-up rounds (3)")
      ->check(CLI::Range(1, 1000));
  bench->add_option("--failover-clients", bo.failover_clients, "failover: writing sessions (2)")
      ->check(CLI::Range(1, 64));
  bench
      ->add_option("--session-timeout", bo.session_timeout_ms,
                   "client session timeout in ms (4000)")
      ->check(CLI::Range(1000, 600000));
  return rounds;
}

}  // namespace

void AddBenchCommand(CLI::App& app, CommandRun* chosen) {
  auto* bench = app.add_subcommand(
      "bench", "load generator on the Apache C client: latency, throughput, failover, start-up");
  auto bo = std::make_shared<BenchOptions>();
  bench->add_option("WORKLOAD", bo->workload,
                    "latency, throughput (write, read, mix), failover, startup or all (default)");
  AddClusterOptions(bench, *bo);
  CLI::Option* rounds = AddWorkloadOptions(bench, *bo);
  bench->add_flag("--json", bo->json, "machine-readable output");
  bench->add_option("--json-file", bo->json_file, "also write the JSON document to this file");
  bench->add_option("--plot", bo->plot, "draw latency distributions and failover timelines (PNG)");
  bench->add_flag("--keep", bo->keep, "keep the bench's state directory (logs, data)");
  Finish(bench, chosen, [bo, rounds] {
    if (bo->workload == "startup" && rounds->count() > 0) {
      bo->startup_rounds = bo->rounds;
    }
    return CmdBench(*bo);
  });
}

}  // namespace pc::cli
