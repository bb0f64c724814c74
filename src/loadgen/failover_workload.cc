#include "loadgen/failover_workload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "loadgen/samples.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

namespace {

struct Write {
  int64_t issue_ns, done_ns;
  int rc;
};

struct Writer {
  std::string hosts, path;
  std::mutex mu;
  std::vector<Write> writes;
  std::string error;
  std::atomic<bool> connected{false};
};

void WriteLoop(Writer* w, const std::string& value, const FailoverOptions& options,
               const std::atomic<bool>& stop) {
  auto client = ZkClient::Connect(w->hosts, options.session_timeout_ms, 30000, &w->error);
  if (!client || !client->Ensure(w->path, value)) {
    if (w->error.empty()) {
      w->error = "cannot create " + w->path;
    }
    w->connected = true;  // let the main thread see the error
    return;
  }
  w->connected = true;
  while (!stop) {
    if (!client->usable()) {  // the session expired during the election: a new one
      std::string error;
      auto fresh = ZkClient::Connect(w->hosts, options.session_timeout_ms, 5000, &error);
      if (fresh) {
        client = std::move(fresh);
      }
      continue;
    }
    const int64_t issue = NowNs();
    const int rc = client->Call(Op::kSet, w->path, value, 30000);
    const int64_t done = NowNs();
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->writes.push_back({issue, done, rc});
    }
    if (rc != ZOK) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no busy loop while refused
    }
  }
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

using Writers = std::vector<std::unique_ptr<Writer>>;

// Each session prefers a different member first; the C client moves on when it goes.
Writers MakeWriters(const std::vector<Member>& targets, const std::string& root, int clients) {
  Writers writers;
  for (int i = 0; i < clients; ++i) {
    auto w = std::make_unique<Writer>();
    std::vector<Member> order = targets;
    std::rotate(order.begin(), order.begin() + (i % order.size()), order.end());
    w->hosts = HostList(order);
    w->path = root + "/failover-" + std::to_string(i);
    writers.push_back(std::move(w));
  }
  return writers;
}

// One thread per writer; Finish() must run before this goes away, on every path.
struct WriterThreads {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;

  void Start(const Writers& writers, const std::string& value, const FailoverOptions& options) {
    for (const auto& w : writers) {
      threads.emplace_back(WriteLoop, w.get(), value, options, std::cref(stop));
    }
  }
  void Finish() {
    stop = true;
    for (auto& t : threads) {
      t.join();
    }
  }
};

// Waits for each writer's session in turn; the first error stops the wait.
std::string FirstConnectError(const Writers& writers) {
  for (const auto& w : writers) {
    while (!w->connected) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!w->error.empty()) {
      return w->error;
    }
  }
  return {};
}

// When the earliest successful write issued at or after `since_ns` completed; 0: none yet.
int64_t FirstOkDone(const Writers& writers, int64_t since_ns) {
  int64_t first_ok_ns = 0;
  for (const auto& w : writers) {
    std::lock_guard<std::mutex> lock(w->mu);
    for (const Write& x : w->writes) {
      if (x.rc == ZOK && x.issue_ns >= since_ns && (first_ok_ns == 0 || x.done_ns < first_ok_ns)) {
        first_ok_ns = x.done_ns;
      }
    }
  }
  return first_ok_ns;
}

// The moments around the leader's kill that the round is measured against.
struct Kill {
  int node;
  int64_t kill_ns;
  int64_t killed_ns;  // writes issued from here on met the dead leader
};

