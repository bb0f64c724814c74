// An ensemble member's snapshot every snapCount txns, written by a fork()ed child from its
// copy-on-write image of the tree (SnapshotChild, which says why a child rather than walking
// the tree between loop turns as before). The image is exact at the zxid the fork saw: every
// txn up to it, none after. The child streams it to snapshot.<zxid>.tmp, fsyncs and renames it,
// so a snapshot is complete or absent, as before.
#include <spdlog/spdlog.h>

#include "proto/zxid.h"
#include "server/clock.h"
#include "server/ensemble_node.h"

namespace zk {

void EnsembleNode::StartSnapshot() {
  if (snapshot_child_.running()) {
    spdlog::warn("Too busy to snap, skipping (the previous snapshot is still being taken)");
    return;
  }
  const Core& core = replica_->core();
  const int64_t zxid = core.last_zxid();
  const std::string data_dir = config_.data_dir;
  // Runs in the child, on its copy of the tree and sessions.
  auto work = [&core, data_dir, zxid] {
    return storage::SaveSnapshot(data_dir, core.tree(), storage::SessionsOf(core.sessions()), zxid);
  };
  std::string tmp_path =
      storage::VersionDir(data_dir) + "/" + storage::ZxidFileName("snapshot", zxid) + ".tmp";
  snapshot_started_ms_ = SteadyMs();
  std::string error;
  if (!snapshot_child_.Start(
          work, std::move(tmp_path),
          [this, zxid](const storage::Status& s) { SnapshotDone(s, zxid); }, &error)) {
    // Not a disk fault: the member stays, the log keeps everything, the next roll tries again.
    spdlog::error("snapshot at zxid {} not taken: {}", ZxidHex(zxid), error);
  }
}

void EnsembleNode::SnapshotDone(const storage::Status& s, int64_t zxid) {
  if (s.ok()) {
    // The bench (snapshot_latency.cc) reads the time from the last ", <n> ms".
    spdlog::info("snapshot at zxid {} written by a child process (fork {} us), {} ms",
                 ZxidHex(zxid), snapshot_child_.fork_us(), SteadyMs() - snapshot_started_ms_);
  } else if (!stopped_) {
    // As when it was written on the loop: a member that cannot write leaves the quorum until
    // a probe write succeeds (ensemble_storage.cc).
    Recorded("a snapshot", s);
    HandOver();
  }
}

void EnsembleNode::AbortSnapshot() {
  if (!snapshot_child_.running()) return;
  // Its image is of the state the SNAP replaces; the SNAP's own snapshot is written next, and
  // an older file finished behind it would only confuse a reader of the directory.
  spdlog::info("snapshot being written dropped: the state is being replaced");
  snapshot_child_.Kill();
}

void EnsembleNode::StopSnapshots() { snapshot_child_.Kill(); }

}  // namespace zk
