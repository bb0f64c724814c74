// `bench`: its options, and the report of a run (loadgen/bench.h does the work): the tables or
// the JSON document on stdout, --json-file and --plot, and the one-line error with where the
// logs were kept. Exit code 1 when the run stopped early or an output could not be written.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/command.h"
#include "loadgen/bench.h"
#include "loadgen/bench_plot.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_sweep.h"

namespace fs = std::filesystem;

namespace pc::cli {

namespace {

constexpr char kBench[] = "pseudo-cluster bench";

void PrintTables(const BenchRun& run, bool compare) {
  const auto& m = run.doc["machine"];
  std::printf(
      "machine: %u x %s, %.1f GiB RAM, %s, Debian %s, %s; load average %s at start, %s "
      "at end\n",
      m.value("nproc", 0u), m.value("cpu_model", "").c_str(),
      static_cast<double>(m.value("mem_total_kb", int64_t{0})) / 1048576.0,
      m.value("kernel", "").c_str(), m.value("debian", "").c_str(), m.value("java", "").c_str(),
      m.value("loadavg_start", "").c_str(), m.value("loadavg_end", "").c_str());
  std::printf("%s\n\n", loadgen::LinksLine(run.doc.value("links", "")).c_str());
  for (const auto& r : run.results) {
    std::printf("%s\n", loadgen::RenderEngine(run.doc["engines"][r.engine]).c_str());
  }
  if (compare) {
    std::printf("%s", loadgen::RenderCompare(run.doc["comparison"]).c_str());
  }
}

// Writes --json-file, prints the report and draws --plot. Returns why the bench failed, if it
// did: the run's own failure first, else an output that could not be written.
std::string Report(const BenchOptions& o, const BenchRun& run) {
  std::string failure = run.failure;
  if (!o.json_file.empty()) {
    std::ofstream out(o.json_file);
    out << run.doc.dump(2) << "\n";
    if (!out) {
      failure = "cannot write " + o.json_file;
    }
  }
  if (o.json) {
    std::printf("%s\n", run.doc.dump(2).c_str());
  } else {
    PrintTables(run, o.compare);
  }
  std::fflush(stdout);
  if (!o.plot.empty() && failure.empty()) {
    const std::string png = fs::absolute(o.plot).string();
    if (std::string error = loadgen::WritePlot(run.results, png, run.home + "/plot");
        !error.empty()) {
      failure = error;
    } else {
      std::fprintf(stderr, "plot written to %s\n", o.plot.c_str());
    }
  }
  return failure;
}

int CmdBench(const BenchOptions& o) {
  if (std::string error = CheckBenchOptions(o); !error.empty()) {
    Fail(error, kBench);
    return 2;  // options that do not go together: bad input
  }
  std::string error;
  std::optional<BenchRun> run = RunBench(o, &error);
  if (!run) {
    return Fail(error, kBench);
  }
  if (std::string failure = Report(o, *run); !failure.empty()) {
    return Fail(failure + "\n(logs kept in " + run->home + ")", kBench);
  }
  if (o.keep) {
    std::fprintf(stderr, "logs and data kept in %s\n", run->home.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(run->home, ec);
  }
  return 0;
}

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
  bench->add_option("--links", bo.links,
                    "peer links of clusters it brings up: direct (default) or proxied (`up "
                    "--faults`: every link through the supervisor); with --cluster/--dir, the "
                    "cluster's own, which --links must then match");
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
  bench->add_option("--znodes", bo.znodes, "scale: znodes to create (100000)")
      ->check(CLI::Range(int64_t{1000}, int64_t{10000000}));
  bench
      ->add_option("--sessions", bo.sessions,
                   "scale: this many sessions spread over the members, then a leader kill: "
                   "time until all are attached again (instead of the znodes part)")
      ->check(CLI::Range(1, 100000));
  bench
      ->add_option("--watches", bo.watches,
                   "scale: this many exists watches (100 sessions x watches/100 znodes), "
                   "then one set per znode fires them: memory and time (instead of the znodes)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  bench->add_flag("--snapshot-latency", bo.snapshot_latency,
                  "scale: after the znodes, p99 of sets while a member takes a snapshot vs "
                  "without one");
  bench
      ->add_option("--session-timeout", bo.session_timeout_ms,
                   "client session timeout in ms (4000)")
      ->check(CLI::Range(1000, 600000));
  return rounds;
}

// `bench sweep`: one workload over one or two varied parameters (loadgen/bench_sweep.h).
CLI::App* AddSweepCommand(CLI::App* bench, CommandRun* chosen) {
  auto* sweep = bench->add_subcommand(
      "sweep", "one workload at every value of one or two parameters: a table and plots");
  auto so = std::make_shared<SweepOptions>();
  auto varies = std::make_shared<std::vector<std::string>>();
  sweep
      ->add_option("--vary", *varies,
                   "NAME=V1,V2,... (nodes, observers, value-size, sessions, inflight, read-pct; "
                   "1k = 1000, for value-size 1024 bytes); once or twice")
      ->required();
  sweep->add_option("--workload", so->workload, "latency (default), throughput or mix");
  AddClusterOptions(sweep, so->base);
  AddWorkloadOptions(sweep, so->base);
  sweep->add_flag("--json", so->json, "every point as JSON instead of the table");
  sweep->add_option("--plot", so->plot_dir, "a directory for one PNG per measured figure");
  Finish(sweep, chosen, [so, varies] {
    so->vary.clear();
    for (const std::string& spec : *varies) {
      std::string error;
      auto p = ParseVary(spec, &error);
      if (!p) {
        std::fprintf(stderr, "pseudo-cluster bench sweep: %s\n", error.c_str());
        return 2;
      }
      so->vary.push_back(*p);
    }
    if (std::string error = CheckSweepOptions(*so); !error.empty()) {
      std::fprintf(stderr, "pseudo-cluster %s\n", error.c_str());
      return 2;
    }
    return RunSweep(*so);
  });
  return sweep;
}

}  // namespace

void AddBenchCommand(CLI::App& app, CommandRun* chosen) {
  auto* bench = app.add_subcommand(
      "bench", "load generator on the Apache C client: latency, throughput, failover, start-up");
  auto bo = std::make_shared<BenchOptions>();
  bench->add_option("WORKLOAD", bo->workload,
                    "latency, throughput (write, read, mix), failover, startup or all (default); "
                    "scale (not in all: a large tree's memory, snapshot and recovery)");
  AddClusterOptions(bench, *bo);
  CLI::Option* rounds = AddWorkloadOptions(bench, *bo);
  bench->add_flag("--json", bo->json, "machine-readable output");
  bench->add_option("--json-file", bo->json_file, "also write the JSON document to this file");
  bench->add_option("--plot", bo->plot, "draw latency distributions and failover timelines (PNG)");
  bench->add_flag("--keep", bo->keep, "keep the bench's state directory (logs, data)");
  bench->require_subcommand(0, 1);
  CLI::App* sweep = AddSweepCommand(bench, chosen);
  bench->callback([chosen, bo, rounds, sweep] {
    if (sweep->parsed()) {
      return;  // `bench sweep` chose its own work
    }
    *chosen = [bo, rounds] {
      if (bo->workload == "startup" && rounds->count() > 0) {
        bo->startup_rounds = bo->rounds;
      }
      return CmdBench(*bo);
    };
  });
}

}  // namespace pc::cli
