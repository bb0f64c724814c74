#include "loadgen/bench.h"

#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "loadgen/bench_cluster.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_result.h"
#include "loadgen/failover_workload.h"
#include "loadgen/latency_workload.h"
#include "loadgen/progress.h"
#include "loadgen/scale_workload.h"
#include "loadgen/snapshot_latency.h"
#include "loadgen/swarm_workloads.h"
#include "loadgen/startup_workload.h"
#include "loadgen/throughput_workload.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_ref.h"
#include "supervisor/interrupt.h"

namespace fs = std::filesystem;

namespace pc {

using namespace loadgen;

namespace {

// The outcome of one step of the bench: fine, or why the run stops. Ctrl-C is not a failure at
// this level: a step that sees Interrupted() ends early and fine, and RunBench names it last.
struct StepResult {
  std::string failure;
  bool ok() const { return failure.empty(); }
};

StepResult Failed(std::string why) { return StepResult{std::move(why)}; }

// One engine under test: its result and the cluster the steady workloads run on.
struct Subject {
  EngineResult result;
  std::optional<BenchCluster> cluster;
  std::string root;  // znode the workloads write under
};

// "1.02 0.87 0.55": the 1, 5 and 15 minute load averages.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string FileSystemOf(const std::string& path) {
  struct statfs s {};
  if (::statfs(path.c_str(), &s) != 0) {
    return "?";
  }
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    default:
      return "other";
  }
}

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

// The JVM's maximum heap with the flags `--apache-jvm` gives Apache (stock: none, so Java's
// default of a quarter of the RAM; tuned: -Xmx256m), as `java -XX:+PrintFlagsFinal` reports it.
int64_t JvmMaxHeapMb(const std::string& apache_jvm) {
  const std::string cmd = std::string("java ") + (apache_jvm == "tuned" ? "-Xmx256m " : "") +
                          "-XX:+PrintFlagsFinal -version 2>/dev/null";
  int64_t bytes = -1;
  if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, p) != nullptr) {
      long long v = 0;
      if (std::strstr(line, " MaxHeapSize ") != nullptr &&
          std::sscanf(std::strchr(line, '=') + 1, "%lld", &v) == 1) {
        bytes = v;
      }
    }
    ::pclose(p);
  }
  return bytes < 0 ? -1 : bytes / 1048576;
}

// One bench run: the engines under test and the steps over them, in the order they run. The
// steady workloads (latency, throughput, failover) share one cluster per engine, all of them up
// at once; start-up brings its own clusters up and down per round.
class BenchRunner {
 public:
  BenchRunner(const BenchOptions& o, std::string home) : o_(o), home_(std::move(home)) {
    own_.voters = o.voters;
    own_.observers = o.observers;
    own_.tick_time_ms = o.tick_time_ms;
    own_.apache_jvm = o.apache_jvm;
    own_.links = o.links.empty() ? "direct" : o.links;
    // Room for every session of the run on one member (they may all target the leader), plus
    // the bench's own housekeeping sessions; never below ZooKeeper's default.
    own_.max_client_cnxns = std::max({60, o.connections + 16, o.sessions + 16,
                                      SwarmOptions().watch_sessions + 16});
    links_ = own_.links;
  }
  // Clusters the bench brought up go down on every way out, an exception included.
  ~BenchRunner() {
    for (Subject& s : subjects_) {
      if (s.cluster) {
        s.cluster->BringDown();
      }
    }
  }
  BenchRunner(const BenchRunner&) = delete;
  BenchRunner& operator=(const BenchRunner&) = delete;

