// UiFeed: everything the web page shows, as one ordered log of JSON items the page replays (time
// travel) and then follows live. Three producer threads talk to the supervisor over its control
// socket, exactly as the command line does: the timeline (`events --follow`), the election
// facts (`events --votes --follow`), and a status sample every second (the supervisor's status
// plus each member's mntr and RSS, as `top` shows them). Items: {"seq", "type": "event" |
// "vote" | "status" | "gone", ...}. Bounded: the oldest items go first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::ui {

class UiFeed {
 public:
  static constexpr size_t kItemsMax = 20000;
  explicit UiFeed(std::string cluster_dir);
  ~UiFeed();  // the producers stop on their own; they share the log, not this object
  UiFeed(const UiFeed&) = delete;
  UiFeed& operator=(const UiFeed&) = delete;

  // The items after `after_seq` (all of them for -1), waiting up to timeout_ms for one.
  std::vector<nlohmann::json> After(int64_t after_seq, int timeout_ms);
  // False once the supervisor's event stream ended (the cluster went down).
  bool alive() const;

  struct Log;  // the items and the producers' flags (ui_feed.cc)

 private:
  std::shared_ptr<Log> log_;
};

}  // namespace pc::ui
