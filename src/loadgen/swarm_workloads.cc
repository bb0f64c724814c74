#include "loadgen/swarm_workloads.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "loadgen/request_window.h"
#include "loadgen/session_swarm.h"
#include "loadgen/zk_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

using nlohmann::json;

namespace {

double MsSince(int64_t t0_ns) { return static_cast<double>(NowNs() - t0_ns) / 1e6; }

std::vector<int> Ports(const ClusterView& view) {
  std::vector<int> ports;
  for (const Member& m : view.members) ports.push_back(m.client_port);
  return ports;
}

std::map<int, int64_t> RssOf(const BenchCluster& cluster) {
  std::map<int, int64_t> rss;
  std::string error;
  if (auto v = cluster.Status(&error)) {
    for (const Member& m : v->members) rss[m.id] = m.pid > 0 ? ReadRssKb(m.pid) : -1;
  }
  return rss;
}

// Polls the swarm until done() or timeout_s; false on timeout or Ctrl-C.
template <typename Done>
bool PollUntil(SessionSwarm& swarm, double timeout_s, Done done) {
  const int64_t deadline = NowNs() + static_cast<int64_t>(timeout_s * 1e9);
  while (!done()) {
    if (Interrupted() || NowNs() > deadline) return false;
    swarm.Poll(10);
  }
  return true;
}

// "Max open files" (soft) of a process, from /proc; -1 when unknown.
int64_t OpenFileLimitOf(int pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/limits").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long long soft = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "Max open files %lld", &soft) == 1) break;
  }
  std::fclose(f);
  return soft;
}

json SwarmErrors(const SwarmCounts& c) {
  return {{"expired", c.expired},
          {"connect_failures", c.connect_failures},
          {"drops", c.drops},
          {"handshake_timeouts", c.handshake_timeouts}};
}

}  // namespace

int64_t RaiseOpenFileLimit(int64_t want) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  if (lim.rlim_cur >= static_cast<rlim_t>(want)) return static_cast<int64_t>(lim.rlim_cur);
  rlimit up = lim;
  up.rlim_cur = static_cast<rlim_t>(want);
  up.rlim_max = std::max(lim.rlim_max, up.rlim_cur);
  if (setrlimit(RLIMIT_NOFILE, &up) != 0) {  // not root: as far as the hard limit goes
    up.rlim_cur = lim.rlim_max;
    up.rlim_max = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &up);
  }
  getrlimit(RLIMIT_NOFILE, &lim);
  return static_cast<int64_t>(lim.rlim_cur);
}

json RunSessionScale(BenchCluster& cluster, const SwarmOptions& options, Progress& progress) {
  std::string error;
  auto view = cluster.Status(&error);
  if (!view) return {{"error", error}};
  SessionSwarm swarm(Ports(*view), options.session_timeout_ms);
  swarm.Add(options.sessions);
  const int64_t t0 = NowNs();
  const int64_t n = options.sessions;
  int64_t shown_ns = 0;
  if (!PollUntil(swarm, 600, [&] {
        if (NowNs() - shown_ns > 500000000) {
          shown_ns = NowNs();
          progress.Update("connected " + std::to_string(swarm.counts().live) + "/" +
                          std::to_string(n));
        }
        return swarm.counts().live == n;
      })) {
    return {{"error", "only " + std::to_string(swarm.counts().live) + " of " + std::to_string(n) +
                          " sessions connected" +
                          (swarm.local_error().empty() ? "" : " (" + swarm.local_error() + ")")}};
  }
  json result = {{"sessions", n}, {"connect_s", MsSince(t0) / 1000.0}};
  json members = json::array();
  const auto rss = RssOf(cluster);
  for (const Member& m : view->members) {
    members.push_back({{"id", m.id},
                       {"role", m.role},
                       {"rss_kb", rss.at(m.id)},
                       {"open_file_limit", OpenFileLimitOf(m.pid)}});
  }
  result["members"] = members;
  result["bench_open_file_limit"] = RaiseOpenFileLimit(0);
  result["before_kill"] = SwarmErrors(swarm.counts());

  progress.Update("kill -9 of the leader, " + std::to_string(n) + " sessions re-attaching");
  const SwarmCounts before = swarm.counts();
  const int64_t k0 = NowNs();
  const int killed = cluster.KillLeader(&error);
  if (killed == 0) return {{"error", "kill leader: " + error}};
  result["killed"] = killed;
  // Done once some connection has dropped (the leader's, at once) and every session that lost
  // its connection has it back.
  const bool all = PollUntil(swarm, 300, [&] {
    return swarm.counts().drops > before.drops && swarm.detached() == 0 &&
           swarm.counts().live + swarm.counts().expired == n;
  });
  result["reattach_ms"] = MsSince(k0);
  result["all_reattached"] = all && swarm.counts().expired == 0;
  SwarmCounts after = swarm.counts();
  after.expired -= before.expired;
  after.connect_failures -= before.connect_failures;
  after.drops -= before.drops;
  after.handshake_timeouts -= before.handshake_timeouts;
  result["after_kill"] = SwarmErrors(after);
  result["live"] = swarm.counts().live;
  if (!swarm.local_error().empty()) result["local_error"] = swarm.local_error();
  if (!cluster.Start(killed, &error)) result["restart_error"] = error;
  return result;
}

