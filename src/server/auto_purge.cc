#include "server/auto_purge.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "storage/recovery.h"

namespace zk {

namespace {
constexpr uint64_t kMsPerHour = uint64_t{3600} * 1000;
}  // namespace

struct AutoPurge::Work {
  uv_work_t req{};
  AutoPurge* owner = nullptr;
  std::string data_dir;
  std::string data_log_dir;
  int retain = 3;
  std::vector<std::string> removed;
  storage::Status status;
};

AutoPurge::AutoPurge(uv_loop_t* loop, std::string data_dir, std::string data_log_dir,
                     int snap_retain_count, int purge_interval_hours)
    : loop_(loop),
      data_dir_(std::move(data_dir)),
      data_log_dir_(std::move(data_log_dir)),
      snap_retain_count_(snap_retain_count),
      purge_interval_hours_(purge_interval_hours) {}

void AutoPurge::Start() {
  spdlog::info("autopurge.snapRetainCount set to {}", snap_retain_count_);
  spdlog::info("autopurge.purgeInterval set to {}", purge_interval_hours_);
  if (purge_interval_hours_ <= 0) {
    spdlog::info("Purge task is not scheduled.");
    return;
  }
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  started_ = true;
  const uint64_t period = static_cast<uint64_t>(purge_interval_hours_) * kMsPerHour;
  uv_timer_start(&timer_, OnTimer, 0, period);
}

void AutoPurge::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
}

void AutoPurge::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<AutoPurge*>(timer->data);
  if (self->purging_ || self->stopped_) return;
  self->purging_ = true;
  spdlog::info("Purge task started.");
  auto* work = new Work;
  work->req.data = work;
  work->owner = self;
  work->data_dir = self->data_dir_;
  work->data_log_dir = self->data_log_dir_;
  work->retain = self->snap_retain_count_;
  uv_queue_work(
      self->loop_, &work->req,
      [](uv_work_t* req) {
        auto* w = static_cast<Work*>(req->data);
        w->status = storage::Purge(w->data_dir, w->data_log_dir, w->retain, &w->removed);
      },
      [](uv_work_t* req, int) {
        auto* w = static_cast<Work*>(req->data);
        w->owner->purging_ = false;
        if (!w->status.ok()) {
          spdlog::warn("Purge task failed: {}", w->status.message());
        } else {
          spdlog::info("Purge task completed. ({} old files removed, keeping {} snapshots)",
                       w->removed.size(), w->retain);
        }
        delete w;
      });
}

}  // namespace zk
