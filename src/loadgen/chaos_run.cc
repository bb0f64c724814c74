#include "loadgen/chaos_run.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "chaos/history.h"
#include "chaos/verdict.h"
#include "loadgen/bench_cluster.h"
#include "loadgen/chaos_client.h"
#include "loadgen/chaos_final_reads.h"
#include "loadgen/chaos_nemesis.h"
#include "loadgen/chaos_plot.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/timeline.h"

namespace fs = std::filesystem;

namespace pc::loadgen {

namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted = true; }

std::vector<Member> Members(const BenchCluster& cluster) {
  std::string error;
  auto view = cluster.Status(&error);
  return view ? view->members : std::vector<Member>{};
}

// The connect string of client `index`: every member, member index % n first. The run turns
// off the C client's shuffling of this list (zoo_deterministic_conn_order), so client i talks
// to member i % n while it is up, and every member, the leader included, has clients whenever
// --clients >= --nodes; after a connection loss a client moves on to the next member.
std::string HostsFor(const std::vector<Member>& members, int index) {
  std::vector<Member> order;
  for (size_t i = 0; i < members.size(); ++i) {
    order.push_back(members[(static_cast<size_t>(index) + i) % members.size()]);
  }
  return HostList(order);
}

// The nemesis thread: starts and heals the scheduled faults, recording each in nemesis.jsonl.
void RunNemesis(const std::string& dir, const std::vector<Fault>& schedule, ChaosShared* shared,
                std::vector<nlohmann::json>* log) {
  for (const Fault& f : schedule) {
    while (!shared->stop && shared->Since() < f.start_ms * 1'000'000) {
      SleepMs(20);
    }
    if (shared->stop) {
      return;
    }
    std::vector<int> targets;
    std::string error;
    const int64_t started = shared->Since();
    StartFault(dir, f, &targets, &error);
    log->push_back(FaultJson(f, "start", started, targets, error));
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->fault = f.Describe();
    }
    while (!shared->stop && shared->Since() < f.end_ms * 1'000'000) {
      SleepMs(20);
    }
    error.clear();
    HealFault(dir, f, &error);
    log->push_back(FaultJson(f, "end", shared->Since(), {}, error));
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->fault = "none";
  }
}

std::string Progress(const ChaosShared& s, int64_t total_ms, const std::string& fault) {
  char line[256];
  std::snprintf(line, sizeof line, "chaos %5.1f/%.0fs  ok %lld  fail %lld  info %lld  fault: %s",
                double(s.Since()) / 1e9, double(total_ms) / 1000, (long long)s.ok.load(),
                (long long)s.fail.load(), (long long)s.info.load(), fault.c_str());
  return line;
}

bool WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return bool(out);
}

