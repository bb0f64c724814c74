// LogSyncer: the transaction log's syncs on a thread of their own, so the loop keeps reading,
// preparing and appending the next batch while one batch is on its way to disk.
//
//   loop:   log.BeginSync(&job) -> syncer.Submit(job)   ... Append(), Append() ...
//   thread: job.Run()   (pwrite + fdatasync; touches only the job and the file)
//   loop:   on_done(job) -> log.EndSync(&job), then acknowledge what it covered
//
// One job at a time: Kick(log) starts one when none is out and the log has entries waiting.
// Wait() blocks the loop until the job out has come back, for the rare moments that need the log
// idle: a roll, a replaced state, a stop. It hands the job to its caller rather than running
// on_done, because a caller that waits goes on differently from a batch that came back by itself.
// Rolling the log stays with the callers: what a roll brings along differs between the
// standalone and the ensemble server.
// A dedicated thread rather than libuv's pool: a snapshot or purge on the pool never delays a
// sync, and Wait() can block on it.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/txn_log.h"

namespace zk {

class LogSyncer {
 public:
  using Done = std::function<void(storage::SyncJob& job)>;

  explicit LogSyncer(uv_loop_t* loop) : loop_(loop) {}
  ~LogSyncer();
  LogSyncer(const LogSyncer&) = delete;
  LogSyncer& operator=(const LogSyncer&) = delete;

  // Starts the thread and the loop's wake-up handle; on_done runs on the loop thread.
  void Start(Done on_done);
  // Hands a job to the thread. Loop thread; not while busy().
  void Submit(storage::SyncJob job);
  // Starts a sync of `log`'s pending entries unless one is out or nothing waits. Loop thread.
  // Returns whether it started one.
  bool Kick(storage::TxnLog& log);
  bool busy() const { return busy_; }
  // Blocks until the job out is done and moves it to *job; on_done does not run for it (the
  // caller ends it with TxnLog::EndSync). False if no job was out.
  bool Wait(storage::SyncJob* job);
  // Waits for the job out (if any) and runs on_done for it, then ends the thread and closes the
  // handle (the loop can then end).
  void Stop();

 private:
  static void OnAsync(uv_async_t* handle);
  void ThreadMain();
  void Complete();
  // Loop thread: moves a finished job out (false if none is finished: Wait() took it).
  bool TakeDone(storage::SyncJob* job);

  uv_loop_t* loop_;
  uv_async_t async_{};
  Done on_done_;
  std::thread thread_;
  bool started_ = false;
  bool busy_ = false;  // loop's view: a job is out and on_done has not run

  std::mutex mu_;
  std::condition_variable cv_;
  storage::SyncJob job_;  // owned by the thread between Submit and done_
  bool has_job_ = false;
  bool done_ = false;
  bool quit_ = false;
};

}  // namespace zk
