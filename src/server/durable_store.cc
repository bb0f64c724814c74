#include "server/durable_store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "proto/zxid.h"
#include "server/clock.h"
#include "storage/disk.h"

namespace zk {
namespace {

constexpr int64_t kProbeBytesMin = 64 * 1024;

// Can the log directory take another preallocation step? Allocates `bytes` in a scratch file,
// writes and syncs a page of it, and removes it.
storage::Status ProbeWritable(const std::string& dir, int64_t bytes) {
  std::string path = dir + "/.zkd-write-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return storage::Status::Error(storage::ErrnoMessage("probe: create", path, errno));
  storage::Status status;
  int rc = ::posix_fallocate(fd, 0, bytes);
  if (rc == EOPNOTSUPP || rc == EINVAL) rc = 0;  // the write below still tests the space
  if (rc != 0) {
    status = storage::Status::Error(storage::ErrnoMessage("probe: allocate", path, rc));
  } else {
    std::string page(4096, '\0');
    status = storage::PWriteAll(fd, page, 0, path);
    if (status.ok() && ::fdatasync(fd) != 0) {
      status = storage::Status::Error(storage::ErrnoMessage("probe: fdatasync", path, errno));
    }
  }
  ::close(fd);
  ::unlink(path.c_str());
  return status;
}

}  // namespace

DurableStoreOptions DurableStoreOptions::FromConfig(const ServerConfig& config) {
  DurableStoreOptions o;
  o.data_dir = config.data_dir;
  o.data_log_dir = config.data_log_dir;
  o.snap_count = config.snap_count;
  o.server_id = config.server_id;
  o.force_sync = config.force_sync;
  o.preallocate_bytes = config.prealloc_kb * 1024;
  o.snap_retain_count = config.snap_retain_count;
  o.purge_interval_hours = config.purge_interval_hours;
  return o;
}

DurableStore::DurableStore(uv_loop_t* loop, DurableStoreOptions options, Standalone* machine)
    : loop_(loop),
      options_(std::move(options)),
      machine_(machine),
      log_(std::make_unique<storage::TxnLog>(
          options_.data_log_dir,
          storage::TxnLogOptions{options_.preallocate_bytes, options_.force_sync})),
      roll_after_entries_(storage::RollAfterEntries(options_.snap_count, options_.server_id, 0)),
      syncer_(loop),
      purge_(loop, options_.data_dir, options_.data_log_dir, options_.snap_retain_count,
             options_.purge_interval_hours) {}

DurableStore::~DurableStore() = default;

std::string DurableStore::Recover(storage::RecoveryResult* result) {
  int64_t start = SteadyMs();
  storage::Status s = machine_->Recover([&](Core& core) {
    return storage::Recover(options_.data_dir, options_.data_log_dir, core, result);
  });
  if (!s.ok()) return s.message();
  spdlog::info(
      "recovered zxid {} in {} ms: {} ({} nodes) + {} txns from the log; {} sessions",
      ZxidHex(result->last_zxid), SteadyMs() - start,
      result->snapshot.empty() ? std::string("no snapshot") : "snapshot " + result->snapshot,
      result->snapshot_nodes, result->txns_replayed, machine_->core().sessions().size());
  return {};
}

void DurableStore::Start() {
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, OnCheck);
  uv_prepare_init(loop_, &prepare_);
  prepare_.data = this;
  uv_prepare_start(&prepare_, OnPrepare);
  uv_timer_init(loop_, &retry_timer_);
  retry_timer_.data = this;
  syncer_.Start([this](storage::SyncJob& job) { SyncDone(job); });
  purge_.Start();
  started_ = true;
  spdlog::info(
      "txn log in {} (forceSync={}, preAllocSize={} KB); roll and snapshot after {} entries "
      "this time, drawn per roll from snapCount/2+1..snapCount (snapCount {})",
      log_->dir(), options_.force_sync ? "yes" : "no", options_.preallocate_bytes / 1024,
      roll_after_entries_, options_.snap_count);
}

void DurableStore::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // A batch on its way comes back first (SyncDone, being stopped, syncs the rest).
  if (storage::SyncJob job; syncer_.Wait(&job)) SyncDone(job);
  if (healthy_ && log_->pending_entries() > 0) {
    // Not answered any more, but durable is no worse than lost for an unanswered request.
    if (storage::Status s = log_->Sync(); !s.ok()) spdlog::warn("{}", s.message());
  }
  snapshot_child_.Kill();
  if (syncs_ > 0) {
    spdlog::info("txn log: {} entries in {} group commits ({:.1f} per sync), {} snapshots",
                 entries_synced_, syncs_, static_cast<double>(entries_synced_) / syncs_,
                 snapshots_written_);
  }
  if (!started_) return;
  syncer_.Stop();
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&check_), reinterpret_cast<uv_handle_t*>(&prepare_),
        reinterpret_cast<uv_handle_t*>(&retry_timer_)}) {
    uv_close(h, nullptr);
  }
  purge_.Stop();
}

void DurableStore::TakeClientOutputs(std::vector<Output>* out) {
  machine_->TakeReady(&ready_);
  for (const Ready::Append& a : ready_.log_appends) Append(a);
  out->swap(ready_.client_outputs);
}

void DurableStore::Append(const Ready::Append& a) {
  if (stopped_) return;
  unsynced_sessions_.insert(a.session_id);
  if (append_error_) return;  // the batch is given up at the next sync point anyway
  if (storage::Status s = log_->Append(a.zxid, a.txn); !s.ok()) append_error_ = s;
}

// ---- group commit ----

void DurableStore::OnCheck(uv_check_t* handle) {
  static_cast<DurableStore*>(handle->data)->SyncAndCommit();
}

