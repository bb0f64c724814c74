// RequestWindow: at most `inflight` async requests of one ZkClient outstanding; each completion
// lets the next one go. Counts the answers that were neither ZOK nor ZNODEEXISTS (a create that
// found its znode already there, after a retried connection, is not an error for a bench).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "loadgen/zk_client.h"

namespace pc::loadgen {

class RequestWindow : public Pending {
 public:
  explicit RequestWindow(int inflight) : inflight_(inflight), free_(inflight) {}
  void Done(int rc) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (rc != ZOK && rc != ZNODEEXISTS) ++errors_;
    ++free_;
    cv_.notify_one();
  }
  void Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  // Waits until every request issued has been answered.
  void Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ == inflight_; });
  }
  int64_t errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  const int inflight_;
  int free_;
  int64_t errors_ = 0;
};

}  // namespace pc::loadgen
