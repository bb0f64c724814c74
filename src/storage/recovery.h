// Recovery at start-up and autopurge.
//
// Recover: the newest snapshot that reads back valid (an empty, torn or corrupt one is skipped
// with a warning, falling back to the one before), then the log from snapshot zxid + 1 through
// Core::ApplyTxn. A torn last entry is truncated with one warning line saying how many bytes were
// dropped. A bad checksum before the tail, or history missing in the middle (a deleted log file),
// stops recovery with an error naming the file and offset: committed data is never dropped
// silently. The caller (server start-up) must not serve when it fails.
//
// Fuzzy snapshots (snapshot.h): txns in (zxid, end_zxid] may already be partly in the snapshot.
// They are replayed onto the loaded tree before it is handed to the Core, by rules that make a
// replay of something already applied harmless (ZooKeeper's fix-ups, made complete with czxid):
//   - an op at zxid z targets the incarnation of its node created at or before z: a node whose
//     czxid > z is a later incarnation that the walk already caught, and setData / setACL /
//     delete leave it alone;
//   - create at z of a node already present with czxid >= z: skipped, and the parent's
//     cversion / pzxid raised as the create did; present with czxid < z (its delete was
//     skipped because later children were caught): re-created in place, children kept;
//   - the same holds for parents: a create at z under a parent whose czxid > z belonged to an
//     earlier incarnation of the parent and is skipped;
//   - delete of a node that has children (caught later) is skipped; a delete that finds nothing
//     still raises the parent's pzxid; closeSession deletes only nodes that session owns.
// Everything after end_zxid replays exactly, through Core::ApplyTxn.
//
// Purge (autopurge): keep the N newest complete snapshots and the log files needed to replay
// from the oldest of them; delete older snapshots and logs. Blocking; may run on a worker thread
// while the server writes (it never touches the open log file or a snapshot being written).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"
#include "storage/status.h"
#include "storage/txn_log.h"

namespace zk::storage {

struct RecoveryResult {
  int64_t last_zxid = 0;  // = core.last_zxid()
  std::string snapshot;   // path of the snapshot used; empty = started from an empty tree
  int64_t snapshot_zxid = 0;
  size_t snapshot_nodes = 0;
  int64_t txns_replayed = 0;
  std::vector<std::string> skipped_snapshots;  // one reason each
  TornTail torn_tail;                          // what was truncated, if present()
  // The last `keep_recent` txns replayed (zxid, encoded txn), oldest first, and the zxid just
  // before the first of them: a restarted leader's history for DIFF (core/replica.h).
  std::deque<std::pair<int64_t, std::string>> recent;
  int64_t recent_base = 0;
};

// `data_dir` / `data_log_dir` as in zoo.cfg (files in their version-2 directories). On success
// the Core holds the recovered state; on error its state is unspecified and the caller stops.
Status Recover(const std::string& data_dir, const std::string& data_log_dir, Core& core,
               RecoveryResult* result, size_t keep_recent = 0);

// Removes what autopurge.snapRetainCount no longer needs. `removed` (optional) lists the paths.
Status Purge(const std::string& data_dir, const std::string& data_log_dir, int snap_retain_count,
             std::vector<std::string>* removed = nullptr);

}  // namespace zk::storage
