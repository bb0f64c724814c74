// sim: the deterministic simulator's command line.
//
//   sim --seeds 1000 [--seed 1] [--members 3] [--observers 0]   randomized election runs
//   sim --seed 4242                                             replay one seed, with its trace
//   sim --scenario test/scenarios/foo.txt ...                   run scenario files
//
// Exit status 0 when everything passed. A failing seed prints SEED=<n> and the command that
// replays it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "sim/random_run.h"
#include "sim/scenario.h"

int main(int argc, char** argv) {
  CLI::App app{"pseudo-cluster deterministic simulator"};
  uint64_t seeds = 0;
  uint64_t first_seed = 1;
  int members = 3;
  int observers = 0;
  int64_t chaos_ticks = 300;
  bool verbose = false;
  bool rewrite_golden = false;
  std::vector<std::string> scenarios;
  auto* seeds_opt = app.add_option("--seeds", seeds, "number of seeds to run");
  auto* seed_opt = app.add_option("--seed", first_seed, "first seed (alone: replay this seed)");
  app.add_option("--members", members, "voters")->check(CLI::Range(1, 9));
  app.add_option("--observers", observers, "observers")->check(CLI::Range(0, 9));
  app.add_option("--chaos-ticks", chaos_ticks, "ticks of faults per run")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--scenario", scenarios, "scenario files to run")->check(CLI::ExistingFile);
  app.add_flag("-v,--verbose", verbose, "print the trace");
  app.add_flag("--rewrite-golden", rewrite_golden, "write <scenario>.golden from this run");
  CLI11_PARSE(app, argc, argv);

  int failures = 0;
  for (const std::string& path : scenarios) {
    zk::sim::ScenarioOptions options;
    options.echo = verbose;
    options.rewrite_golden = rewrite_golden;
    std::string error = zk::sim::RunScenarioFile(path, options);
    if (error.empty()) {
      std::cout << "PASS " << path << "\n";
    } else {
      std::cout << "FAIL " << error << "\n";
      ++failures;
    }
  }

  if (!scenarios.empty() && seeds_opt->count() == 0 && seed_opt->count() == 0) {
    return failures == 0 ? 0 : 1;
  }
  if (seeds_opt->count() == 0) seeds = 1;
  bool replay = seeds_opt->count() == 0;

  zk::sim::RandomRunConfig config;
  config.voters = members;
  config.observers = observers;
  config.chaos_ticks = chaos_ticks;
  config.echo = replay || verbose;
  // CPU time only reports throughput; it never feeds the simulation.
  std::clock_t began = std::clock();
  uint64_t steps = 0, two_leader_rounds = 0, leading = 0;
  int64_t settle_max = 0, settle_sum = 0;
  uint64_t slowest_seed = 0;
  for (uint64_t i = 0; i < seeds; ++i) {
    uint64_t seed = first_seed + i;
    zk::sim::RandomRunResult r = zk::sim::RunRandomElection(seed, config);
    steps += r.steps;
    two_leader_rounds += r.stats.rounds_with_two_leaders;
    leading += r.stats.leading_decisions;
    if (r.ok) {
      if (r.settle_ticks > settle_max) slowest_seed = seed;
      settle_max = std::max(settle_max, r.settle_ticks);
      settle_sum += r.settle_ticks;
      continue;
    }
    ++failures;
    if (!config.echo) {
      for (const std::string& line : r.trace_tail) std::cout << line << "\n";
    }
    std::cout << "SEED=" << seed << " FAILED: " << r.failure << "\n"
              << "replay: " << argv[0] << " --seed " << seed << " --members " << members
              << " --observers " << observers << " --chaos-ticks " << chaos_ticks << "\n";
  }
  double secs = static_cast<double>(std::clock() - began) / CLOCKS_PER_SEC;
  std::printf(
      "%llu seeds (%d voters, %d observers), %d failed; settle ticks mean %.1f max %lld (seed %llu); "
      "%llu steps; LEADING decisions %llu, rounds with two LEADING deciders %llu; "
      "%.2fs cpu, %.0f seeds/s\n",
      static_cast<unsigned long long>(seeds), members, observers, failures,
      seeds > 0 ? static_cast<double>(settle_sum) / static_cast<double>(seeds) : 0.0,
      static_cast<long long>(settle_max), static_cast<unsigned long long>(slowest_seed),
      static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(leading), static_cast<unsigned long long>(two_leader_rounds),
      secs, secs > 0 ? static_cast<double>(seeds) / secs : 0.0);
  return failures == 0 ? 0 : 1;
}
