// The bench run (bench.h) inside: BenchRunner takes the engines under test through the steps
// the options ask for, one cluster per engine for the steady workloads. Private to bench.cc,
// bench_runner.cc (subjects, clusters, the steady steps' frame, scale) and bench_steps.cc
// (latency, throughput, failover and start-up steps); nothing else includes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/bench.h"
#include "loadgen/bench_cluster.h"
#include "loadgen/bench_result.h"
#include "loadgen/failover_workload.h"
#include "loadgen/progress.h"
#include "loadgen/startup_workload.h"

namespace pc::loadgen {

// The outcome of one step of the bench: fine, or why the run stops. Ctrl-C is not a failure at
// this level: a step that sees Interrupted() ends early and fine, and RunBench names it last.
struct StepResult {
  std::string failure;
  bool ok() const { return failure.empty(); }
};

inline StepResult Failed(std::string why) { return StepResult{std::move(why)}; }

// One engine under test: its result and the cluster the steady workloads run on.
struct Subject {
  EngineResult result;
  std::optional<BenchCluster> cluster;
  std::string root;  // znode the workloads write under
};

// Samples the RSS of the subject's members into its peaks; MemoryJson adds a snapshot of them.
void SampleMemory(Subject& s);
nlohmann::json MemoryJson(Subject& s, const std::string& when);

// Engine order for the n-th step: alternate who goes first, so drift hits both alike.
std::vector<size_t> Order(size_t engines, int step);

// One bench run: the engines under test and the steps over them, in the order they run. The
// steady workloads (latency, throughput, failover) share one cluster per engine, all of them up
// at once; start-up brings its own clusters up and down per round.
class BenchRunner {
 public:
  BenchRunner(const BenchOptions& o, std::string home);
  // Clusters the bench brought up go down on every way out, an exception included.
  ~BenchRunner();
  BenchRunner(const BenchRunner&) = delete;
  BenchRunner& operator=(const BenchRunner&) = delete;

  // The engines under test: the running cluster's, or the ones the bench brings up.
  StepResult ChooseSubjects();

  // "direct" or "proxied": the peer links of every cluster this run measures.
  const std::string& links() const { return links_; }

  StepResult Run();
  std::vector<EngineResult> Results();

 private:
  bool borrowed() const { return !o_.cluster.empty() || !o_.dir.empty(); }
  bool want(const char* workload) const { return o_.workload == "all" || o_.workload == workload; }
  // --compare: every step in two parts, A B then B A (see AddLatency).
  int parts() const { return subjects_.size() > 1 ? 2 : 1; }
  std::string target() const { return o_.target.empty() ? "all" : o_.target; }

  StepResult RunSteady();

  // `bench scale`: each engine's cluster in turn (scale_workload.h); with --sessions or
  // --watches, those parts instead of the znodes (swarm_workloads.h).
  StepResult Scale();
  StepResult SwarmScale(Subject& s);

  // Brings up the engine's cluster (unless borrowed), waits for it and makes the workloads'
  // root znode.
  StepResult Prepare(Subject& s);

  // The members the sessions connect to, right now.
  StepResult Targets(Subject& s, std::vector<Member>* out);

  // `count` parts, each over every engine in turn (Order()), until Ctrl-C or a failure.
  template <typename Part>
  StepResult Alternate(int count, Part part);
  StepResult Latency();
  StepResult LatencyPart(Subject& s, int part);

  // Write, then read, then mix; each in parts() parts.
  StepResult Throughput();
  StepResult ThroughputPart(Subject& s, const std::string& kind);
  FailoverOptions FailoverSettings() const;

  // Failover rounds, then each engine's summary (also after a failed round: the report shows
  // the rounds that ran).
  StepResult Failover();

  // Every engine's cluster needs a quorum left after a kill; the last one short is named.
  StepResult CheckFailoverVoters();
  StepResult OneFailoverRound(int r, const FailoverOptions& fo);

  // Done with the steady clusters: remove what we wrote, and bring our own down.
  void CleanUpSteady();

  // Start-up rounds, then each engine's summary.
  StepResult Startup();
  StepResult OneStartupRound(int r, StartupOptions so);

  const BenchOptions& o_;
  const std::string home_;
  Progress progress_;
  OwnClusterOptions own_;
  std::string links_;  // own clusters: as asked; a running one: as it runs
  std::vector<Subject> subjects_;
  int step_ = 0;  // latency and throughput parts so far, for Order()
};

}  // namespace pc::loadgen
