// `pseudo-cluster bench [latency|throughput|failover|startup|all]`: a load generator on Debian's
// libzookeeper-mt C client, so zkd and Apache ZooKeeper are measured by the same client. Runs
// against a running cluster (--cluster/--dir) or brings its own up and down in a private state
// root with free ports; --compare runs zkd and Apache side by side, alternating, and prints each
// figure with the ratio and the targets. Called by main.cc; returns the exit code.
#pragma once

#include <string>

namespace pc {

struct BenchOptions {
  std::string workload = "all";  // latency, throughput, failover, startup, all
  std::string engine = "zkd";    // own clusters: zkd or apache
  bool compare = false;          // both engines, own clusters
  std::string cluster, dir;      // a running cluster instead of own ones
  int voters = 3, observers = 0, tick_time_ms = 2000;  // own clusters
  std::string apache_jvm = "stock";                    // own Apache clusters' JVM
  std::string target;  // leader, followers, observers, all; "" = all (failover: followers)
  int requests = 2000, warmup_requests = 200;  // latency, per operation
  int connections = 3, inflight = 64;          // throughput
  double duration_s = 5, warmup_s = 1;
  int value_bytes = 100, read_pct = 90;
  int rounds = 5, startup_rounds = 3, failover_clients = 2;
  int session_timeout_ms = 4000;
  bool json = false;
  std::string json_file;  // also write the JSON document here
  std::string plot;       // FILE.png
  bool keep = false;      // keep the private state root (logs, data dirs)
};

int CmdBench(const BenchOptions& options);

}  // namespace pc
