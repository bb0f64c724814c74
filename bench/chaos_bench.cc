// The chaos checker (src/chaos): how long the verdict on a register history takes. The issue's
// target: a 10,000-op history of 5 clients checked in under 2 s. Histories come from the
// simulated register of the unit tests (random overlaps, some info ops, half of which took
// effect, possibly after their client gave up), built before the timed loop; the timed part is
// Judge (every check, the linearizability search above all), or parse + Judge as the CLI does.
// Counters: ops, and the states the linearizability search explored.
#include <benchmark/benchmark.h>

#include <string>

#include "chaos/verdict.h"
#include "chaos_register_sim.h"

namespace pc::chaos {
namespace {

History Simulated(int ops, double info_chance, bool versions) {
  testing::RegisterSimOptions options;
  options.processes = 5;
  options.ops = ops;
  options.info_chance = info_chance;
  options.versions = versions;
  return testing::SimulateRegister(42, options);
}

void Report(benchmark::State& state, const History& h, const Verdict& v) {
  if (v.outcome != Outcome::kValid) {
    state.SkipWithError(("not valid: " + VerdictLine(v, h)).c_str());
    return;
  }
  state.counters["ops"] = static_cast<double>(h.ops.size());
  state.counters["states"] =
      static_cast<double>(v.checks[0].details["states_explored"].get<int64_t>());
}

// The case: versions recorded, as ZooKeeper's Stat gives them; args: ops, info per mille.
void BM_ChaosCheck_Register(benchmark::State& state) {
  History h = Simulated(static_cast<int>(state.range(0)), state.range(1) / 1000.0, true);
  Verdict v;
  for (auto _ : state) {
    v = Judge(h, {});
    benchmark::DoNotOptimize(v);
  }
  Report(state, h, v);
}
BENCHMARK(BM_ChaosCheck_Register)
    ->Args({10'000, 10})
    ->Args({10'000, 50})
    ->Unit(benchmark::kMillisecond);

// The same from history.jsonl text, as `pseudo-cluster chaos check` does.
void BM_ChaosCheck_RegisterFromJsonl(benchmark::State& state) {
  std::string jsonl = HistoryToJsonl(Simulated(static_cast<int>(state.range(0)), 0.01, true));
  History h;
  Verdict v;
  for (auto _ : state) {
    std::string error;
    if (!ParseHistory(jsonl, &h, &error)) state.SkipWithError(error.c_str());
    v = Judge(h, {});
    benchmark::DoNotOptimize(v);
  }
  Report(state, h, v);
  state.counters["bytes"] = static_cast<double>(jsonl.size());
}
BENCHMARK(BM_ChaosCheck_RegisterFromJsonl)->Arg(10'000)->Unit(benchmark::kMillisecond);

// Without versions the search has only values to go by and info ops real freedom: the plain
// Wing & Gong / Lowe search, for comparison.
void BM_ChaosCheck_RegisterWithoutVersions(benchmark::State& state) {
  History h = Simulated(static_cast<int>(state.range(0)), state.range(1) / 1000.0, false);
  Verdict v;
  for (auto _ : state) {
    v = Judge(h, {});
    benchmark::DoNotOptimize(v);
  }
  Report(state, h, v);
}
BENCHMARK(BM_ChaosCheck_RegisterWithoutVersions)->Args({10'000, 10})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pc::chaos
