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
  // Not a disk fault if it cannot start: the member stays, the log keeps everything.
  snapshot_child_.SnapshotCore(replica_->core(), config_.data_dir,
                               [this](const storage::Status& s, int64_t zxid) {
                                 SnapshotDone(s, zxid);
                               });
}

void EnsembleNode::SnapshotDone(const storage::Status& s, int64_t zxid) {
  if (s.ok()) {
    snapshot_child_.LogWritten(zxid);
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
