#include "loadgen/scale_workload.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "loadgen/request_window.h"
#include "loadgen/zk_client.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int64_t kPerParent = 1000;

std::string ZnodePath(const std::string& root, int64_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "/p-%05lld/z-%09lld", static_cast<long long>(i / kPerParent),
                static_cast<long long>(i));
  return root + buf;
}

// The newest snapshot.* in <data dir>/version-2 (by zxid in its name): path and size.
json NewestSnapshot(const std::string& data_dir) {
  std::error_code ec;
  std::string best;
  uint64_t best_zxid = 0, size = 0;
  for (const auto& e : fs::directory_iterator(data_dir + "/version-2", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("snapshot.", 0) != 0) continue;
    char* end = nullptr;
    const uint64_t zxid = std::strtoull(name.c_str() + 9, &end, 16);
    if (*end != '\0') continue;  // snapshot.<zxid>.tmp: one still being written
    if (best.empty() || zxid > best_zxid) {
      best = e.path().string();
      best_zxid = zxid;
      size = e.file_size(ec);
    }
  }
  if (best.empty()) return json();
  return {{"file", best}, {"bytes", size}};
}

}  // namespace

json RunZnodeScale(BenchCluster& cluster, const std::string& root, const ScaleOptions& options,
                   Progress& progress) {
  std::string error;
  auto view = cluster.Status(&error);
  if (!view) return {{"error", error}};
  auto rss_of = [&](std::map<int, int64_t>* out) {
    if (auto v = cluster.Status(&error)) {
      for (const Member& m : v->members) (*out)[m.id] = m.pid > 0 ? ReadRssKb(m.pid) : -1;
    }
  };
  std::map<int, int64_t> before, after;
  rss_of(&before);

  auto client =
      ZkClient::Connect(HostList(view->members), options.session_timeout_ms, 30000, &error);
  if (!client) return {{"error", error}};
  const std::string value(static_cast<size_t>(options.value_bytes), 'v');
  for (int64_t p = 0; p * kPerParent < options.znodes; ++p) {
    char parent[32];
    std::snprintf(parent, sizeof parent, "/p-%05lld", static_cast<long long>(p));
    // A connection loss (a member busy starting up, a JVM pausing) is retried, not fatal.
    bool made = false;
    for (int attempt = 0; attempt < 5 && !made; ++attempt) {
      made = client->Ensure(root + parent, "");
      if (!made) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (!made) return {{"error", "cannot create " + root + parent + " (5 tries)"}};
  }
  RequestWindow window(options.inflight);
  const auto t0 = std::chrono::steady_clock::now();
  int64_t issued = 0;
  for (; issued < options.znodes && !Interrupted(); ++issued) {
    window.Acquire();
    if (client->Issue(Op::kCreate, ZnodePath(root, issued), value, &window) != ZOK) {
      window.Done(ZCONNECTIONLOSS);
    }
    if ((issued & 4095) == 0) {
      progress.Update("created " + std::to_string(issued) + "/" + std::to_string(options.znodes));
    }
  }
  window.Drain();
  // A create lost with a dropped connection is an error, not retried: make sure the znode the
  // recovery below waits for exists, or it would wait for ever.
  client->Ensure(ZnodePath(root, options.znodes - 1), value);
  const double create_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (Interrupted()) return {{"error", "interrupted"}};
  rss_of(&after);

  json members = json::array();
  double max_per_znode = 0;
  std::string leader_data_dir;
  const json status = Request(SocketPath(cluster.dir()), {{"cmd", "status"}}).data;
  for (const Member& m : view->members) {
    const int64_t b = before[m.id], a = after[m.id];
    const double per = b >= 0 && a >= 0 ? double(a - b) * 1024.0 / double(options.znodes) : -1;
    max_per_znode = std::max(max_per_znode, per);
    members.push_back({{"id", m.id},
                       {"role", m.role},
                       {"rss_before_kb", b},
                       {"rss_after_kb", a},
                       {"bytes_per_znode", per}});
  }
  for (const auto& n : status.value("nodes", json::array())) {
    const std::string role = n.value("role", "");
    if (role == "leader" || role == "standalone") leader_data_dir = n.value("data_dir", "");
  }
  json result = {{"znodes", options.znodes},
                 {"value_bytes", options.value_bytes},
                 {"create_s", create_s},
                 {"creates_per_s", create_s > 0 ? double(options.znodes) / create_s : 0.0},
                 {"errors", window.errors()},
                 {"members", members},
                 {"max_bytes_per_znode", max_per_znode},
                 {"snapshot", leader_data_dir.empty() ? json() : NewestSnapshot(leader_data_dir)}};
  client.reset();

  // Recovery: every member restarted on its data; ready, and the last znode readable everywhere.
  progress.Update("restarting every member (recovery)");
  const auto r0 = std::chrono::steady_clock::now();
  const ControlReply restart =
      Request(SocketPath(cluster.dir()), {{"cmd", "restart"}, {"target", "all"}});
  if (!restart.ok) {
    result["recovery_error"] = restart.error;
    return result;
  }
  if (!cluster.WaitReady(600, &error)) {
    result["recovery_error"] = error;
    return result;
  }
  const std::string last = ZnodePath(root, options.znodes - 1);
  if (auto v = cluster.Status(&error)) {
    for (const Member& m : v->members) {
      auto c = ZkClient::Connect("127.0.0.1:" + std::to_string(m.client_port),
                                 options.session_timeout_ms, 600000, &error);
      std::string data;
      int32_t version = -1;
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(10);
      while (c && !Interrupted() && std::chrono::steady_clock::now() < give_up &&
             c->Get(last, 10000, &data, &version) != ZOK) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  result["recovery_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r0).count();
  return result;
}

}  // namespace pc::loadgen
