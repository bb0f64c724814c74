#include "ui/ui_feed.h"

#include <chrono>

#include "cli/top_frame.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

namespace pc::ui {

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

}  // namespace

UiFeed::UiFeed(std::string cluster_dir) : dir_(std::move(cluster_dir)) {
  threads_.emplace_back([this] { FollowEvents(false); });
  threads_.emplace_back([this] { FollowEvents(true); });
  threads_.emplace_back([this] { SampleStatus(); });
}

UiFeed::~UiFeed() { Stop(); }

void UiFeed::Stop() {
  stop_ = true;
  cv_.notify_all();
  for (std::thread& t : threads_) {
    // The followers block in a read on the control socket; they end with the supervisor or at
    // exit. Detach them rather than wait.
    if (t.joinable()) t.detach();
  }
  threads_.clear();
}

void UiFeed::Add(nlohmann::json item) {
  std::lock_guard<std::mutex> lock(mu_);
  item["seq"] = next_seq_++;
  items_.push_back(std::move(item));
  if (items_.size() > kItemsMax) {
    items_.pop_front();
  }
  cv_.notify_all();
}

std::vector<nlohmann::json> UiFeed::After(int64_t after_seq, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return stop_ || (!items_.empty() && items_.back()["seq"].get<int64_t>() > after_seq);
  });
  std::vector<nlohmann::json> out;
  for (const auto& item : items_) {
    if (item["seq"].get<int64_t>() > after_seq) {
      out.push_back(item);
    }
  }
  return out;
}

void UiFeed::FollowEvents(bool votes) {
  nlohmann::json request = {{"cmd", "events"}, {"follow", true}};
  if (votes) {
    request["votes"] = true;
  }
  Request(SocketPath(dir_), request, [&](const nlohmann::json& m) {
    const char* key = votes ? "vote" : "event";
    if (m.contains(key)) {
      Add({{"type", key}, {"event", m[key]}});
    }
  });
  if (!votes) {
    alive_ = false;  // the supervisor closed the stream: it exited
    Add({{"type", "gone"}});
  }
}

void UiFeed::SampleStatus() {
  cli::TopSampler sampler(dir_);
  while (!stop_ && alive_) {
    const auto started = std::chrono::steady_clock::now();
    // Events added while the sample is taken (a paused member's mntr waits 200 ms) may be newer
    // than what it shows: the page applies every event after `after_seq` on top of it.
    int64_t after_seq;
    {
      std::lock_guard<std::mutex> lock(mu_);
      after_seq = next_seq_ - 1;
    }
    const cli::TopFrame frame = sampler.Sample(0);
    if (frame.error.empty()) {
      nlohmann::json members = nlohmann::json::array();
      for (const cli::TopMember& m : frame.members) {
        members.push_back(MemberJson(m));
      }
      Add({{"type", "status"},
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
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, started + std::chrono::seconds(1), [&] { return bool(stop_); });
  }
}

}  // namespace pc::ui
