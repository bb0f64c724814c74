// `pseudo-cluster bench sweep`: one workload (latency, throughput or mix) run at every
// combination of one or two varied parameters (`--vary nodes=3,5,7 --vary value-size=10,1k`),
// on one engine or both (--compare). Server-side parameters (nodes, observers) bring a fresh
// cluster up per point; when only client-side ones vary (value-size, sessions, inflight,
// read-pct) each engine's cluster is brought up once and reused. Prints a table (or --json with
// every point) and, with --plot DIR, one PNG per measured figure against the first varied
// parameter: a line per engine (and per value of the second parameter), log x where the values
// span 100x or more. Progress on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loadgen/bench.h"

namespace pc {

struct SweepParam {
  std::string name;                // nodes, observers, value-size, sessions, inflight, read-pct
  std::vector<std::string> texts;  // as given: "1k"
  std::vector<int> values;         // 1024 (value-size: k = 1024 bytes; else k = 1000)
};

// "value-size=10,1k,100k" -> a SweepParam; nullopt and *error (one line) when the name is
// unknown or a value does not parse or is out of range.
std::optional<SweepParam> ParseVary(const std::string& spec, std::string* error);

struct SweepOptions {
  BenchOptions base;               // engine / compare / cluster settings and the fixed workload knobs
  std::string workload = "latency";  // latency, throughput or mix
  std::vector<SweepParam> vary;    // one or two
  bool json = false;
  std::string plot_dir;            // "" = no plots
};

// Empty when the options make sense together, else one line saying which do not.
std::string CheckSweepOptions(const SweepOptions& options);

// Runs the sweep and prints its report; returns the exit code (0, or 1 when a point failed:
// the points before it are still reported).
int RunSweep(const SweepOptions& options);

}  // namespace pc
