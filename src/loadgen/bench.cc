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
#include "loadgen/bench_plot.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_result.h"
#include "loadgen/failover_workload.h"
#include "loadgen/latency_workload.h"
#include "loadgen/progress.h"
#include "loadgen/startup_workload.h"
#include "loadgen/throughput_workload.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_ref.h"
#include "supervisor/interrupt.h"

namespace fs = std::filesystem;

namespace pc {

using namespace loadgen;

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "pseudo-cluster bench: %s\n", message.c_str());
  return 1;
}

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

std::string CheckOptions(const BenchOptions& o) {
  const std::set<std::string> workloads = {"all", "latency", "throughput", "failover", "startup"};
  if (!workloads.count(o.workload)) {
    return "unknown workload '" + o.workload +
           "': use latency, throughput, failover, startup or all";
  }
  if (o.compare && (!o.cluster.empty() || !o.dir.empty())) {
    return "--compare brings up its own zkd and apache clusters; leave out --cluster/--dir";
  }
  if (!o.target.empty() && o.target != "leader" && o.target != "followers" &&
      o.target != "observers" && o.target != "all") {
    return "--target '" + o.target + "': use leader, followers, observers or all";
  }
  if (!o.plot.empty() && fs::path(o.plot).extension() != ".png") {
    return "--plot '" + o.plot + "': give a FILE.png";
  }
  return {};
}

}  // namespace