void DurableStore::OnPrepare(uv_prepare_t* handle) {
  static_cast<DurableStore*>(handle->data)->SyncAndCommit();
}

void DurableStore::SyncAndCommit() {
  if (stopped_ || log_->sync_in_flight()) return;  // SyncDone() comes back here
  if (append_error_) {
    storage::Status s = *append_error_;
    append_error_.reset();
    Fail(s);
    return;
  }
  if (log_->pending_entries() == 0) return;
  if (!healthy_) {
    DropPending();  // writes the Core made by itself while stopped; it retries them
    return;
  }
  StartSync();
}

void DurableStore::StartSync() {
  if (!syncer_.Kick(*log_)) return;
  sessions_in_sync_.swap(unsynced_sessions_);
  unsynced_sessions_.clear();
}

void DurableStore::SyncDone(storage::SyncJob& job) {
  size_t entries = job.entries;
  storage::Status s = log_->EndSync(&job);
  int64_t job_zxid = log_->last_synced_zxid();
  if (stopped_) {
    // Not answered any more, but durable is no worse than lost for an unanswered request.
    if (s.ok()) s = log_->Sync();
    if (!s.ok()) spdlog::warn("{}", s.message());
    return;
  }
  if (!s.ok()) {
    // The failed batch is pending again, ahead of what came after it: both are given up.
    unsynced_sessions_.insert(sessions_in_sync_.begin(), sessions_in_sync_.end());
    sessions_in_sync_.clear();
    Fail(s);
    return;
  }
  ++syncs_;
  entries_synced_ += static_cast<int64_t>(entries);
  sessions_in_sync_.clear();
  // What arrived while this batch was on its way leaves at once, before this batch is applied
  // and answered, so the disk is not idle while the loop works through the replies. Not when a
  // roll is due (the roll wants the log idle) or a failure is to be handled: that goes through
  // Fail, which must come after this batch's commit.
  if (!RollDue() && !append_error_ && healthy_) StartSync();
  machine_->Persisted(job_zxid);
  if (on_outputs) on_outputs();
  MaybeRoll();
  SyncAndCommit();
}

void DurableStore::Fail(const storage::Status& status) {
  ++sync_failures_;
  if (healthy_) {
    healthy_ = false;
    stopped_since_ms_ = static_cast<int64_t>(uv_now(loop_));
    spdlog::error(
        "{}: writes stopped (write requests get NOTREADONLY, reads are served); "
        "probing {} every {} ms",
        status.message(), log_->dir(), options_.sync_retry_ms);
    uv_timer_start(&retry_timer_, OnRetry, static_cast<uint64_t>(options_.sync_retry_ms),
                   static_cast<uint64_t>(options_.sync_retry_ms));
  } else {
    spdlog::debug("{} (writes still stopped)", status.message());
  }
  DropPending();
}

void DurableStore::DropPending() {
  if (storage::Status s = log_->DiscardPending(); !s.ok()) {
    // The half-written batch cannot be taken back: stop here, and let recovery at the next
    // start treat it as the torn tail it is.
    spdlog::critical("{}: cannot undo a failed log write; exiting", s.message());
    spdlog::default_logger()->flush();
    ::_exit(1);
  }
  machine_->DropInFlight();
  std::set<int64_t> sessions;
  sessions.swap(unsynced_sessions_);
  sessions.erase(0);
  if (on_dropped && !sessions.empty()) on_dropped(sessions);
  if (on_outputs) on_outputs();
}

void DurableStore::OnRetry(uv_timer_t* handle) {
  static_cast<DurableStore*>(handle->data)->Probe();
}

void DurableStore::Probe() {
  if (healthy_ || stopped_) return;
  storage::Status s =
      ProbeWritable(log_->dir(), std::max<int64_t>(kProbeBytesMin, options_.preallocate_bytes));
  if (!s.ok()) {
    spdlog::debug("{}", s.message());
    return;
  }
  healthy_ = true;
  uv_timer_stop(&retry_timer_);
  spdlog::info("txn log directory {} is writable again after {} ms: accepting writes", log_->dir(),
               static_cast<int64_t>(uv_now(loop_)) - stopped_since_ms_);
}

// ---- roll and snapshot ----

bool DurableStore::RollDue() const { return log_->entries_in_file() >= roll_after_entries_; }

void DurableStore::MaybeRoll() {
  if (!RollDue() || log_->sync_in_flight()) return;
  // Roll() syncs the batch that gathered meanwhile on the loop (one sync per roll), so the
  // snapshot below starts from a tree with nothing in flight.
  int64_t pending = static_cast<int64_t>(log_->pending_entries());
  if (storage::Status s = log_->Roll(); !s.ok()) {
    Fail(s);
    return;
  }
  ++rolls_;
  roll_after_entries_ = storage::RollAfterEntries(options_.snap_count, options_.server_id, rolls_);
  if (pending > 0) {
    ++syncs_;
    entries_synced_ += pending;
    unsynced_sessions_.clear();
    machine_->Persisted(log_->last_synced_zxid());
    if (on_outputs) on_outputs();
  }
  StartSnapshot();
}

void DurableStore::StartSnapshot() {
  snapshot_child_.SnapshotCore(machine_->core(), options_.data_dir,
                               [this](const storage::Status& s, int64_t zxid) {
                                 SnapshotDone(s, zxid);
                               });
}

void DurableStore::SnapshotDone(const storage::Status& s, int64_t zxid) {
  if (s.ok()) {
    ++snapshots_written_;
    snapshot_child_.LogWritten(zxid);
  } else {
    // Not fatal: the log still holds everything; the next roll tries again.
    spdlog::warn("snapshot at zxid {} failed: {}", ZxidHex(zxid), s.message());
  }
}

}  // namespace zk
