#include "loadgen/snapshot_latency.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <thread>

#include "loadgen/zk_client.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/interrupt.h"

namespace pc::loadgen {

using nlohmann::json;

namespace {

int64_t WallNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// "2026-12-05 20:20:42.123" (zkd) or "2026-12-05 20:20:42,123" (Apache) at the start of a
// line, in local time as both engines write it: ns since the epoch, or -1.
int64_t LineTimeNs(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  char sep = 0;
  if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d%c%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sep, &ms) != 8) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return int64_t{std::mktime(&tm)} * 1000000000 + int64_t{ms} * 1000000;
}

struct Window {
  int node = 0;
  int64_t start_ns = 0, end_ns = 0;
  std::string file;  // Apache: the snapshot file, whose last write ends the window
};

// Reads what each member's log gained since the last call and keeps the snapshot windows.
class SnapshotLog {
 public:
  SnapshotLog(std::string cluster_dir, std::string engine, std::vector<int> nodes)
      : dir_(std::move(cluster_dir)), apache_(engine == "apache"), nodes_(std::move(nodes)) {}

  void Read() {
    for (int node : nodes_) {
      std::ifstream in(NodeLogPath(dir_, node));
      in.seekg(offsets_[node]);
      std::string line;
      while (std::getline(in, line)) {
        if (in.eof()) break;  // a partial last line: read it whole next time
        offsets_[node] = in.tellg();
        Parse(node, line);
      }
    }
    // Apache: a window ends at its file's last write; it is final once that is a second old.
    for (Window& w : windows_) {
      if (w.file.empty()) continue;
      struct stat st {};
      if (::stat(w.file.c_str(), &st) != 0) continue;
      w.end_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    }
  }
  const std::vector<Window>& windows() const { return windows_; }

 private:
  void Parse(int node, const std::string& line) {
    const int64_t t = LineTimeNs(line);
    if (t < 0) return;
    if (apache_) {
      const size_t at = line.find("Snapshotting: 0x");
      const size_t to = line.find(" to ", at == std::string::npos ? 0 : at);
      if (at == std::string::npos || to == std::string::npos) return;
      windows_.push_back({node, t, t, line.substr(to + 4)});
      return;
    }
    if (line.find("] snapshot at zxid") == std::string::npos) return;
    const size_t comma = line.rfind(", ");
    long long ms = 0;
    if (comma == std::string::npos || std::sscanf(line.c_str() + comma + 2, "%lld ms", &ms) != 1) {
      return;
    }
    windows_.push_back({node, t - ms * 1000000, t, ""});
  }

  std::string dir_;
  bool apache_;
  std::vector<int> nodes_;
  std::map<int, std::streamoff> offsets_;
  std::vector<Window> windows_;
};

struct Sample {
  int64_t start_ns;  // wall clock
  int64_t latency_ns;
};

json Percentiles(std::vector<int64_t> v) {
  if (v.empty()) return {{"sets", 0}};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return static_cast<double>(v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]) /
           1000.0;
  };
  return {{"sets", v.size()}, {"p50_us", at(0.5)}, {"p99_us", at(0.99)}, {"max_us", at(1.0)}};
}

// Splits the samples by whether they overlapped a window.
void Bin(const std::vector<Sample>& samples, const std::vector<Window>& windows,
         std::vector<int64_t>* during, std::vector<int64_t>* without) {
  during->clear();
  without->clear();
  for (const Sample& s : samples) {
    bool in = false;
    for (const Window& w : windows) {
      in = in || (s.start_ns < w.end_ns && s.start_ns + s.latency_ns > w.start_ns);
    }
    (in ? during : without)->push_back(s.latency_ns);
  }
}

}  // namespace

json RunSnapshotLatency(BenchCluster& cluster, const SnapshotLatencyOptions& options,
                        Progress& progress) {
  std::string error;
  auto view = cluster.Status(&error);
  if (!view) return {{"error", error}};
  std::vector<int> nodes;
  for (const Member& m : view->members) nodes.push_back(m.id);
  const std::vector<Member> leader = SelectTargets(*view, "leader");
  if (leader.empty()) return {{"error", "no leader to send the sets to"}};
  auto client = ZkClient::Connect(HostOf(leader[0]), 30000, 30000, &error);
  if (!client) return {{"error", error}};

  SnapshotLog log(cluster.dir(), options.engine, nodes);
  log.Read();
  const size_t old_windows = log.windows().size();
  const std::string value(static_cast<size_t>(options.value_bytes), 's');
  std::vector<Sample> samples;
  std::vector<int64_t> during, without;
  int64_t errors = 0;
  const int64_t t0 = NowNs(), wall0 = WallNs();
  int64_t checked = t0;
  while (!Interrupted() && NowNs() - t0 < static_cast<int64_t>(options.max_s * 1e9)) {
    const int64_t start = WallNs();
    int64_t latency = 0;
    if (client->Call(Op::kSet, options.path, value, 10000, &latency) != ZOK) {
      ++errors;
      continue;
    }
    samples.push_back({start, latency});
    if (NowNs() - checked > 1000000000) {
      checked = NowNs();
      log.Read();
      std::vector<Window> fresh(log.windows().begin() + old_windows, log.windows().end());
      Bin(samples, fresh, &during, &without);
      progress.Update(std::to_string(samples.size()) + " sets, " + std::to_string(during.size()) +
                      " during a snapshot (" + std::to_string(fresh.size()) + " snapshots)");
      if (static_cast<int>(during.size()) >= options.min_sets &&
          static_cast<int>(without.size()) >= options.min_sets) {
        break;
      }
    }
  }
  // A zkd snapshot still being taken is logged only when it ends: give it time to.
  progress.Update("waiting for snapshots in progress to be logged");
  std::this_thread::sleep_for(std::chrono::seconds(options.engine == "apache" ? 2 : 10));
  log.Read();
  std::vector<Window> fresh(log.windows().begin() + old_windows, log.windows().end());
  Bin(samples, fresh, &during, &without);
  json snaps = json::array();
  for (const Window& w : fresh) {
    snaps.push_back({{"node", w.node},
                     {"start_ms", static_cast<double>(w.start_ns - wall0) / 1e6},
                     {"ms", static_cast<double>(w.end_ns - w.start_ns) / 1e6}});
  }
  json result = {{"snapshots", snaps},
                 {"sets", samples.size()},
                 {"errors", errors},
                 {"seconds", static_cast<double>(NowNs() - t0) / 1e9},
                 {"during", Percentiles(during)},
                 {"without", Percentiles(without)}};
  const double d = result["during"].value("p99_us", 0.0);
  const double w = result["without"].value("p99_us", 0.0);
  result["p99_ratio"] = w > 0 && d > 0 ? d / w : 0.0;
  return result;
}

}  // namespace pc::loadgen
