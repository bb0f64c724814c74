// UiFeed: everything the web page shows, as one ordered log of JSON items the page replays (time
// travel) and then follows live. Three producer threads talk to the supervisor over its control
// socket, exactly as the command line does: the timeline (`events --follow`), the election
// facts (`events --votes --follow`), and a status sample every second (the supervisor's status
// plus each member's mntr and RSS, as `top` shows them). Items: {"seq", "type": "event" |
// "vote" | "status", ...}. Bounded: the oldest items go first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace pc::ui {

class UiFeed {
 public:
  static constexpr size_t kItemsMax = 20000;
  explicit UiFeed(std::string cluster_dir);
  ~UiFeed();
  UiFeed(const UiFeed&) = delete;
  UiFeed& operator=(const UiFeed&) = delete;

  // The items after `after_seq` (all of them for -1), waiting up to timeout_ms for one.
  std::vector<nlohmann::json> After(int64_t after_seq, int timeout_ms);
  // False once the supervisor's event stream ended (the cluster went down).
  bool alive() const { return alive_; }
  void Stop();

 private:
  void Add(nlohmann::json item);
  void FollowEvents(bool votes);
  void SampleStatus();

  const std::string dir_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<nlohmann::json> items_;
  int64_t next_seq_ = 0;
  std::atomic<bool> stop_{false}, alive_{true};
  std::vector<std::thread> threads_;
};

}  // namespace pc::ui
