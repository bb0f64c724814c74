// `pseudo-cluster bench`: the options checked, the run's state directory, and the JSON document
// of the run (machine, settings, engines, comparison). The run itself is BenchRunner
// (bench_runner.h).
#include "loadgen/bench.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "loadgen/bench_machine.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_runner.h"
#include "loadgen/swarm_workloads.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace fs = std::filesystem;

namespace pc {

using namespace loadgen;

namespace {

nlohmann::json SettingsJson(const BenchOptions& o) {
  return {{"workload", o.workload},
          {"target", o.target.empty() ? "all (failover: followers)" : o.target},
          {"requests", o.requests},
          {"warmup_requests", o.warmup_requests},
          {"connections", o.connections},
          {"inflight", o.inflight},
          {"duration_s", o.duration_s},
          {"warmup_s", o.warmup_s},
          {"value_bytes", o.value_bytes},
          {"read_pct", o.read_pct},
          {"failover_rounds", o.rounds},
          {"failover_clients", o.failover_clients},
          {"startup_rounds", o.startup_rounds},
          {"session_timeout_ms", o.session_timeout_ms}};
}

// The JSON document of a run: machine (with the load average around it), settings, engines.
nlohmann::json RunDocument(const BenchOptions& o, const std::string& loadavg_start,
                           const std::string& links, const std::vector<EngineResult>& results,
                           const std::string& failure) {
  nlohmann::json doc = {
      {"machine", MachineJson()}, {"settings", SettingsJson(o)}, {"links", links}};
  // Other work on the machine shows in the figures: say how busy it was.
  doc["machine"]["loadavg_start"] = loadavg_start;
  doc["machine"]["loadavg_end"] = LoadAverage();
  for (const EngineResult& r : results) {
    doc["engines"][r.engine] = r.json;
  }
  if (o.compare) {
    doc["comparison"] = CompareJson(doc["engines"]["zkd"], doc["engines"]["apache"]);
  }
  if (!failure.empty()) {
    doc["error"] = failure;
  }
  return doc;
}

}  // namespace

std::string CheckBenchOptions(const BenchOptions& o) {
  const std::set<std::string> workloads = {"all",      "latency", "throughput",
                                           "failover", "startup", "scale"};
  if (!workloads.count(o.workload)) {
    return "unknown workload '" + o.workload +
           "': use latency, throughput, failover, startup, scale or all";
  }
  if (o.workload == "scale" && (!o.cluster.empty() || !o.dir.empty())) {
    return "bench scale restarts every member: it brings up its own clusters (leave out "
           "--cluster/--dir)";
  }
  if ((o.sessions > 0 || o.watches > 0) && o.workload != "scale") {
    return "--sessions and --watches are parts of `bench scale`: add the word scale";
  }
  if (o.compare && (!o.cluster.empty() || !o.dir.empty())) {
    return "--compare brings up its own zkd and apache clusters; leave out --cluster/--dir";
  }
  if (!o.target.empty() && o.target != "leader" && o.target != "followers" &&
      o.target != "observers" && o.target != "all") {
    return "--target '" + o.target + "': use leader, followers, observers or all";
  }
  if (!o.links.empty() && o.links != "direct" && o.links != "proxied") {
    return "--links '" + o.links + "': use direct or proxied";
  }
  if (!o.plot.empty() && fs::path(o.plot).extension() != ".png") {
    return "--plot '" + o.plot + "': give a FILE.png";
  }
  return {};
}

std::optional<BenchRun> RunBench(const BenchOptions& options, std::string* error) {
  CatchInterrupts();
  const std::string loadavg_start = LoadAverage();
  std::string tmp = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string home_template = tmp + "/pc-bench-XXXXXX";
  if (::mkdtemp(home_template.data()) == nullptr) {
    *error = "cannot create a directory under " + tmp + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (options.sessions > 0) {
    // Each session is a socket here and on a member; the supervisor and members the bench
    // starts inherit this limit (zkd also raises its own to the hard limit).
    RaiseOpenFileLimit(2 * options.sessions + 4096);
  }
  BenchRun run;
  run.home = home_template;
  RedirectClientLog(run.home + "/client.log");
  BenchRunner runner(options, run.home);
  if (StepResult r = runner.ChooseSubjects(); !r.ok()) {
    *error = r.failure;
    return std::nullopt;
  }
  run.failure = runner.Run().failure;
  run.results = runner.Results();
  run.doc = RunDocument(options, loadavg_start, runner.links(), run.results, run.failure);
  return run;
}

}  // namespace pc
