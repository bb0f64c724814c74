// DurableStore: standalone zkd's storage, the shell that carries out the log part of the
// Standalone machine's Ready (core/standalone.h) on the loop.
//
// Start-up: Recover() loads the newest valid snapshot and replays the log into the machine (the
// caller must not serve if it fails). Serving, with CoreConfig::apply_on_submit = false:
//   - TakeClientOutputs(): takes the machine's Ready, appends its log_appends to the TxnLog in
//     memory (no syscall), in order, and hands the client outputs to the client shell.
//   - Once per loop iteration (a uv_check after the poll that read the requests, and a
//     uv_prepare before the next poll for what timers produced) the pending batch goes to the
//     log's own thread (LogSyncer) — one write, one fdatasync for every request gathered
//     (group commit). While it is on its way, the loop keeps reading, preparing and appending
//     the next batch; at most one batch is out at a time. When it comes back,
//     Standalone::Persisted(last synced zxid) releases the replies, on_outputs() lets the shell drain and
//     flush them, and the next batch leaves at once. Nothing is answered before the sync that
//     covers it returned ok.
//   - After storage::RollAfterEntries() entries in one log file the log rolls and a snapshot
//     is written by a fork()ed child from its copy-on-write image of the tree, exact at the
//     zxid of the roll (SnapshotChild, as an ensemble member's: the loop pays for the fork only).
//   - autopurge (auto_purge.h): with autopurge.purgeInterval > 0 a timer runs Purge on a worker
//     thread (first run at start, as ZooKeeper's DatadirCleanupManager).
//
// A failed write or sync (disk full, I/O error): the batch is given up — the log file is cut back
// to its last synced entry (TxnLog::DiscardPending) and the machine drops its requests in flight
// (Standalone::DropInFlight), so memory and disk agree. The sessions that had requests in that batch
// are handed to on_dropped (the shell closes their connections: the client sees
// CONNECTIONLOSS, "may or may not have been applied", reconnects and keeps its session). From
// then on accepting_writes() is false: the shell answers every later write request at once with
// NOTREADONLY (-119, ZooKeeper's answer from a server that serves reads only; the write was not
// applied), reads are served as usual, and a timer probes the log directory every
// sync_retry_ms; when the probe can allocate a preallocation step again, writes resume. One log
// line when writes stop, one when they resume. Writes the machine makes by itself while stopped
// (session expiry, container checks, new sessions) are dropped the same way and retried by it.
//
// Owned by main; borrows the machine and the loop (both outlive it). Loop thread only, except the
// purge work, which touches only its own files.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <vector>

#include "core/standalone.h"
#include "server/auto_purge.h"
#include "server/config.h"
#include "server/log_syncer.h"
#include "server/snapshot_child.h"
#include "storage/recovery.h"
#include "storage/txn_log.h"

namespace zk {

struct DurableStoreOptions {
  std::string data_dir;
  std::string data_log_dir;
  int64_t snap_count = 100000;           // snapCount
  int64_t server_id = 0;                 // spreads the roll point of ensemble members
  bool force_sync = true;                // forceSync
  int64_t preallocate_bytes = 64 << 20;  // preAllocSize (KB in zoo.cfg)
  int snap_retain_count = 3;             // autopurge.snapRetainCount
  int purge_interval_hours = 0;          // autopurge.purgeInterval; 0 = off
  int64_t sync_retry_ms = 1000;          // probe period while writes are stopped
  static DurableStoreOptions FromConfig(const ServerConfig& config);
};

class DurableStore {
 public:
  DurableStore(uv_loop_t* loop, DurableStoreOptions options, Standalone* machine);
  ~DurableStore();
  DurableStore(const DurableStore&) = delete;
  DurableStore& operator=(const DurableStore&) = delete;

  // Before Start(): recovery into the machine. Returns the storage error line, empty on success.
  std::string Recover(storage::RecoveryResult* result);
  // Starts the loop handles (sync, retry and purge timers).
  void Start();
  // Syncs what is pending (nothing more is answered) and closes the handles. A snapshot child
  // still writing is killed (its temp file removed); a purge on a worker thread finishes.
  void Stop();

  // Takes the machine's Ready: its log appends go to the log (synced by the next group commit),
  // its client outputs into *out (replaced), for the client shell.
  void TakeClientOutputs(std::vector<Output>* out);
  // False after a failed sync until the retry probe succeeds: refuse write requests.
  bool accepting_writes() const { return healthy_; }

  // The machine has outputs (replies released by a commit): drain and flush them.
  std::function<void()> on_outputs;
  // A failed sync dropped the requests of these sessions: close their connections.
  std::function<void(const std::set<int64_t>&)> on_dropped;

  int64_t last_synced_zxid() const { return log_->last_synced_zxid(); }
  int64_t snapshots_written() const { return snapshots_written_; }
  int64_t sync_failures() const { return sync_failures_; }

 private:
  static void OnCheck(uv_check_t* handle);
  static void OnPrepare(uv_prepare_t* handle);
  static void OnRetry(uv_timer_t* handle);

  void Append(const Ready::Append& a);
  void SyncAndCommit();
  void StartSync();
  void SyncDone(storage::SyncJob& job);
  void Fail(const storage::Status& status);
  void DropPending();
  void Probe();
  bool RollDue() const;
  void MaybeRoll();
  void StartSnapshot();
  void SnapshotDone(const storage::Status& s, int64_t zxid);

  uv_loop_t* loop_;
  DurableStoreOptions options_;
  Standalone* machine_;
  Ready ready_;  // TakeClientOutputs', kept for its buffers
  std::unique_ptr<storage::TxnLog> log_;
  int64_t rolls_ = 0;  // log rolls so far
  int64_t roll_after_entries_;
  LogSyncer syncer_;

  uv_check_t check_{};
  uv_prepare_t prepare_{};
  uv_timer_t retry_timer_{};
  AutoPurge purge_;
  bool started_ = false;
  bool stopped_ = false;

  bool healthy_ = true;
  int64_t stopped_since_ms_ = 0;                 // loop time writes stopped
  std::optional<storage::Status> append_error_;  // handled at the next sync point
  std::set<int64_t> unsynced_sessions_;          // sessions with entries in the pending batch
  std::set<int64_t> sessions_in_sync_;           // ... in the batch on the worker

  SnapshotChild snapshot_child_{loop_};
  int64_t snapshots_written_ = 0;
  int64_t sync_failures_ = 0;
  int64_t syncs_ = 0;           // successful syncs with entries (group commits)
  int64_t entries_synced_ = 0;  // entries they covered
};

}  // namespace zk
