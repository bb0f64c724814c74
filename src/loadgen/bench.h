// `pseudo-cluster bench [latency|throughput|failover|startup|all]`: a load generator on Debian's
// libzookeeper-mt C client, so zkd and Apache ZooKeeper are measured by the same client. Runs
// against a running cluster (--cluster/--dir) or brings its own up and down in a private state
// root with free ports; --compare runs zkd and Apache side by side, alternating. RunBench does
// the work and returns the JSON document; the command line (src/cli/bench_command.cc) parses
// the options and prints the report. Peer links are direct unless --links proxied (or the
// running cluster is proxied), and the report says which. Blocking; call from the main thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/bench_result.h"

namespace pc {

struct BenchOptions {
  std::string workload = "all";  // latency, throughput, failover, startup, all; scale (not in all)
  std::string engine = "zkd";    // own clusters: zkd or apache
  bool compare = false;          // both engines, own clusters
  std::string cluster, dir;      // a running cluster instead of own ones
  int voters = 3, observers = 0, tick_time_ms = 2000;  // own clusters
  std::string apache_jvm = "stock";                    // own Apache clusters' JVM
  // Peer links: "direct" or "proxied" (`up --faults`). Own clusters: "" = direct. A running
  // cluster: "" = whatever it runs with (status "links.mode"); given, it must match.
  std::string links;
  std::string target;  // leader, followers, observers, all; "" = all (failover: followers)
  int requests = 2000, warmup_requests = 200;  // latency, per operation
  int connections = 3, inflight = 64;          // throughput
  double duration_s = 5, warmup_s = 1;
  int value_bytes = 100, read_pct = 90;
  int rounds = 5, startup_rounds = 3, failover_clients = 2;
  int session_timeout_ms = 4000;
  int64_t znodes = 100000;  // scale
  int sessions = 0;         // scale --sessions: that many sessions through a leader kill
  int64_t watches = 0;      // scale --watches: that many watches set and fired
  bool snapshot_latency = false;  // scale: set p99 during a snapshot vs without, after the znodes
  bool json = false;
  std::string json_file;  // also write the JSON document here
  std::string plot;       // FILE.png
  bool keep = false;      // keep the private state root (logs, data dirs)
};

// Empty when the options make sense together, else one line saying which do not.
std::string CheckBenchOptions(const BenchOptions& options);

// What a run leaves for its report.
struct BenchRun {
  // {"machine", "settings", "links": "direct"|"proxied", "engines": {name: EngineResult::json},
  //  "comparison" (--compare), "error" (when it stopped early)}
  nlohmann::json doc;
  std::vector<loadgen::EngineResult> results;  // in the order the engines ran
  std::string home;     // the private state root; the caller keeps or removes it
  std::string failure;  // why it stopped early ("interrupted" on Ctrl-C); empty when it did not
};

// Runs the workloads `options` choose, with Ctrl-C caught (supervisor/interrupt.h): an
// interrupted run stops early, still brings its own clusters down and reports what it has.
// nullopt with *error when it could not begin (no private state root, or the named cluster is
// not running); there is nothing to report then.
std::optional<BenchRun> RunBench(const BenchOptions& options, std::string* error);

}  // namespace pc
