#include "ui/ui_feed.h"

#include <chrono>
#include <thread>

#include "cli/top_frame.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

namespace pc::ui {

// Shared by the feed and its producer threads, which are detached (a follower blocks in a read
// on the control socket until the supervisor exits): whoever ends last frees it.
struct UiFeed::Log {
  std::string dir;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<nlohmann::json> items;
  int64_t next_seq = 0;
  std::atomic<bool> stop{false}, alive{true};

  void Add(nlohmann::json item) {
    std::lock_guard<std::mutex> lock(mu);
    item["seq"] = next_seq++;
    items.push_back(std::move(item));
    if (items.size() > kItemsMax) {
      items.pop_front();
    }
    cv.notify_all();
  }
};

namespace {

nlohmann::json MemberJson(const cli::TopMember& m) {
  return {{"id", m.id},
          {"role", m.role},
          {"process", m.process},
          {"pid", m.pid},
          {"epoch", m.epoch},
          {"zxid", m.zxid},
          {"sessions", m.sessions},
          {"ops_per_s", m.ops_per_s},
          {"avg_latency_ms", m.avg_latency_ms},
          {"max_latency_ms", m.max_latency_ms},
          {"outstanding", m.outstanding},
          {"rss_kb", m.rss_kb},
          {"uptime_ms", m.uptime_ms}};
}

void FollowEvents(const std::shared_ptr<UiFeed::Log>& log, bool votes) {
  nlohmann::json request = {{"cmd", "events"}, {"follow", true}};
  if (votes) {
    request["votes"] = true;
  }
  const char* key = votes ? "vote" : "event";
  Request(SocketPath(log->dir), request, [&](const nlohmann::json& m) {
    if (m.contains(key)) {
      log->Add({{"type", key}, {"event", m[key]}});
    }
  });
  if (!votes) {
    log->alive = false;  // the supervisor closed the stream: it exited
    log->Add({{"type", "gone"}});
  }
}

void SampleStatus(const std::shared_ptr<UiFeed::Log>& log) {
  cli::TopSampler sampler(log->dir);
  while (!log->stop && log->alive) {
    const auto started = std::chrono::steady_clock::now();
    // Events added while the sample is taken (a paused member's mntr waits 200 ms) may be newer
    // than what it shows: the page applies every event after `after_seq` on top of it.
    int64_t after_seq;
    {
      std::lock_guard<std::mutex> lock(log->mu);
      after_seq = log->next_seq - 1;
    }
    const cli::TopFrame frame = sampler.Sample(0);
    if (frame.error.empty()) {
      nlohmann::json members = nlohmann::json::array();
      for (const cli::TopMember& m : frame.members) {
        members.push_back(MemberJson(m));
      }
      log->Add({{"type", "status"},
                {"after_seq", after_seq},
                {"title", frame.title},
                {"quorum", frame.quorum},
                {"links_line", frame.links},
                {"members", members},
                {"links", frame.status.value("links", nlohmann::json::object())},
                {"wall_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()}});
    }
    std::unique_lock<std::mutex> lock(log->mu);
    log->cv.wait_until(lock, started + std::chrono::seconds(1), [&] { return bool(log->stop); });
  }
}

}  // namespace

UiFeed::UiFeed(std::string cluster_dir) : log_(std::make_shared<Log>()) {
  log_->dir = std::move(cluster_dir);
  std::thread([log = log_] { FollowEvents(log, false); }).detach();
  std::thread([log = log_] { FollowEvents(log, true); }).detach();
  std::thread([log = log_] { SampleStatus(log); }).detach();
}

UiFeed::~UiFeed() {
  log_->stop = true;
  log_->cv.notify_all();
}

bool UiFeed::alive() const { return log_->alive; }

std::vector<nlohmann::json> UiFeed::After(int64_t after_seq, int timeout_ms) {
  std::unique_lock<std::mutex> lock(log_->mu);
  log_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return log_->stop ||
           (!log_->items.empty() && log_->items.back()["seq"].get<int64_t>() > after_seq);
  });
  std::vector<nlohmann::json> out;
  for (const auto& item : log_->items) {
    if (item["seq"].get<int64_t>() > after_seq) {
      out.push_back(item);
    }
  }
  return out;
}

}  // namespace pc::ui
