#include "server/log_syncer.h"

#include <utility>

namespace zk {

LogSyncer::~LogSyncer() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LogSyncer::Start(Done on_done) {
  on_done_ = std::move(on_done);
  uv_async_init(loop_, &async_, OnAsync);
  async_.data = this;
  thread_ = std::thread([this] { ThreadMain(); });
  started_ = true;
}

void LogSyncer::Submit(storage::SyncJob job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = std::move(job);
    has_job_ = true;
    done_ = false;
  }
  busy_ = true;
  cv_.notify_all();
}

bool LogSyncer::Kick(storage::TxnLog& log) {
  if (busy_ || log.pending_entries() == 0) return false;
  storage::SyncJob job;
  if (!log.BeginSync(&job)) return false;
  Submit(std::move(job));
  return true;
}

void LogSyncer::ThreadMain() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return has_job_ || quit_; });
    if (!has_job_) return;  // quit with nothing out
    lock.unlock();
    job_.Run();
    lock.lock();
    has_job_ = false;
    done_ = true;
    cv_.notify_all();
    uv_async_send(&async_);
  }
}

void LogSyncer::OnAsync(uv_async_t* handle) { static_cast<LogSyncer*>(handle->data)->Complete(); }

void LogSyncer::Complete() {
  storage::SyncJob job;
  if (TakeDone(&job)) on_done_(job);
}

bool LogSyncer::TakeDone(storage::SyncJob* job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_) return false;  // a wake-up for a job Wait() already took
    done_ = false;
  }
  busy_ = false;
  *job = std::move(job_);  // the caller may Submit the next one
  return true;
}

bool LogSyncer::Wait(storage::SyncJob* job) {
  if (!busy_) return false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  return TakeDone(job);
}

void LogSyncer::Stop() {
  if (!started_) return;
  started_ = false;
  if (storage::SyncJob job; Wait(&job)) on_done_(job);
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

}  // namespace zk
