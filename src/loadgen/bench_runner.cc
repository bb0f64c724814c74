// BenchRunner's frame: the engines under test, their clusters brought up and taken down, the
// steady steps in order, `bench scale`, and the memory and machine facts the report carries.
#include "loadgen/bench_runner.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "loadgen/bench_machine.h"
#include "loadgen/bench_report.h"
#include "loadgen/scale_workload.h"
#include "loadgen/snapshot_latency.h"
#include "loadgen/swarm_workloads.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_ref.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

void SampleMemory(Subject& s) {
  std::string ignored;
  if (auto view = s.cluster->Status(&ignored)) {
    for (const Member& m : view->members) {
      if (m.pid > 0) {
        int64_t& peak = s.result.rss_peak_kb[m.id];
        peak = std::max(peak, ReadRssKb(m.pid));
      }
    }
  }
}

nlohmann::json MemoryJson(Subject& s, const std::string& when) {
  SampleMemory(s);
  nlohmann::json nodes = nlohmann::json::array();
  int64_t sum = 0, max = 0, peak_max = 0;
  int count = 0;
  std::string ignored;
  if (auto view = s.cluster->Status(&ignored)) {
    for (const Member& m : view->members) {
      const int64_t rss = m.pid > 0 ? ReadRssKb(m.pid) : -1;
      if (rss < 0) {
        continue;
      }
      const int64_t peak = std::max(rss, s.result.rss_peak_kb[m.id]);
      nodes.push_back(
          {{"id", m.id}, {"role", m.role}, {"pid", m.pid}, {"rss_kb", rss}, {"rss_peak_kb", peak}});
      sum += rss;
      max = std::max(max, rss);
      peak_max = std::max(peak_max, peak);
      ++count;
    }
  }
  return {{"when", when},
          {"nodes", nodes},
          {"rss_kb_mean", count ? static_cast<double>(sum) / count : 0.0},
          {"rss_kb_max", max},
          {"rss_peak_kb_max", peak_max}};
}

// Engine order for the n-th step: alternate who goes first, so drift hits both alike.
std::vector<size_t> Order(size_t engines, int step) {
  std::vector<size_t> order;
  for (size_t i = 0; i < engines; ++i) {
    order.push_back(i);
  }
  if (step % 2) {
    std::reverse(order.begin(), order.end());
  }
  return order;
}

BenchRunner::BenchRunner(const BenchOptions& o, std::string home) : o_(o), home_(std::move(home)) {
  own_.voters = o.voters;
  own_.observers = o.observers;
  own_.tick_time_ms = o.tick_time_ms;
  own_.apache_jvm = o.apache_jvm;
  own_.links = o.links.empty() ? "direct" : o.links;
  // Room for every session of the run on one member (they may all target the leader), plus
  // the bench's own housekeeping sessions; never below ZooKeeper's default.
  own_.max_client_cnxns =
      std::max({60, o.connections + 16, o.sessions + 16, SwarmOptions().watch_sessions + 16});
  links_ = own_.links;
}

BenchRunner::~BenchRunner() {
  for (Subject& s : subjects_) {
    if (s.cluster) {
      s.cluster->BringDown();
    }
  }
}

StepResult BenchRunner::ChooseSubjects() {
  if (!borrowed()) {
    for (const std::string& engine : o_.compare ? std::vector<std::string>{"zkd", "apache"}
                                                : std::vector<std::string>{o_.engine}) {
      Subject s;
      s.result.engine = engine;
      subjects_.push_back(std::move(s));
    }
    return {};
  }
  Subject s;
  s.cluster.emplace(ResolveClusterDir(ClusterRef{o_.cluster, o_.dir}));
  std::string error;
  auto view = s.cluster->Status(&error);
  if (!view) {
    return Failed(error);
  }
  if (!o_.links.empty() && o_.links != view->links) {
    return Failed("--links " + o_.links + ": the cluster in " + s.cluster->dir() + " runs with " +
                  view->links + " links (leave out --links to measure it as it is)");
  }
  s.result.engine = view->engine;
  links_ = view->links;
  subjects_.push_back(std::move(s));
  return {};
}

StepResult BenchRunner::Run() {
  StepResult result = RunSteady();
  CleanUpSteady();
  if (result.ok() && want("startup")) {
    result = Startup();
  }
  progress_.Clear();
  if (Interrupted() && result.ok()) {
    result = Failed("interrupted");
  }
  return result;
}

std::vector<EngineResult> BenchRunner::Results() {
  std::vector<EngineResult> results;
  for (Subject& s : subjects_) {
    s.result.json["engine"] = s.result.engine;
    results.push_back(s.result);
  }
  return results;
}

StepResult BenchRunner::RunSteady() {
  if (o_.workload == "scale") {  // not part of "all": it takes minutes at its default size
    return Scale();
  }
  if (!want("latency") && !want("throughput") && !want("failover")) {
    return {};
  }
  for (Subject& s : subjects_) {
    if (StepResult r = Prepare(s); !r.ok()) {
      return r;
    }
  }
  if (want("latency")) {
    if (StepResult r = Latency(); !r.ok()) {
      return r;
    }
  }
  if (want("throughput")) {
    if (StepResult r = Throughput(); !r.ok()) {
      return r;
    }
  }
  if (want("latency") || want("throughput")) {
    for (Subject& s : subjects_) {
      s.result.json["memory"] = MemoryJson(s, "after the latency and throughput runs");
    }
  }
  return want("failover") ? Failover() : StepResult{};
}

