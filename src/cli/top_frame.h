// `pseudo-cluster top`: what one screen shows (TopFrame), how it is sampled from a running
// cluster (TopSampler: the supervisor's status and last events, each member's `mntr`, its RSS
// from /proc), and how it is laid out for a terminal of a given width (RenderTop, pure).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::cli {

struct TopMember {
  int id = 0;
  std::string role;     // the status role: leader, follower, looking, stopped, paused, ...
  std::string process;  // running, stopped, paused, crashed
  int pid = 0;          // 0: not running
  int64_t epoch = -1;
  std::string zxid = "-";
  int64_t sessions = -1;  // mntr num_alive_connections
  double ops_per_s = -1;  // mntr packets_received, per second since the last sample
  double avg_latency_ms = -1;
  int64_t max_latency_ms = -1;
  int64_t outstanding = -1;  // mntr outstanding_requests
  int64_t rss_kb = -1;
  int64_t uptime_ms = 0;
  std::string links = "-";  // this member's links: "direct", "ok", "2 cut", "1 slow"
};

struct TopFrame {
  std::string title;  // "cluster 'name' (zkd), supervisor pid N"
  std::vector<TopMember> members;
  std::string quorum;               // the `status` quorum line
  std::string links;                // the `status` links line ("" for direct links)
  std::vector<std::string> events;  // the newest timeline lines, oldest first
  std::string error;      // set when the supervisor did not answer; nothing else is then valid
  nlohmann::json status;  // the supervisor's status reply it was made from (links and all)
};

class TopSampler {
 public:
  explicit TopSampler(std::string cluster_dir) : dir_(std::move(cluster_dir)) {}
  // One blocking sample (a paused member costs its mntr timeout, 200 ms).
  TopFrame Sample(int events_wanted);
  const std::string& dir() const { return dir_; }

 private:
  struct Counter {
    int pid = 0;
    int64_t packets = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::string dir_;
  std::map<int, Counter> last_;  // by member id
};

// The screen as lines no wider than `width`; columns that do not fit are left out, least
// important first (pid, outstanding, uptime, RSS, ...). Line first_member_line + i is member i;
// the member at index `selected` (-1: none) is marked with '>' in the first column.
struct TopLayout {
  std::vector<std::string> lines;
  int first_member_line = 0;
};
TopLayout RenderTop(const TopFrame& frame, int width, int max_events, int selected = -1);

}  // namespace pc::cli