  // The engines under test: the running cluster's, or the ones the bench brings up.
  StepResult ChooseSubjects() {
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

  // "direct" or "proxied": the peer links of every cluster this run measures.
  const std::string& links() const { return links_; }

  StepResult Run() {
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

  std::vector<EngineResult> Results() {
    std::vector<EngineResult> results;
    for (Subject& s : subjects_) {
      s.result.json["engine"] = s.result.engine;
      results.push_back(s.result);
    }
    return results;
  }

 private:
  bool borrowed() const { return !o_.cluster.empty() || !o_.dir.empty(); }
  bool want(const char* workload) const { return o_.workload == "all" || o_.workload == workload; }
  // --compare: every step in two parts, A B then B A (see AddLatency).
  int parts() const { return subjects_.size() > 1 ? 2 : 1; }
  std::string target() const { return o_.target.empty() ? "all" : o_.target; }

  StepResult RunSteady() {
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

  // `bench scale`: each engine's cluster in turn (scale_workload.h); with --sessions or
  // --watches, those parts instead of the znodes (swarm_workloads.h).
  StepResult Scale() {
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

  StepResult SwarmScale(Subject& s) {
    SwarmOptions so;
    so.sessions = o_.sessions;
    so.watches = o_.watches;
    for (const char* part : {"sessions", "watches"}) {
      const bool sessions = part == std::string("sessions");
      if (sessions ? o_.sessions == 0 : o_.watches == 0) {
        continue;
      }
      progress_.Phase(s.result.engine + " scale: " +
                      std::to_string(sessions ? o_.sessions : o_.watches) + " " + part);
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

  // Brings up the engine's cluster (unless borrowed), waits for it and makes the workloads'
  // root znode.
  StepResult Prepare(Subject& s) {
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

  // The members the sessions connect to, right now.
  StepResult Targets(Subject& s, std::vector<Member>* out) {
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

  // `count` parts, each over every engine in turn (Order()), until Ctrl-C or a failure.
  template <typename Part>
  StepResult Alternate(int count, Part part) {
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

  StepResult Latency() {
    return Alternate(parts(), [&](Subject& s, int part) { return LatencyPart(s, part); });
  }

  StepResult LatencyPart(Subject& s, int part) {
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

  // Write, then read, then mix; each in parts() parts.
  StepResult Throughput() {
    return Alternate(3 * parts(), [&](Subject& s, int n) {
      return ThroughputPart(s, n / parts() == 0 ? "write" : n / parts() == 1 ? "read" : "mix");
    });
  }

  StepResult ThroughputPart(Subject& s, const std::string& kind) {
    std::vector<Member> m;
    if (StepResult r = Targets(s, &m); !r.ok()) {
      return r;
    }
    progress_.Phase(s.result.engine + " throughput " + kind + ", " +
                    std::to_string(o_.connections) + " sessions x " + std::to_string(o_.inflight) +
                    " in flight");
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

  FailoverOptions FailoverSettings() const {
    FailoverOptions fo;
    fo.clients = o_.failover_clients;
    fo.target = o_.target.empty() ? "followers" : o_.target;
    fo.value_bytes = o_.value_bytes;
    fo.session_timeout_ms = o_.session_timeout_ms;
    return fo;
  }

  // Failover rounds, then each engine's summary (also after a failed round: the report shows
  // the rounds that ran).
  StepResult Failover() {
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

  // Every engine's cluster needs a quorum left after a kill; the last one short is named.
  StepResult CheckFailoverVoters() {
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

  StepResult OneFailoverRound(int r, const FailoverOptions& fo) {
    for (size_t i : Order(subjects_.size(), r - 1)) {
      Subject& s = subjects_[i];
      progress_.Phase(s.result.engine + " failover round " + std::to_string(r) + "/" +
                      std::to_string(o_.rounds));
      FailoverRound round = RunFailoverRound(*s.cluster, s.root, r, fo, progress_);
      if (!round.error.empty()) {
        return Failed(s.result.engine + " failover round " + std::to_string(r) + ": " +
                      round.error);
      }
      s.result.failover_rounds.push_back(round.json);
      s.result.failover_points.insert(s.result.failover_points.end(), round.points.begin(),
                                      round.points.end());
    }
    return {};
  }

  // Done with the steady clusters: remove what we wrote, and bring our own down.
  void CleanUpSteady() {
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

  // Start-up rounds, then each engine's summary.
  StepResult Startup() {
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
        s.result.json["cluster"] = {{"engine", s.result.engine},
                                    {"voters", own_.voters},
                                    {"observers", own_.observers},
                                    {"tick_time_ms", own_.tick_time_ms},
                                    {"apache_jvm", own_.apache_jvm},
                                    {"force_sync", "yes"},
                                    {"max_client_cnxns", own_.max_client_cnxns},
                                    {"links", own_.links},
                                    {"dir", home_ + "/startup-" + s.result.engine +
                                                " (a fresh cluster per round)"},
                                    {"own", true}};
      }
    }
    return result;
  }

  StepResult OneStartupRound(int r, StartupOptions so) {
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

  const BenchOptions& o_;
  const std::string home_;
  Progress progress_;
  OwnClusterOptions own_;
  std::string links_;  // own clusters: as asked; a running one: as it runs
  std::vector<Subject> subjects_;
  int step_ = 0;  // latency and throughput parts so far, for Order()
};

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