int CmdBench(const BenchOptions& o) {
  if (std::string error = CheckOptions(o); !error.empty()) {
    return Fail(error);
  }
  auto want = [&](const char* w) { return o.workload == "all" || o.workload == w; };
  const bool steady = want("latency") || want("throughput") || want("failover");
  const bool borrowed = !o.cluster.empty() || !o.dir.empty();
  CatchInterrupts();
  Progress progress;
  const std::string loadavg_start = LoadAverage();

  std::string tmp = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string home_template = tmp + "/pc-bench-XXXXXX";
  if (::mkdtemp(home_template.data()) == nullptr) {
    return Fail("cannot create a directory under " + tmp + ": " + std::strerror(errno));
  }
  const std::string home = home_template;
  RedirectClientLog(home + "/client.log");

  std::vector<Subject> subjects;
  std::string failure;
  if (borrowed) {
    Subject s;
    s.cluster.emplace(ResolveClusterDir(ClusterRef{o.cluster, o.dir}));
    std::string error;
    auto view = s.cluster->Status(&error);
    if (!view) {
      return Fail(error);
    }
    s.result.engine = view->engine;
    subjects.push_back(std::move(s));
  } else {
    for (const std::string& engine : o.compare ? std::vector<std::string>{"zkd", "apache"}
                                               : std::vector<std::string>{o.engine}) {
      Subject s;
      s.result.engine = engine;
      subjects.push_back(std::move(s));
    }
  }

  // Clusters the bench brought up go down on every way out, an exception included.
  struct DownOnExit {
    std::vector<Subject>* subjects;
    ~DownOnExit() {
      for (Subject& s : *subjects) {
        if (s.cluster) {
          s.cluster->BringDown();
        }
      }
    }
  } down_on_exit{&subjects};

  // Steady-state workloads share one cluster per engine, all of them up at once.
  OwnClusterOptions own;
  own.voters = o.voters;
  own.observers = o.observers;
  own.tick_time_ms = o.tick_time_ms;
  own.apache_jvm = o.apache_jvm;
  if (steady) {
    for (Subject& s : subjects) {
      if (!s.cluster) {
        progress.Phase("bringing up " + std::to_string(o.voters) + " " + s.result.engine +
                       " servers");
        own.engine = s.result.engine;
        s.cluster = BenchCluster::BringUp(home, s.result.engine, own, &failure);
        if (!s.cluster) {
          break;
        }
      }
      if (!s.cluster->WaitReady(120, &failure)) {
        break;
      }
      std::string error;
      auto view = s.cluster->Status(&error);
      if (!view) {
        failure = error;
        break;
      }
      s.root = "/pc-bench-" + std::to_string(::getpid());
      auto client = ZkClient::Connect(HostList(view->members), o.session_timeout_ms, 30000, &error);
      if (!client || !client->Ensure(s.root, "")) {
        failure = s.result.engine + ": cannot create " + s.root + ": " + error;
        break;
      }
      s.result.json["cluster"] = {{"engine", s.result.engine},
                                  {"voters", view->voters},
                                  {"observers", view->observers},
                                  {"tick_time_ms", view->tick_time_ms},
                                  {"apache_jvm", borrowed ? "as running" : o.apache_jvm},
                                  {"force_sync", s.cluster->ForceSync()},
                                  {"dir", s.cluster->dir()},
                                  {"filesystem", FileSystemOf(s.cluster->dir())},
                                  {"own", !borrowed}};
      if (FileSystemOf(s.cluster->dir()) == "tmpfs") {
        std::fprintf(stderr, "note: %s is on tmpfs: fsync costs nothing there\n",
                     s.cluster->dir().c_str());
      }
      SampleMemory(s);
    }
  }
  const std::string target = o.target.empty() ? "all" : o.target;
  auto members = [&](Subject& s, const std::string& t, std::vector<Member>* out) {
    auto view = s.cluster->Status(&failure);
    if (!view) {
      return false;
    }
    *out = SelectTargets(*view, t);
    if (out->empty()) {
      failure = s.result.engine + ": no member is " + t + " right now";
      return false;
    }
    return true;
  };
  int step = 0;
  // --compare: every step in two parts, A B then B A (see AddLatency).
  const int parts = subjects.size() > 1 ? 2 : 1;
  if (failure.empty() && want("latency")) {
    for (int part = 0; part < parts; ++part) {
      for (size_t i : Order(subjects.size(), step++)) {
        Subject& s = subjects[i];
        std::vector<Member> m;
        if (!failure.empty() || Interrupted() || !members(s, target, &m)) {
          break;
        }
        progress.Phase(s.result.engine + " latency, one request at a time" +
                       (parts > 1 ? ", part " + std::to_string(part + 1) : ""));
        LatencyOptions lo;
        lo.requests = o.requests / parts + (part == 0 ? o.requests % parts : 0);
        lo.warmup = o.warmup_requests;
        lo.value_bytes = o.value_bytes;
        lo.session_timeout_ms = o.session_timeout_ms;
        LatencyRun run = RunLatency(HostOf(m[0]), s.root, lo, progress);
        if (!run.error.empty()) {
          failure = s.result.engine + " latency: " + run.error;
          break;
        }
        run.json["target"] = target;
        AddLatency(s.result, std::move(run));
        SampleMemory(s);
      }
    }
  }
  if (want("throughput")) {
    for (int n = 0; n < 3 * parts; ++n) {
      const std::string kind = n / parts == 0 ? "write" : n / parts == 1 ? "read" : "mix";
      for (size_t i : Order(subjects.size(), step++)) {
        Subject& s = subjects[i];
        std::vector<Member> m;
        if (!failure.empty() || Interrupted() || !members(s, target, &m)) {
          break;
        }
        progress.Phase(s.result.engine + " throughput " + kind + ", " +
                       std::to_string(o.connections) + " sessions x " + std::to_string(o.inflight) +
                       " in flight");
        ThroughputOptions to;
        to.kind = kind;
        to.inflight = o.inflight;
        to.duration_s = o.duration_s / parts;
        to.warmup_s = o.warmup_s;
        to.value_bytes = o.value_bytes;
        to.read_pct = o.read_pct;
        to.session_timeout_ms = o.session_timeout_ms;
        std::vector<std::string> hosts;
        for (int c = 0; c < o.connections; ++c) {
          hosts.push_back(HostOf(m[static_cast<size_t>(c) % m.size()]));
        }
        ThroughputRun run = RunThroughput(hosts, s.root, to, progress, [&] { SampleMemory(s); });
        if (!run.error.empty()) {
          failure = s.result.engine + " throughput: " + run.error;
          break;
        }
        run.json["target"] = target;
        AddThroughput(s.result, kind, std::move(run));
        SampleMemory(s);
      }
    }
  }
  if (failure.empty() && (want("latency") || want("throughput"))) {
    for (Subject& s : subjects) {
      s.result.json["memory"] = MemoryJson(s, "after the latency and throughput runs");
    }
  }
  if (failure.empty() && want("failover")) {
    FailoverOptions fo;
    fo.clients = o.failover_clients;
    fo.target = o.target.empty() ? "followers" : o.target;
    fo.value_bytes = o.value_bytes;
    fo.session_timeout_ms = o.session_timeout_ms;
    for (Subject& s : subjects) {
      auto view = s.cluster->Status(&failure);
      if (view && view->voters < 3) {
        failure = s.result.engine + ": failover needs at least 3 voters (this cluster has " +
                  std::to_string(view->voters) + ")";
      }
    }
    for (int r = 1; r <= o.rounds && failure.empty() && !Interrupted(); ++r) {
      for (size_t i : Order(subjects.size(), r - 1)) {
        Subject& s = subjects[i];
        progress.Phase(s.result.engine + " failover round " + std::to_string(r) + "/" +
                       std::to_string(o.rounds));
        FailoverRound round = RunFailoverRound(*s.cluster, s.root, r, fo, progress);
        if (!round.error.empty()) {
          failure = s.result.engine + " failover round " + std::to_string(r) + ": " + round.error;
          break;
        }
        s.result.failover_rounds.push_back(round.json);
        s.result.failover_points.insert(s.result.failover_points.end(), round.points.begin(),
                                        round.points.end());
      }
    }
    for (Subject& s : subjects) {
      if (!s.result.failover_rounds.empty()) {
        s.result.json["failover"] = SummarizeFailover(s.result.failover_rounds);
        s.result.json["failover"]["clients"] = fo.clients;
        s.result.json["failover"]["target"] = fo.target;
      }
      if (!s.result.json.contains("memory")) {
        s.result.json["memory"] = MemoryJson(s, "after the failover rounds");
      }
    }
  }
  // Done with the steady clusters: remove what we wrote, and bring our own down.
  for (Subject& s : subjects) {
    if (!s.cluster) {
      continue;
    }
    progress.Phase("cleaning up " + s.result.engine);
    std::string error;
    if (auto view = s.cluster->Status(&error); view && !s.root.empty()) {
      if (auto client =
              ZkClient::Connect(HostList(view->members), o.session_timeout_ms, 10000, &error)) {
        client->RemoveTree(s.root);
      }
    }
    s.cluster->BringDown();
  }
  if (failure.empty() && want("startup")) {
    StartupOptions so;
    so.cluster = own;
    so.session_timeout_ms = o.session_timeout_ms;
    const int rounds = o.startup_rounds;
    for (int r = 1; r <= rounds && failure.empty() && !Interrupted(); ++r) {
      for (size_t i : Order(subjects.size(), r - 1)) {
        Subject& s = subjects[i];
        progress.Phase(s.result.engine + " start-up round " + std::to_string(r) + "/" +
                       std::to_string(rounds));
        so.cluster.engine = s.result.engine;
        StartupRound round = RunStartupRound(home, "startup-" + s.result.engine, r, so, progress);
        if (!round.error.empty()) {
          failure = round.error;
          break;
        }
        s.result.startup_rounds.push_back(round.json);
      }
    }
    for (Subject& s : subjects) {
      if (!s.result.startup_rounds.empty()) {
        s.result.json["startup"] = SummarizeStartup(s.result.startup_rounds);
      }
    }
  }
  progress.Clear();
  if (Interrupted() && failure.empty()) {
    failure = "interrupted";
  }

  nlohmann::json doc = {{"machine", MachineJson()}, {"settings", SettingsJson(o)}};
  // Other work on the machine shows in the figures: say how busy it was.
  doc["machine"]["loadavg_start"] = loadavg_start;
  doc["machine"]["loadavg_end"] = LoadAverage();
  std::vector<EngineResult> results;
  for (Subject& s : subjects) {
    s.result.json["engine"] = s.result.engine;
    doc["engines"][s.result.engine] = s.result.json;
    results.push_back(s.result);
  }
  nlohmann::json comparison;
  if (o.compare) {
    comparison = CompareJson(doc["engines"]["zkd"], doc["engines"]["apache"]);
    doc["comparison"] = comparison;
  }
  if (!failure.empty()) {
    doc["error"] = failure;
  }
  if (!o.json_file.empty()) {
    std::ofstream out(o.json_file);
    out << doc.dump(2) << "\n";
    if (!out) {
      failure = "cannot write " + o.json_file;
    }
  }
  if (o.json) {
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    const auto& m = doc["machine"];
    std::printf(
        "machine: %u x %s, %.1f GiB RAM, %s, Debian %s, %s; load average %s at start, %s "
        "at end\n\n",
        m.value("nproc", 0u), m.value("cpu_model", "").c_str(),
        m.value("mem_total_kb", int64_t{0}) / 1048576.0, m.value("kernel", "").c_str(),
        m.value("debian", "").c_str(), m.value("java", "").c_str(),
        m.value("loadavg_start", "").c_str(), m.value("loadavg_end", "").c_str());
    for (const auto& r : results) {
      std::printf("%s\n", RenderEngine(doc["engines"][r.engine]).c_str());
    }
    if (o.compare) {
      std::printf("%s", RenderCompare(comparison).c_str());
    }
  }
  std::fflush(stdout);
  if (!o.plot.empty() && failure.empty()) {
    if (std::string error = WritePlot(results, fs::absolute(o.plot).string(), home + "/plot");
        !error.empty()) {
      failure = error;
    } else {
      std::fprintf(stderr, "plot written to %s\n", o.plot.c_str());
    }
  }
  if (!failure.empty()) {
    std::fprintf(stderr, "pseudo-cluster bench: %s\n(logs kept in %s)\n", failure.c_str(),
                 home.c_str());
    return 1;
  }
  std::error_code ec;
  if (o.keep) {
    std::fprintf(stderr, "logs and data kept in %s\n", home.c_str());
  } else {
    fs::remove_all(home, ec);
  }
  return 0;
}

}  // namespace pc