json RunWatchScale(BenchCluster& cluster, const std::string& root, const SwarmOptions& options,
                   Progress& progress) {
  std::string error;
  auto view = cluster.Status(&error);
  if (!view) return {{"error", error}};
  const int64_t sessions = std::min<int64_t>(options.watch_sessions, options.watches);
  const int64_t znodes = (options.watches + sessions - 1) / sessions;
  auto client = ZkClient::Connect(HostList(view->members), 30000, 30000, &error);
  if (!client) return {{"error", error}};
  auto path = [&](int64_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "/w-%07lld", static_cast<long long>(i));
    return root + buf;
  };
  // Runs one async op per znode on the C client, 256 in flight; the error count.
  auto each_znode = [&](Op op) {
    RequestWindow window(256);
    for (int64_t i = 0; i < znodes && !Interrupted(); ++i) {
      window.Acquire();
      if (client->Issue(op, path(i), "v", &window) != ZOK) window.Done(ZCONNECTIONLOSS);
    }
    window.Drain();
    return window.errors();
  };
  progress.Update("creating " + std::to_string(znodes) + " znodes to watch");
  if (int64_t errors = each_znode(Op::kCreate); errors > 0) {
    return {{"error", std::to_string(errors) + " creates of znodes to watch failed"}};
  }
  const auto rss_before = RssOf(cluster);

  SessionSwarm swarm(Ports(*view), options.session_timeout_ms);
  swarm.Add(static_cast<int>(sessions));
  if (!PollUntil(swarm, 120, [&] { return swarm.counts().live == sessions; })) {
    return {{"error", "only " + std::to_string(swarm.counts().live) + " of " +
                          std::to_string(sessions) + " watching sessions connected"}};
  }
  progress.Update("setting " + std::to_string(sessions * znodes) + " watches");
  const int64_t t0 = NowNs();
  for (int64_t z = 0; z < znodes; ++z) {
    for (int s = 0; s < sessions; ++s) swarm.Exists(s, path(z));
  }
  const int64_t total = sessions * znodes;
  if (!PollUntil(swarm, 1200, [&] {
        return swarm.counts().exists_answered + swarm.counts().exists_errors == total;
      })) {
    return {{"error", "only " + std::to_string(swarm.counts().exists_answered) + " of " +
                          std::to_string(total) + " watches set"}};
  }
  const double set_s = MsSince(t0) / 1000.0;
  const auto rss_after = RssOf(cluster);

  progress.Update("one set per znode fires " + std::to_string(total) + " watches");
  const int64_t f0 = NowNs();
  int64_t set_errors = 0;
  std::atomic<bool> sets_done{false};
  std::thread setter([&] {
    set_errors = each_znode(Op::kSet);
    sets_done = true;
  });
  // Waits for every notification, or gives up once the sets are done and 10 s pass without one.
  int64_t seen = 0, seen_ns = NowNs();
  const bool all =
      PollUntil(swarm, 600,
                [&] {
                  if (swarm.counts().notifications != seen) {
                    seen = swarm.counts().notifications;
                    seen_ns = NowNs();
                  }
                  return seen >= total || (sets_done && NowNs() - seen_ns > 10000000000);
                }) &&
      seen >= total;
  const double fire_ms = MsSince(f0);
  setter.join();

  json members = json::array();
  double max_per_watch = 0;
  for (const Member& m : view->members) {
    const int64_t b = rss_before.at(m.id), a = rss_after.at(m.id);
    max_per_watch = std::max(max_per_watch, double(a - b) * 1024.0 / double(total));
    members.push_back({{"id", m.id},
                       {"role", m.role},
                       {"rss_before_kb", b},
                       {"rss_after_kb", a},
                       {"bytes_per_watch", double(a - b) * 1024.0 / double(total)}});
  }
  json result = {{"watches", total},
                 {"sessions", sessions},
                 {"znodes", znodes},
                 {"set_s", set_s},
                 {"members", members},
                 {"max_bytes_per_watch", max_per_watch},
                 {"fire_ms", fire_ms},
                 {"all_fired", all},
                 {"notifications", swarm.counts().notifications},
                 {"exists_errors", swarm.counts().exists_errors},
                 {"set_errors", set_errors},
                 {"session_errors", SwarmErrors(swarm.counts())}};
  return result;
}

}  // namespace pc::loadgen