// Until the first successful write issued after the kill, then a little steady state; returns
// when that first write completed (0: not within the round's timeout).
int64_t AwaitRecovery(const Writers& writers, const Kill& kill, int round,
                      const FailoverOptions& options, Progress& progress) {
  int64_t first_ok_ns = 0;
  const int64_t deadline = kill.kill_ns + static_cast<int64_t>(options.round_timeout_s * 1e9);
  while (NowNs() < deadline && !Interrupted()) {
    if (first_ok_ns == 0) {
      first_ok_ns = FirstOkDone(writers, kill.killed_ns);
      progress.Update("round " + std::to_string(round) + ": node" + std::to_string(kill.node) +
                      " killed, waiting for a write to succeed");
    } else if (NowNs() >= first_ok_ns + static_cast<int64_t>(options.after_s * 1e9)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return first_ok_ns;
}

struct WriteCounts {
  int64_t ok = 0, failed = 0;  // issued after the kill
  int64_t max_gap_ns = 0;      // between successive successes, over the whole round
};

// Every write becomes a plot point; the writers have stopped.
WriteCounts CountWrites(const Writers& writers, int round, int64_t kill_ns,
                        std::vector<FailoverPoint>* points) {
  WriteCounts counts;
  std::vector<int64_t> ok_done;
  for (const auto& w : writers) {
    for (const Write& x : w->writes) {
      points->push_back({round, Ms(x.issue_ns - kill_ns), Ms(x.done_ns - x.issue_ns), x.rc == ZOK});
      if (x.rc == ZOK) {
        ok_done.push_back(x.done_ns);
      }
      if (x.issue_ns >= kill_ns) {
        (x.rc == ZOK ? counts.ok : counts.failed)++;
      }
    }
  }
  std::sort(ok_done.begin(), ok_done.end());
  for (size_t i = 1; i < ok_done.size(); ++i) {
    counts.max_gap_ns = std::max(counts.max_gap_ns, ok_done[i] - ok_done[i - 1]);
  }
  return counts;
}

nlohmann::json RoundJson(int round, const Kill& kill, int new_leader, int64_t first_ok_ns,
                         const WriteCounts& counts) {
  return {{"round", round},
          {"killed", kill.node},
          {"new_leader", new_leader},
          {"recovered", first_ok_ns != 0},
          {"window_ms", first_ok_ns ? nlohmann::json(Ms(first_ok_ns - kill.kill_ns)) : nullptr},
          {"max_gap_ms", Ms(counts.max_gap_ns)},
          {"writes_ok", counts.ok},
          {"writes_failed", counts.failed}};
}

// The round ends once the killed node is back and the ensemble is ready.
void RestartKilled(const BenchCluster& cluster, const Kill& kill, int round,
                   const FailoverOptions& options, Progress& progress, FailoverRound* result) {
  progress.Update("round " + std::to_string(round) + ": starting node" + std::to_string(kill.node) +
                  " again");
  if (!cluster.Start(kill.node, &result->error) ||
      !cluster.WaitReady(options.ready_timeout_s, &result->error)) {
    return;
  }
  result->json["ready_again_ms"] = Ms(NowNs() - kill.kill_ns);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

}  // namespace

FailoverRound RunFailoverRound(const BenchCluster& cluster, const std::string& root, int round,
                               const FailoverOptions& options, Progress& progress) {
  FailoverRound result;
  auto view = cluster.Status(&result.error);
  if (!view) {
    return result;
  }
  std::vector<Member> targets = SelectTargets(*view, options.target);
  if (targets.empty() || view->leader == 0) {
    result.error = "no leader or no " + options.target + " to connect to";
    return result;
  }
  const std::string value(static_cast<size_t>(options.value_bytes), 'v');
  const Writers writers = MakeWriters(targets, root, options.clients);
  WriterThreads threads;
  threads.Start(writers, value, options);
  if (std::string error = FirstConnectError(writers); !error.empty()) {
    result.error = error;
    threads.Finish();
    return result;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(options.before_s * 1000)));

  Kill kill{};
  kill.kill_ns = NowNs();
  kill.node = cluster.KillLeader(&result.error);
  kill.killed_ns = NowNs();
  if (kill.node == 0) {
    threads.Finish();
    return result;
  }
  const int64_t first_ok_ns = AwaitRecovery(writers, kill, round, options, progress);
  threads.Finish();

  const WriteCounts counts = CountWrites(writers, round, kill.kill_ns, &result.points);
  std::string ignored;
  auto after = cluster.Status(&ignored);
  result.json = RoundJson(round, kill, after ? after->leader : 0, first_ok_ns, counts);
  RestartKilled(cluster, kill, round, options, progress, &result);
  return result;
}

nlohmann::json SummarizeFailover(const std::vector<nlohmann::json>& rounds) {
  std::vector<double> windows, gaps;
  for (const auto& r : rounds) {
    if (r.value("recovered", false)) {
      windows.push_back(r["window_ms"].get<double>());
    }
    gaps.push_back(r.value("max_gap_ms", 0.0));
  }
  nlohmann::json out = {
      {"round_count", rounds.size()}, {"recovered", windows.size()}, {"rounds", rounds}};
  if (!windows.empty()) {
    // A round that never recovered is the worst of all.
    const bool all = windows.size() == rounds.size();
    out["window_ms"] = {
        {"median", Median(windows)},
        {"best", *std::min_element(windows.begin(), windows.end())},
        {"worst", all ? nlohmann::json(*std::max_element(windows.begin(), windows.end()))
                      : nlohmann::json(nullptr)}};
  }
  if (!gaps.empty()) {
    out["max_gap_ms"] = {{"median", Median(gaps)},
                         {"worst", *std::max_element(gaps.begin(), gaps.end())}};
  }
  return out;
}

}  // namespace pc::loadgen