std::string DefaultOutDir() {
  char name[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(name, sizeof name, "chaos-%Y%m%d-%H%M%S", &tm);
  return name;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Unknown(const std::string& why) {
  std::fflush(stderr);
  std::printf("verdict: unknown (%s)\n", why.c_str());
  return 3;
}

}  // namespace

int RunChaos(const ChaosOptions& o) {
  const fs::path out = o.out_dir.empty() ? fs::path(DefaultOutDir()) : fs::path(o.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    return Unknown("cannot create the output directory " + out.string() + ": " + ec.message());
  }
  RedirectClientLog((out / "client.log").string());
  zoo_deterministic_conn_order(1);

  // The cluster: our own (proxied links, so partitions work) or the one given.
  std::optional<BenchCluster> cluster;
  std::string home;
  if (o.cluster_dir.empty()) {
    char tmpl[] = "/tmp/pc-chaos-XXXXXX";  // short: the control socket's path must fit
    if (::mkdtemp(tmpl) == nullptr) {
      return Unknown("cannot create a state directory in /tmp");
    }
    home = tmpl;
    OwnClusterOptions own;
    own.engine = o.engine;
    own.voters = o.nodes;
    own.links = "proxied";
    // tickTime 1 s, not ZooKeeper's 2 s: a member cut off is noticed after syncLimit (5) ticks,
    // so faults of a few seconds lead to elections within a short run.
    own.tick_time_ms = 1000;
    std::string error;
    std::fprintf(stderr, "chaos: bringing up %d %s members with proxied links\n", o.nodes,
                 o.engine.c_str());
    cluster = BenchCluster::BringUp(home, "chaos", own, &error);
    if (!cluster) {
      fs::remove_all(home, ec);
      return Unknown(error);
    }
  } else {
    cluster.emplace(o.cluster_dir);
  }
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends the process at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto finish = [&](int code) {
    if (o.cluster_dir.empty()) {
      cluster->BringDown();
      fs::remove_all(home, ec);
    }
    return code;
  };

  std::string error;
  if (!cluster->WaitReady(120, &error)) {
    return finish(Unknown(error));
  }
  const std::vector<Member> members = Members(*cluster);
  // A running cluster (--cluster) says which engine it runs; the title and the report use that.
  std::string engine = o.engine;
  if (!o.cluster_dir.empty()) {
    if (auto view = cluster->Status(&error)) {
      engine = view->engine;
    }
    std::fprintf(stderr, "chaos: cluster %s: %s, %zu members\n", o.cluster_dir.c_str(),
                 engine.c_str(), members.size());
  }
  const std::string all_hosts = HostList(members);
  chaos::History history;
  history.setup.workload = o.workload;
  {
    auto setup = ZkClient::Connect(all_hosts, kSessionTimeoutMs, 10000, &error);
    if (!setup) {
      return finish(Unknown(error));
    }
    setup->RemoveTree(kSequential);  // RemoveTree goes one level down
    setup->RemoveTree(kEphemerals);
    setup->RemoveTree(kRoot);
    const std::pair<const char*, const char*> nodes[] = {
        {kRoot, ""}, {kRegister, "0"}, {kSequential, ""}, {kEphemerals, ""}, {kWatched, "0"}};
    for (const auto& [path, data] : nodes) {
      std::string created;
      if (const int rc = setup->Create(path, data, 0, 10000, &created); rc != ZOK) {
        return finish(Unknown("cannot create " + std::string(path) + ": " + zerror(rc)));
      }
    }
  }

  ChaosShared shared;
  shared.start_ns = NowNs();
  const int64_t start_wall_ms = WallMs();
  const std::vector<Fault> schedule = NemesisSchedule(o.seed, o.nemesis, o.interval_ms, o.time_ms,
                                                      static_cast<int>(members.size()));
  std::vector<std::unique_ptr<RegisterClient>> clients;
  std::vector<std::thread> threads;
  clients.reserve(static_cast<size_t>(o.clients));
  threads.reserve(static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_unique<RegisterClient>(i, o, HostsFor(members, i), &shared));
  }
  for (auto& c : clients) {
    threads.emplace_back([&c] { c->Run(); });
  }
  std::vector<nlohmann::json> nemesis_log;
  std::thread nemesis([&] { RunNemesis(cluster->dir(), schedule, &shared, &nemesis_log); });

  const bool tty = ::isatty(2);
  // Progress: on a terminal one line rewritten 5 times a second; else a line every 5 s and one
  // whenever a fault starts or ends.
  int64_t last_print = 0;
  std::string last_fault = "none";
  while (shared.Since() < o.time_ms * 1'000'000 && !g_interrupted) {
    SleepMs(100);
    const int64_t now = shared.Since();
    std::string fault;
    {
      std::lock_guard<std::mutex> lock(shared.mu);
      fault = shared.fault;
    }
    if (now - last_print >= (tty ? 200'000'000 : 5'000'000'000) || fault != last_fault) {
      last_print = now;
      last_fault = fault;
      std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", Progress(shared, o.time_ms, fault).c_str());
    }
  }
  shared.stop = true;
  auto join_clients = [&] {
    shared.release = true;
    for (auto& t : threads) {
      if (t.joinable()) {
        t.join();
      }
    }
  };
  if (o.workload != "session") {
    join_clients();  // session clients keep theirs until the end
  }
  nemesis.join();
  if (tty) {
    std::fprintf(stderr, "\n");
  }
  if (g_interrupted) {
    std::fprintf(stderr, "chaos: interrupted; healing and checking what ran\n");
  }

  // Heal everything and wait until every member runs and serves, then one write so every member
  // has processed a transaction of the last epoch (srvr's zxid is the last one processed).
  std::fprintf(stderr, "chaos: healing everything\n");
  std::string heal_error;
  HealAll(cluster->dir(), &heal_error);
  // A cluster that does not recover is no verdict on the history (the run still writes what it
  // recorded); the final reads are skipped.
  std::string not_recovered;
  if (!cluster->WaitReady(120, &error)) {
    not_recovered = "the cluster did not recover after the final heal: " + error;
  } else {
    auto c = ZkClient::Connect(all_hosts, kSessionTimeoutMs, 20000, &error);
    std::string created;
    if (!c || c->Create(kHealed, "", 0, 20000, &created) != ZOK) {
      not_recovered = "the write after the final heal did not succeed";
    }
  }
  if (o.workload == "session" && not_recovered.empty()) {
    shared.final_write = true;
    for (int i = 0; i < 600 && shared.final_done < o.clients; ++i) {
      SleepMs(50);
    }
  }
  std::vector<chaos::Op> finals;
  if (not_recovered.empty()) {
    finals = FinalReads(members, o.workload, shared, &history);
  }

  // The supervisor's timeline: timeline.txt, and the leaders it saw per epoch.
  std::string timeline;
  Request(SocketPath(cluster->dir()), {{"cmd", "events"}, {"follow", false}},
          [&](const nlohmann::json& m) {
            if (!m.contains("event")) {
              return;
            }
            const Event e = EventFromJson(m["event"]);
            timeline += RenderEvent(e, false) + "\n";
            if (e.kind == "role" && e.data.value("role", "") == "leader") {
              chaos::LeaderSighting l;
              l.member = e.node;
              l.epoch = e.data.value("epoch", int64_t{-1});
              l.time_ns = std::max<int64_t>(0, (e.wall_ms - start_wall_ms) * 1'000'000);
              if (l.epoch >= 0) {
                history.leaders.push_back(l);
              }
            }
          });
  join_clients();
  finish(0);  // the cluster is no longer needed: take it down before the (CPU-bound) check

  // The history: every client's ops and the final reads, in invoke order.
  for (auto& c : clients) {
    for (chaos::Op& op : c->ops()) {
      history.ops.push_back(std::move(op));
    }
    for (auto& n : c->notifications()) {
      history.notifications.push_back(n);
    }
    for (auto& e : c->session_ends()) {
      history.session_ends.push_back(e);
    }
  }
  for (chaos::Op& op : finals) {
    history.ops.push_back(std::move(op));
  }
  std::stable_sort(
      history.ops.begin(), history.ops.end(),
      [](const chaos::Op& a, const chaos::Op& b) { return a.invoke_ns < b.invoke_ns; });
  for (size_t i = 0; i < history.ops.size(); ++i) {
    history.ops[i].id = static_cast<int>(i);
  }
  const std::string jsonl = chaos::HistoryToJsonl(history);
  std::string nemesis_text;
  for (const auto& j : nemesis_log) {
    nemesis_text += j.dump() + "\n";
  }
  WriteFile(out / "history.jsonl", jsonl);
  WriteFile(out / "nemesis.jsonl", nemesis_text);
  WriteFile(out / "timeline.txt", timeline);

  // Judged from the file, exactly as `chaos check` would.
  chaos::History parsed;
  if (!chaos::ParseHistory(jsonl, &parsed, &error)) {
    return Unknown("the recorded history does not parse: " + error);
  }
  const chaos::Verdict verdict = chaos::Judge(parsed, chaos::CheckOptions{});
  WriteFile(out / "verdict.json", chaos::VerdictJson(verdict, parsed).dump(2) + "\n");
  const std::string title = engine + ", " + std::to_string(members.size()) + " members, seed " +
                            std::to_string(o.seed) + ": " + chaos::VerdictLine(verdict, parsed);
  if (std::string plot_error = WriteChaosPlot(parsed, nemesis_log, title, out.string());
      !plot_error.empty()) {
    std::fprintf(stderr, "chaos: no plot: %s\n", plot_error.c_str());
  }
  std::fprintf(stderr, "chaos: output in %s\n", out.string().c_str());
  std::fflush(stderr);
  if (!not_recovered.empty() && verdict.outcome != chaos::Outcome::kInvalid) {
    std::fputs(chaos::RenderVerdict(verdict, parsed).c_str(), stdout);
    return Unknown(not_recovered);
  }
  std::fputs(chaos::RenderVerdict(verdict, parsed).c_str(), stdout);
  return chaos::ExitCode(verdict.outcome);
}

}  // namespace pc::loadgen
