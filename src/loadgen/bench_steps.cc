// The bench's measuring steps over every engine under test, in alternating order: latency,
// throughput (write, read, mix), failover rounds and start-up rounds (bench_runner.h).
#include <algorithm>

#include "loadgen/bench_report.h"
#include "loadgen/bench_runner.h"
#include "loadgen/latency_workload.h"
#include "loadgen/throughput_workload.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

template <typename Part>
StepResult BenchRunner::Alternate(int count, Part part) {
  for (int n = 0; n < count; ++n) {
    for (size_t i : Order(subjects_.size(), step_++)) {
      if (Interrupted()) {
        break;
      }
      if (StepResult r = part(subjects_[i], n); !r.ok()) {
        return r;
      }
    }
  }
  return {};
}

StepResult BenchRunner::Latency() {
  return Alternate(parts(), [&](Subject& s, int part) { return LatencyPart(s, part); });
}

StepResult BenchRunner::LatencyPart(Subject& s, int part) {
  std::vector<Member> m;
  if (StepResult r = Targets(s, &m); !r.ok()) {
    return r;
  }
  progress_.Phase(s.result.engine + " latency, one request at a time" +
                  (parts() > 1 ? ", part " + std::to_string(part + 1) : ""));
  LatencyOptions lo;
  lo.requests = o_.requests / parts() + (part == 0 ? o_.requests % parts() : 0);
  lo.warmup = o_.warmup_requests;
  lo.value_bytes = o_.value_bytes;
  lo.session_timeout_ms = o_.session_timeout_ms;
  LatencyRun run = RunLatency(HostOf(m[0]), s.root, lo, progress_);
  if (!run.error.empty()) {
    return Failed(s.result.engine + " latency: " + run.error);
  }
  run.json["target"] = target();
  AddLatency(s.result, std::move(run));
  SampleMemory(s);
  return {};
}

StepResult BenchRunner::Throughput() {
  return Alternate(3 * parts(), [&](Subject& s, int n) {
    return ThroughputPart(s, n / parts() == 0 ? "write" : n / parts() == 1 ? "read" : "mix");
  });
}

StepResult BenchRunner::ThroughputPart(Subject& s, const std::string& kind) {
  std::vector<Member> m;
  if (StepResult r = Targets(s, &m); !r.ok()) {
    return r;
  }
  progress_.Phase(s.result.engine + " throughput " + kind + ", " + std::to_string(o_.connections) +
                  " sessions x " + std::to_string(o_.inflight) + " in flight");
  ThroughputOptions to;
  to.kind = kind;
  to.inflight = o_.inflight;
  to.duration_s = o_.duration_s / parts();
  to.warmup_s = o_.warmup_s;
  to.value_bytes = o_.value_bytes;
  to.read_pct = o_.read_pct;
  to.session_timeout_ms = o_.session_timeout_ms;
  std::vector<std::string> hosts;
  hosts.reserve(static_cast<size_t>(o_.connections));
  for (int c = 0; c < o_.connections; ++c) {
    hosts.push_back(HostOf(m[static_cast<size_t>(c) % m.size()]));
  }
  ThroughputRun run = RunThroughput(hosts, s.root, to, progress_, [&] { SampleMemory(s); });
  if (!run.error.empty()) {
    return Failed(s.result.engine + " throughput: " + run.error);
  }
  run.json["target"] = target();
  AddThroughput(s.result, kind, std::move(run));
  SampleMemory(s);
  return {};
}

FailoverOptions BenchRunner::FailoverSettings() const {
  FailoverOptions fo;
  fo.clients = o_.failover_clients;
  fo.target = o_.target.empty() ? "followers" : o_.target;
  fo.value_bytes = o_.value_bytes;
  fo.session_timeout_ms = o_.session_timeout_ms;
  return fo;
}

StepResult BenchRunner::Failover() {
  const FailoverOptions fo = FailoverSettings();
  StepResult result = CheckFailoverVoters();
  for (int r = 1; r <= o_.rounds && result.ok() && !Interrupted(); ++r) {
    result = OneFailoverRound(r, fo);
  }
  for (Subject& s : subjects_) {
    if (!s.result.failover_rounds.empty()) {
      s.result.json["failover"] = SummarizeFailover(s.result.failover_rounds);
      s.result.json["failover"]["clients"] = fo.clients;
      s.result.json["failover"]["target"] = fo.target;
    }
    if (!s.result.json.contains("memory")) {
      s.result.json["memory"] = MemoryJson(s, "after the failover rounds");
    }
  }
  return result;
}

StepResult BenchRunner::CheckFailoverVoters() {
  StepResult result;
  for (Subject& s : subjects_) {
    std::string error;
    auto view = s.cluster->Status(&error);
    if (!view) {
      result = Failed(error);
    } else if (view->voters < 3) {
      result = Failed(s.result.engine + ": failover needs at least 3 voters (this cluster has " +
                      std::to_string(view->voters) + ")");
    }
  }
  return result;
}

StepResult BenchRunner::OneFailoverRound(int r, const FailoverOptions& fo) {
  for (size_t i : Order(subjects_.size(), r - 1)) {
    Subject& s = subjects_[i];
    progress_.Phase(s.result.engine + " failover round " + std::to_string(r) + "/" +
                    std::to_string(o_.rounds));
    FailoverRound round = RunFailoverRound(*s.cluster, s.root, r, fo, progress_);
    if (!round.error.empty()) {
      return Failed(s.result.engine + " failover round " + std::to_string(r) + ": " + round.error);
    }
    s.result.failover_rounds.push_back(round.json);
    s.result.failover_points.insert(s.result.failover_points.end(), round.points.begin(),
                                    round.points.end());
  }
  return {};
}

StepResult BenchRunner::Startup() {
  StartupOptions so;
  so.cluster = own_;
  so.session_timeout_ms = o_.session_timeout_ms;
  StepResult result;
  for (int r = 1; r <= o_.startup_rounds && result.ok() && !Interrupted(); ++r) {
    result = OneStartupRound(r, so);
  }
  for (Subject& s : subjects_) {
    if (!s.result.startup_rounds.empty()) {
      s.result.json["startup"] = SummarizeStartup(s.result.startup_rounds);
    }
    if (!s.result.json.contains("cluster")) {
      // `bench startup` alone: no steady cluster was measured; say how the rounds' clusters
      // were laid out (forceSync is not set in their zoo.cfg: both engines' default, yes).
      s.result.json["cluster"] = {
          {"engine", s.result.engine},
          {"voters", own_.voters},
          {"observers", own_.observers},
          {"tick_time_ms", own_.tick_time_ms},
          {"apache_jvm", own_.apache_jvm},
          {"force_sync", "yes"},
          {"max_client_cnxns", own_.max_client_cnxns},
          {"links", own_.links},
          {"dir", home_ + "/startup-" + s.result.engine + " (a fresh cluster per round)"},
          {"own", true}};
    }
  }
  return result;
}

StepResult BenchRunner::OneStartupRound(int r, StartupOptions so) {
  for (size_t i : Order(subjects_.size(), r - 1)) {
    Subject& s = subjects_[i];
    progress_.Phase(s.result.engine + " start-up round " + std::to_string(r) + "/" +
                    std::to_string(o_.startup_rounds));
    so.cluster.engine = s.result.engine;
    StartupRound round = RunStartupRound(home_, "startup-" + s.result.engine, r, so, progress_);
    if (!round.error.empty()) {
      return Failed(round.error);
    }
    s.result.startup_rounds.push_back(round.json);
  }
  return {};
}

}  // namespace pc::loadgen
