// EnsembleNode's storage path (ensemble_node.h): the log's group commit on the LogSyncer thread,
// the epoch files and snapshots, and the one rule for a durable step that fails. Loop thread.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

#include "proto/zxid.h"
#include "server/clock.h"
#include "server/ensemble_node.h"
#include "storage/disk.h"
#include "storage/epoch_file.h"
#include "storage/log_cut.h"
#include "storage/recovery.h"
#include "storage/snapshot.h"

namespace zk {
namespace {

// Out of the quorum, a member tries a write this often; a probe is one file of kProbeBytes in
// dataDir (and dataLogDir), written, synced and removed. Big enough that a disk with a few
// blocks left does not pass it only to fail the next epoch write again at once.
constexpr int64_t kProbeIntervalMs = 1000;
constexpr size_t kProbeBytes = 64 * 1024;
constexpr char kProbeFile[] = "zkd-probe";

// A learner's batch this small is synced on its loop (ensemble_node.h): a few requests of
// clients that wait for each answer. Past it, the log's thread takes it and the loop reads on.
constexpr size_t kInlineSyncEntriesMax = 4;
constexpr size_t kInlineSyncBytesMax = 64 * 1024;

storage::Status ProbeWrite(const std::string& dir) {
  const std::string bytes(kProbeBytes, '\0');
  if (auto s = storage::WriteFileAtomically(dir, kProbeFile, {bytes}); !s.ok()) return s;
  ::unlink((dir + "/" + kProbeFile).c_str());
  return storage::Status::Ok();
}

}  // namespace

bool EnsembleNode::CarryDurable(Ready& ready) {
  // An epoch the file already holds is not written again: a member that rejoins the epoch it
  // was in (a DIFF after a pause) would otherwise wait for the whole log and three disk syncs
  // for nothing. Its ACK of NEWLEADER still waits for the DIFF's txns to be synced (held_).
  if (ready.accepted_epoch && *ready.accepted_epoch == recorded_.accepted_epoch) {
    ready.accepted_epoch.reset();
  }
  if (ready.current_epoch && *ready.current_epoch == recorded_.current_epoch) {
    ready.current_epoch.reset();
  }
  if (ready.accepted_epoch || ready.current_epoch || ready.snapshot_zxid || ready.truncate_zxid) {
    FlushLog();
  }
  bool ok = true;
  if (ready.accepted_epoch) {
    ok = Recorded(
        storage::kAcceptedEpochFile,
        storage::WriteEpoch(config_.data_dir, storage::kAcceptedEpochFile, *ready.accepted_epoch));
    if (ok) recorded_.accepted_epoch = *ready.accepted_epoch;
  }
  if (ok && ready.current_epoch) {
    ok = Recorded(
        storage::kCurrentEpochFile,
        storage::WriteEpoch(config_.data_dir, storage::kCurrentEpochFile, *ready.current_epoch));
    if (ok) recorded_.current_epoch = *ready.current_epoch;
  }
  if (ready.snapshot_zxid) {
    AbortSnapshot();  // it was walking the tree the SNAP has just replaced
    // The leader replaced our state. Until its snapshot is on disk, our old files are the only
    // durable history we have: they stay, and what follows the SNAP is not appended to them.
    if (ok) ok = Recorded("the leader's snapshot", InstallSnapshot(*ready.snapshot_zxid));
    if (ok) {
      spdlog::info("state replaced by the leader's snapshot at zxid {}",
                   ZxidHex(*ready.snapshot_zxid));
    } else {
      fault_.snapshot_owed = true;
    }
  }
  if (ok && ready.truncate_zxid) Truncate(*ready.truncate_zxid);
  for (const auto& a : ready.log_appends) {
    if (fault_.snapshot_owed) break;  // memory has moved past the disk: a snapshot catches up
    if (!Recorded("the log", log_->Append(a.zxid, a.txn))) {
      fault_.snapshot_owed = true;  // this txn is in memory only
      ok = false;
    }
    if (test_leak_bytes_per_txn_ > 0) {
      // The planted leak: never freed, and written so that its pages count in the RSS.
      std::memset(new char[test_leak_bytes_per_txn_], 1, test_leak_bytes_per_txn_);
    }
  }
  if (fault_.snapshot_owed) ready.log_appends.clear();
  return ok;
}

bool EnsembleNode::Recorded(const char* what, const storage::Status& s) {
  if (s.ok()) return true;
  if (fault_.failed) return false;  // already out; said so once
  fault_.failed = true;
  fault_.next_probe_ms = SteadyMs() + kProbeIntervalMs;
  const std::string error = s.error_number() != 0 ? std::strerror(s.error_number()) : s.message();
  spdlog::error(
      "cannot record {}: {}; left the quorum: not voting, acking or leading until a probe write "
      "to {} succeeds (every {} ms), then rejoining through an election",
      what, s.message(), config_.data_dir, kProbeIntervalMs);
  if (events_) events_->StorageFailed(what, error, s.message());
  replica_->StorageFailed(recorded_);
  return false;
}

bool EnsembleNode::LogSynced(const storage::Status& s) {
  // A sync that fails is retried (the batch stays pending): the member stays in the quorum and
  // acknowledges nothing the failed batch covers, as with a full log disk today.
  if (s.ok()) return true;
  spdlog::error("{}: not acknowledging until the log syncs", s.message());
  return false;
}

storage::Status EnsembleNode::InstallSnapshot(int64_t zxid) {
  const Core& core = replica_->core();
  if (auto s = storage::SaveSnapshot(config_.data_dir, core.tree(),
                                     storage::SessionsOf(core.sessions()), zxid);
      !s.ok()) {
    return s;
  }
  // Only now may every log file go (what they hold beyond the snapshot is another history; the
  // leader sends what follows). Dropped before the snapshot was durable, a crash would leave
  // this member with neither (ZOOKEEPER-3642).
  (void)log_->Roll();  // idle: the caller flushed it
  for (const auto& f : storage::ListZxidFiles(storage::VersionDir(config_.data_log_dir), "log")) {
    ::unlink(f.path.c_str());
  }
  log_ = std::make_unique<storage::TxnLog>(
      config_.data_log_dir, storage::TxnLogOptions{config_.prealloc_kb * 1024, config_.force_sync});
  return storage::Status::Ok();
}

void EnsembleNode::Truncate(int64_t zxid) {
  const int64_t start_ms = SteadyMs();
  (void)log_->Roll();  // idle: the caller flushed it
  log_.reset();        // closed before its files are cut
  storage::CutResult cut;
  storage::Status s = storage::CutHistoryAfter(config_.data_dir, config_.data_log_dir, zxid, &cut);
  storage::RecoveryResult recovered;
  if (s.ok() && !cut.refused.empty()) {
    // Nothing was cut: the state stays as it is, and the Replica asks its leader for a SNAP.
    spdlog::warn("TRUNC to {} not carried out: {}; asking the leader for a snapshot instead",
                 ZxidHex(zxid), cut.refused);
    log_ = std::make_unique<storage::TxnLog>(
        config_.data_log_dir,
        storage::TxnLogOptions{config_.prealloc_kb * 1024, config_.force_sync});
    replica_->Truncated([](Core&) {});
    return;
  }
  if (s.ok()) {
    replica_->Truncated([&](Core& core) {
      core.Restore(DataTree(), {}, 0);  // recovery starts from an empty tree or a snapshot
      s = storage::Recover(config_.data_dir, config_.data_log_dir, core, &recovered);
    });
  }
  if (!s.ok()) {
    spdlog::critical("the leader's TRUNC to {} could not be carried out: {}; exiting",
                     ZxidHex(zxid), s.message());
    spdlog::shutdown();
    ::_exit(1);
  }
  log_ = std::make_unique<storage::TxnLog>(
      config_.data_log_dir, storage::TxnLogOptions{config_.prealloc_kb * 1024, config_.force_sync});
  spdlog::info(
      "TRUNC: the leader cut our history after {} (proposals never committed): {} snapshot(s) and "
      "{} log file(s) removed{}; state rebuilt at {} ({} txns replayed) in {} ms",
      ZxidHex(zxid), cut.snapshots_removed, cut.log_files_removed,
      cut.log_file_cut ? ", one log file cut" : "", ZxidHex(recovered.last_zxid),
      recovered.txns_replayed, SteadyMs() - start_ms);
}

void EnsembleNode::LogSyncs(const Ready& ready) {
  for (const Ready::SyncReport& r : ready.syncs) {
    if (r.how == ZabType::kTrunc) {
      spdlog::info("synced sid {} by TRUNC to {} then DIFF of {} txns to {}", r.learner,
                   ZxidHex(r.from_zxid), r.txns, ZxidHex(r.to_zxid));
    } else {
      // A DIFF partly from the on-disk log, or a SNAP where the log could not serve one, says so.
      std::string from_log;
      if (r.log_txns > 0) from_log = " (" + std::to_string(r.log_txns) + " from the log)";
      if (!r.note.empty()) from_log = " (not from the log: " + r.note + ")";
      spdlog::info("synced sid {} by {} of {} txns from {} to {}{}", r.learner,
                   ZabTypeName(r.how), r.txns, ZxidHex(r.from_zxid), ZxidHex(r.to_zxid),
                   from_log);
    }
  }
}

void EnsembleNode::ProbeStorage() {
  if (!fault_.failed || SteadyMs() < fault_.next_probe_ms) return;
  fault_.next_probe_ms = SteadyMs() + kProbeIntervalMs;
  for (const std::string& dir : {config_.data_dir, config_.data_log_dir}) {
    if (!ProbeWrite(dir).ok()) return;
  }
  FlushLog();
  if (log_->pending_entries() > 0) return;
  if (fault_.snapshot_owed) {
    // Memory holds what the disk lacks (a SNAP, or txns the log refused): write it all down
    // as a snapshot before this member may count as having it.
    if (!InstallSnapshot(replica_->core().last_zxid()).ok()) return;
    fault_.snapshot_owed = false;
  }
  fault_.failed = false;
  spdlog::info("storage: a probe write to {} succeeded; rejoining through an election",
               config_.data_dir);
  if (events_) events_->StorageRecovered();
  replica_->StorageRecovered();
}

void EnsembleNode::OnSyncCheck(uv_check_t* check) {
  static_cast<EnsembleNode*>(check->data)->SyncPoint();
}

void EnsembleNode::OnSyncPrepare(uv_prepare_t* prepare) {
  static_cast<EnsembleNode*>(prepare->data)->SyncPoint();
}

void EnsembleNode::SyncPoint() {
  // A batch that failed is still pending: it is tried again here, on the next loop turn.
  if (stopped_ || !log_ || !transport_ || syncer_.busy() || log_->pending_entries() == 0) return;
  // A leader keeps its loop free: a quorum of followers' ACKs commits without its own sync
  // (ZooKeeper's rule too), and on a shared disk its sync is now and then the slow one.
  if (replica_->state() == PeerState::kLeading || log_->pending_entries() > kInlineSyncEntriesMax ||
      log_->pending_bytes() > kInlineSyncBytesMax) {
    syncer_.Kick(*log_);  // pipelined load: the loop goes on reading while the disk works
    return;
  }
  transport_->FlushNow();  // what is queued (a forwarded request, say) need not wait for the disk
  storage::SyncJob job;
  if (stopped_ || syncer_.busy() || !log_->BeginSync(&job)) return;
  job.Run();
  SyncFinished(job);
  transport_->FlushNow();  // the ACKs it released, without waiting for the turn's end
}

void EnsembleNode::SyncFinished(storage::SyncJob& job) {
  if (EndBatch(job)) AfterSync();
}

bool EnsembleNode::EndBatch(storage::SyncJob& job) {
  // A failed batch is pending again; the next sync point retries it. Nothing it covers is
  // acknowledged.
  if (!LogSynced(log_->EndSync(&job))) return false;
  replica_->Persisted(log_->last_synced_zxid());
  return true;
}

void EnsembleNode::AfterSync() {
  Release();
  MaybeRoll();
  // Persisted() may have committed (leader), and Release() handed over client outputs.
  HandOver();
}

void EnsembleNode::FlushLog() {
  // The batch out is ended here, not through SyncFinished: the caller does what AfterSync would.
  if (storage::SyncJob job; syncer_.Wait(&job)) EndBatch(job);
  if (log_->pending_entries() > 0) {
    if (LogSynced(log_->Sync())) replica_->Persisted(log_->last_synced_zxid());
  }
  Release();
}

void EnsembleNode::MaybeRoll() {
  if (log_->entries_in_file() < roll_after_entries_) return;
  FlushLog();
  if (log_->pending_entries() > 0) return;  // the sync failed; a later batch tries again
  (void)log_->Roll();
  roll_after_entries_ = storage::RollAfterEntries(config_.snap_count, config_.server_id, ++rolls_);
  StartSnapshot();  // walked between loop turns, written on a worker (ensemble_snapshot.cc)
}

}  // namespace zk
