// sim: the deterministic simulator's command line.
//
//   sim --seeds 1000 [--seed 1] [--members 3] [--observers 0]   randomized election runs
//   sim --replica --seeds 1000 [...]                            the same with the real Replica
//                                                               (Zab, clients, disks)
//   sim --replica --crash-points --seeds 1000 [...]             and members also die at random
//                                                               persistence steps
//   sim --replica --reconfig --spares 2 --seeds 300 [...]       random reconfigs (leave, join
//                                                               of a spare, role changes) too
//   sim --scenario FILE --rewrite-golden                        rewrite FILE.golden
//   sim [--replica] --seed 4242                                 replay one seed, with its trace
//   sim --scenario test/scenarios/foo.txt ...                   run scenario files
//
// Exit status 0 when everything passed. A failing seed prints SEED=<n> and the command that
// replays it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "sim/random_run.h"
#include "sim/scenario.h"

namespace {

// An assertion in the core aborts the process: still say which seed did it.
volatile uint64_t g_current_seed = 0;
volatile bool g_in_seed = false;

void OnAbort(int) {
  if (g_in_seed) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "\nSEED=%llu aborted\n",
                     static_cast<unsigned long long>(g_current_seed));
    if (n > 0) fwrite(buf, 1, static_cast<size_t>(n), stdout);
    fflush(stdout);
  }
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

// What a loop over seeds found, for its summary line.
struct SeedsTally {
  int failures = 0;
  int64_t settle_max = 0;  // settle times of the runs that passed
  int64_t settle_sum = 0;
  uint64_t slowest_seed = 0;
  double cpu_secs = 0;  // reports throughput only; never feeds the simulation
};

// Counts a passed run's settle time and returns true; for a failed run prints its trace tail
// (unless the trace was echoed as it ran) and returns false.
template <typename Result>
bool Tally(uint64_t seed, const Result& r, bool echoed, SeedsTally* t) {
  if (r.ok) {
    if (r.settle_ticks > t->settle_max) t->slowest_seed = seed;
    t->settle_max = std::max(t->settle_max, r.settle_ticks);
    t->settle_sum += r.settle_ticks;
    return true;
  }
  if (!echoed) {
    for (const std::string& line : r.trace_tail) std::cout << line << "\n";
  }
  return false;
}

// Runs the seeds first_seed, first_seed + 1, ... through run(seed), which returns the run's
// result and adds its figures to the caller's summary, and tallies them (an abort meanwhile
// names the seed). A failed seed prints SEED=<n> and the command that replays it:
// `program --seed <n>` and replay_args.
template <typename Run>
SeedsTally RunSeeds(uint64_t first_seed, uint64_t seeds, bool echoed, const std::string& program,
                    const std::string& replay_args, Run run) {
  SeedsTally t;
  std::clock_t began = std::clock();
  for (uint64_t i = 0; i < seeds; ++i) {
    uint64_t seed = first_seed + i;
    g_current_seed = seed;
    g_in_seed = true;
    auto r = run(seed);
    g_in_seed = false;
    if (Tally(seed, r, echoed, &t)) continue;
    ++t.failures;
    std::cout << "SEED=" << seed << " FAILED: " << r.failure << "\n"
              << "replay: " << program << " --seed " << seed << replay_args << "\n";
  }
  t.cpu_secs = static_cast<double>(std::clock() - began) / CLOCKS_PER_SEC;
  return t;
}

// The summary line's settle times and throughput.
std::string SettleText(const SeedsTally& t, uint64_t seeds) {
  char buf[128];
  snprintf(buf, sizeof buf, "settle ticks mean %.1f max %lld (seed %llu)",
           seeds > 0 ? static_cast<double>(t.settle_sum) / static_cast<double>(seeds) : 0.0,
           static_cast<long long>(t.settle_max), static_cast<unsigned long long>(t.slowest_seed));
  return buf;
}

std::string CpuText(const SeedsTally& t, uint64_t seeds) {
  char buf[96];
  snprintf(buf, sizeof buf, "%.2fs cpu, %.0f seeds/s", t.cpu_secs,
           t.cpu_secs > 0 ? static_cast<double>(seeds) / t.cpu_secs : 0.0);
  return buf;
}