StepResult BenchRunner::Prepare(Subject& s) {
  std::string error;
  if (!s.cluster) {
    progress_.Phase("bringing up " + std::to_string(o_.voters) + " " + s.result.engine +
                    " servers");
    own_.engine = s.result.engine;
    s.cluster = BenchCluster::BringUp(home_, s.result.engine, own_, &error);
    if (!s.cluster) {
      return Failed(error);
    }
  }
  if (!s.cluster->WaitReady(120, &error)) {
    return Failed(error);
  }
  auto view = s.cluster->Status(&error);
  if (!view) {
    return Failed(error);
  }
  if (view->links != links_) {  // `up --faults` did not take, or the cluster changed
    return Failed(s.result.engine + ": asked for " + links_ + " links, the cluster has " +
                  view->links + " ones");
  }
  s.root = "/pc-bench-" + std::to_string(::getpid());
  auto client = ZkClient::Connect(HostList(view->members), o_.session_timeout_ms, 30000, &error);
  if (!client || !client->Ensure(s.root, "")) {
    return Failed(s.result.engine + ": cannot create " + s.root + ": " + error);
  }
  s.result.json["cluster"] = {{"engine", s.result.engine},
                              {"voters", view->voters},
                              {"observers", view->observers},
                              {"tick_time_ms", view->tick_time_ms},
                              {"apache_jvm", borrowed() ? "as running" : o_.apache_jvm},
                              {"force_sync", s.cluster->ForceSync()},
                              {"max_client_cnxns", borrowed() ? -1 : own_.max_client_cnxns},
                              {"links", view->links},
                              {"dir", s.cluster->dir()},
                              {"filesystem", FileSystemOf(s.cluster->dir())},
                              {"own", !borrowed()}};
  if (FileSystemOf(s.cluster->dir()) == "tmpfs") {
    std::fprintf(stderr, "note: %s is on tmpfs: fsync costs nothing there\n",
                 s.cluster->dir().c_str());
  }
  SampleMemory(s);
  return {};
}

StepResult BenchRunner::Targets(Subject& s, std::vector<Member>* out) {
  std::string error;
  auto view = s.cluster->Status(&error);
  if (!view) {
    return Failed(error);
  }
  *out = SelectTargets(*view, target());
  if (out->empty()) {
    return Failed(s.result.engine + ": no member is " + target() + " right now");
  }
  return {};
}

void BenchRunner::CleanUpSteady() {
  for (Subject& s : subjects_) {
    if (!s.cluster) {
      continue;
    }
    progress_.Phase("cleaning up " + s.result.engine);
    std::string error;
    // Our own clusters go with everything in them; only a borrowed one is cleaned.
    if (auto view = s.cluster->Status(&error); view && !s.root.empty() && borrowed()) {
      if (auto client =
              ZkClient::Connect(HostList(view->members), o_.session_timeout_ms, 10000, &error)) {
        client->RemoveTree(s.root);
      }
    }
    s.cluster->BringDown();
  }
}

StepResult BenchRunner::Scale() {
  for (Subject& s : subjects_) {
    if (StepResult r = Prepare(s); !r.ok()) {
      return r;
    }
    if (o_.sessions > 0 || o_.watches > 0) {
      if (StepResult r = SwarmScale(s); !r.ok()) {
        return r;
      }
      continue;
    }
    progress_.Phase(s.result.engine + " scale: " + std::to_string(o_.znodes) + " znodes");
    ScaleOptions so;
    so.znodes = o_.znodes;
    so.value_bytes = o_.value_bytes;
    so.session_timeout_ms = o_.session_timeout_ms;
    s.result.json["scale"] = RunZnodeScale(*s.cluster, s.root, so, progress_);
    if (s.result.engine == "apache") {  // the heap bounds how many znodes Apache can hold
      s.result.json["scale"]["apache_max_heap_mb"] = JvmMaxHeapMb(o_.apache_jvm);
    }
    if (s.result.json["scale"].contains("error")) {
      return Failed(s.result.engine + " scale: " + s.result.json["scale"].value("error", ""));
    }
    if (o_.snapshot_latency) {
      std::string error;
      if (!s.cluster->WaitReady(600, &error)) {
        return Failed(s.result.engine + ": " + error);
      }
      progress_.Phase(s.result.engine + " scale: set latency during snapshots");
      SnapshotLatencyOptions lo;
      lo.engine = s.result.engine;
      lo.path = s.root + "/p-00000/z-000000000";  // the first znode RunZnodeScale made
      lo.value_bytes = o_.value_bytes;
      s.result.json["scale_snapshot_latency"] = RunSnapshotLatency(*s.cluster, lo, progress_);
    }
  }
  return {};
}

StepResult BenchRunner::SwarmScale(Subject& s) {
  SwarmOptions so;
  so.sessions = o_.sessions;
  so.watches = o_.watches;
  for (const char* part : {"sessions", "watches"}) {
    const bool sessions = part == std::string("sessions");
    if (sessions ? o_.sessions == 0 : o_.watches == 0) {
      continue;
    }
    progress_.Phase(s.result.engine +
                    " scale: " + std::to_string(sessions ? o_.sessions : o_.watches) + " " + part);
    nlohmann::json& out = s.result.json[std::string("scale_") + part];
    out = sessions ? RunSessionScale(*s.cluster, so, progress_)
                   : RunWatchScale(*s.cluster, s.root, so, progress_);
    if (out.contains("error")) {
      return Failed(s.result.engine + " scale " + part + ": " + out.value("error", ""));
    }
    std::string error;
    if (!s.cluster->WaitReady(120, &error)) {  // after the leader kill, whole again
      return Failed(s.result.engine + ": " + error);
    }
  }
  return {};
}

}  // namespace pc::loadgen
