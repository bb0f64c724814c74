// `pseudo-cluster chaos` (issue 15): a Jepsen-style run. Brings up its own cluster with proxied
// links (`up --faults`, free ports, a private $PSEUDO_CLUSTER_HOME) or uses a running one, runs a
// workload from several client sessions while the nemesis injects faults on a seeded schedule,
// heals everything, makes the final reads, gathers the convergence facts, writes the output
// directory and judges the history with the checker of src/chaos (the same as `chaos check`).
//
// Output directory: history.jsonl, nemesis.jsonl, timeline.txt (the supervisor's events),
// verdict.json, run.txt (options and counts). Progress on stderr.
// Threads: one per client, one for the nemesis, the caller's for progress and the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pc::loadgen {

struct ChaosOptions {
  std::string engine = "zkd";
  int nodes = 5;
  int64_t time_ms = 60000;
  uint64_t seed = 1;
  std::vector<std::string> nemesis;  // kinds, see chaos_nemesis.h
  int64_t interval_ms = 5000;
  std::string workload = "register";
  int clients = 5;
  double rate = 200;         // ops per second, all clients together
  std::string cluster_dir;   // a running cluster; empty: bring one up
  std::string out_dir;       // empty: chaos-<time> in the working directory
  int op_timeout_ms = 3000;  // a request unanswered this long is a timeout
};

// Runs it; returns the exit code (0 valid, 1 invalid, 3 unknown) after printing the verdict
// line last on stdout.
int RunChaos(const ChaosOptions& options);

}  // namespace pc::loadgen
