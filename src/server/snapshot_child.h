// SnapshotChild: writes a snapshot from a fork()ed child process, as Redis's BGSAVE does, so
// that the loop does none of the work of a snapshot but the fork itself.
//
// Why a child (measured at 1M znodes, bench/results/snapshot_latency.txt): serializing the tree
// on the loop in slices between requests still put ~1 s of walking in front of the sets that
// landed behind a slice (set p99 during a snapshot 2.8-4.9x the p99 without), and kept a
// ~200 MB image in the server's memory until it was written. fork() instead costs one pause
// while the kernel copies the page tables (a few ms for a ~450 MB server), then the child
// serializes its copy-on-write image of the tree — exact at the zxid of the fork, not fuzzy —
// streams it to `snapshot.<zxid>.tmp`, fsyncs, renames and exits. The server's memory grows only
// by the pages it changes meanwhile (copied on write), for the seconds the child runs.
//
// The child runs one function and _exit()s: it must not touch libuv, spdlog, the other threads'
// objects or any lock they may have held at the fork (glibc's malloc is made safe to use in the
// child by fork itself). Right after the fork it closes every inherited descriptor but its
// report pipe (a client socket closed by the server must not stay open in the child), puts the
// default signal actions back, asks to be killed if the server dies (PR_SET_PDEATHSIG), and
// lowers its CPU priority below the serving processes'. It reports failure as one line on the
// pipe; the server learns the end from the pipe's EOF (the child's exit closes it) and reaps the
// child with waitpid.
//
// Loop thread only. At most one child at a time. The owner must call Kill() (or let the child
// finish) before the loop closes.
#pragma once

#include <uv.h>
#include <sys/types.h>

#include <functional>
#include <string>

#include "core/core.h"
#include "storage/status.h"

namespace zk {

class SnapshotChild {
 public:
  explicit SnapshotChild(uv_loop_t* loop) : loop_(loop) {}
  ~SnapshotChild() { Kill(); }
  SnapshotChild(const SnapshotChild&) = delete;
  SnapshotChild& operator=(const SnapshotChild&) = delete;

  // Forks a child that runs `work` and exits; `done` is called on the loop with work's Status
  // once the child has exited (a child killed by a signal reports that). `tmp_path` is the file
  // the child writes before renaming it: removed if the child is killed. False, with *error set
  // and `done` never called, if the child could not be started (pipe or fork failed).
  bool Start(std::function<storage::Status()> work, std::string tmp_path,
             std::function<void(const storage::Status&)> done, std::string* error);
  bool running() const { return run_ != nullptr; }
  // A server's snapshot: a child writes `core`'s tree and sessions, exact at core.last_zxid(), as
  // data_dir's snapshot.<zxid> (storage::SaveSnapshot); then `done(status, zxid)` as Start's.
  // With a child still running it only logs "Too busy to snap"; a child that could not be
  // started is logged (the log keeps everything; the next roll tries again).
  void SnapshotCore(const Core& core, const std::string& data_dir,
                    std::function<void(const storage::Status&, int64_t zxid)> done);
  // "snapshot at zxid Z written by a child process (fork F us), T ms", T since SnapshotCore.
  void LogWritten(int64_t zxid) const;
  // Microseconds the last fork() took in the server: the pause it costs the loop.
  int64_t fork_us() const { return fork_us_; }
  // Kills a running child (SIGKILL), reaps it and removes its temp file; `done` is not called.
  void Kill();

 private:
  struct Run;
  static void OnRead(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf);
  void Finish(int status);

  uv_loop_t* loop_;
  Run* run_ = nullptr;  // the child now running; freed in its pipe's close callback
  int64_t fork_us_ = 0;
  int64_t snapshot_started_ms_ = 0;  // SnapshotCore's start
};

}  // namespace zk
