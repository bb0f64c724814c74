// AutoPurge: ZooKeeper's autopurge (DatadirCleanupManager) for zkd, standalone and ensemble.
// With autopurge.purgeInterval > 0 (hours) a timer runs storage::Purge on a worker thread, first
// at start, then every interval, keeping autopurge.snapRetainCount snapshots and the logs they
// need. At start it logs the settings in ZooKeeper's own words, which the tutorials look for:
//   autopurge.snapRetainCount set to 3
//   autopurge.purgeInterval set to 0
//   Purge task is not scheduled.            (interval 0)  — or, per run, "Purge task started."
//   and "Purge task completed." (with how many files went).
//
// Loop thread only; the purge itself runs on libuv's thread pool and touches only the files.
// Stop() closes the timer; a purge already on a worker finishes (the loop keeps running until
// it has, as for every uv_work_t), so the object must outlive that loop run.
#pragma once

#include <uv.h>

#include <string>

namespace zk {

class AutoPurge {
 public:
  AutoPurge(uv_loop_t* loop, std::string data_dir, std::string data_log_dir, int snap_retain_count,
            int purge_interval_hours);
  AutoPurge(const AutoPurge&) = delete;
  AutoPurge& operator=(const AutoPurge&) = delete;

  void Start();
  void Stop();

 private:
  struct Work;
  static void OnTimer(uv_timer_t* timer);

  uv_loop_t* loop_;
  std::string data_dir_;
  std::string data_log_dir_;
  int snap_retain_count_;
  int purge_interval_hours_;
  uv_timer_t timer_{};
  bool started_ = false;
  bool stopped_ = false;
  bool purging_ = false;
};

}  // namespace zk