int RunReplicaSeeds(uint64_t first_seed, uint64_t seeds, const zk::sim::SimTuning& tuning,
                    const char* argv0) {
  uint64_t steps = 0, acked = 0, requests = 0, epochs = 0, ledger = 0;
  uint64_t diffs = 0, truncs = 0, snaps = 0;
  std::string replay_args = " --members " + std::to_string(tuning.voters) + " --observers " +
                            std::to_string(tuning.observers) + " --clients " +
                            std::to_string(tuning.clients) + " --chaos-ticks " +
                            std::to_string(tuning.chaos_ticks) +
                            (tuning.crash_points ? " --crash-points" : "") +
                            (tuning.reconfig ? " --reconfig --spares " +
                                                   std::to_string(tuning.spares)
                                             : std::string());
  if (tuning.data_dir_full_chance > 0) {
    replay_args += " --disk-full-chance " + std::to_string(tuning.data_dir_full_chance);
  }
  SeedsTally t = RunSeeds(first_seed, seeds, tuning.echo, std::string(argv0) + " --replica",
                          replay_args, [&](uint64_t seed) {
                            zk::sim::ReplicaRunResult r = zk::sim::RunRandomReplica(seed, tuning);
                            steps += r.steps;
                            acked += r.clients.acked_writes;
                            requests += r.clients.requests;
                            epochs += r.zab.epochs_served;
                            ledger += r.zab.ledger_txns;
                            diffs += r.zab.syncs_diff;
                            truncs += r.zab.syncs_trunc;
                            snaps += r.zab.syncs_snap;
                            return r;
                          });
  std::printf(
      "replica: %llu seeds (%d voters, %d observers, %d clients), %d failed; %s; %llu steps; "
      "%llu requests, %llu acknowledged writes, %llu committed txns checked, %llu epochs "
      "served; learner syncs: %llu DIFF, %llu TRUNC + DIFF, %llu SNAP; %s\n",
      static_cast<unsigned long long>(seeds), tuning.voters, tuning.observers, tuning.clients,
      t.failures, SettleText(t, seeds).c_str(), static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(requests), static_cast<unsigned long long>(acked),
      static_cast<unsigned long long>(ledger), static_cast<unsigned long long>(epochs),
      static_cast<unsigned long long>(diffs), static_cast<unsigned long long>(truncs),
      static_cast<unsigned long long>(snaps), CpuText(t, seeds).c_str());
  return t.failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pseudo-cluster deterministic simulator"};
  uint64_t seeds = 0;
  uint64_t first_seed = 1;
  zk::sim::SimTuning tuning;  // --members, --observers, --chaos-ticks, --clients, --trace-zab
  bool verbose = false;
  bool rewrite_golden = false;
  bool replica = false;
  std::vector<std::string> scenarios;
  auto* seeds_opt = app.add_option("--seeds", seeds, "number of seeds to run");
  auto* seed_opt = app.add_option("--seed", first_seed, "first seed (alone: replay this seed)");
  app.add_option("--members", tuning.voters, "voters")->check(CLI::Range(1, 9));
  app.add_option("--observers", tuning.observers, "observers")->check(CLI::Range(0, 9));
  app.add_option("--chaos-ticks", tuning.chaos_ticks, "ticks of faults per run")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--scenario", scenarios, "scenario files to run")->check(CLI::ExistingFile);
  app.add_flag("-v,--verbose", verbose, "print the trace");
  app.add_flag(
      "--replica", replica,
      "randomized runs of the real Replica (Zab, disks, clients) instead of election only");
  app.add_option("--disk-full-chance", tuning.data_dir_full_chance,
                 "per chaos tick, a member's data dir fills or empties (--replica)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--crash-points", tuning.crash_points,
               "arm random crash points at persistence steps during the chaos (--replica)");
  app.add_flag("--trace-zab", tuning.trace_zab, "trace every Zab packet delivered (--replica)");
  app.add_flag("--reconfig", tuning.reconfig,
               "reconfig enabled, with random reconfigs among the faults (--replica)");
  app.add_option("--spares", tuning.spares,
                 "servers outside the starting config that may join (--replica --reconfig)")
      ->check(CLI::Range(0, 5));
  app.add_option("--clients", tuning.clients, "simulated clients (--replica)")
      ->check(CLI::Range(0, 50));
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
  tuning.echo = replay || verbose;
  std::signal(SIGABRT, OnAbort);
  if (replica) {
    return std::max(failures, RunReplicaSeeds(first_seed, seeds, tuning, argv[0]));
  }

  uint64_t steps = 0, two_leader_rounds = 0, leading = 0;
  std::string replay_args = " --members " + std::to_string(tuning.voters) + " --observers " +
                            std::to_string(tuning.observers) + " --chaos-ticks " +
                            std::to_string(tuning.chaos_ticks);
  SeedsTally t = RunSeeds(first_seed, seeds, tuning.echo, argv[0], replay_args, [&](uint64_t seed) {
    zk::sim::RandomRunResult r = zk::sim::RunRandomElection(seed, tuning);
    steps += r.steps;
    two_leader_rounds += r.stats.rounds_with_two_leaders;
    leading += r.stats.leading_decisions;
    return r;
  });
  // The summary's count also holds the failed scenarios, as it always has.
  failures += t.failures;
  std::printf(
      "%llu seeds (%d voters, %d observers), %d failed; %s; %llu steps; LEADING decisions %llu, "
      "rounds with two LEADING deciders %llu; %s\n",
      static_cast<unsigned long long>(seeds), tuning.voters, tuning.observers, failures,
      SettleText(t, seeds).c_str(), static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(leading), static_cast<unsigned long long>(two_leader_rounds),
      CpuText(t, seeds).c_str());
  return failures == 0 ? 0 : 1;
}
