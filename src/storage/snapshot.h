// Snapshots: `<dataDir>/version-2/snapshot.<hex zxid>`, after ZooKeeper's layout
// (docs/storage.md, Snapshots):
//   FileHeader{int magic "ZKSN" 0x5A4B534E, int version 2, long dbid -1}
//   int session count, then (long id, int timeout) each
//   ACL cache: int count, then (long ref, vector<ACL>) each; a node stores only its ref, and
//     ref -1 is OPEN_ACL_UNSAFE (world:anyone ALL), as ZooKeeper's ReferenceCountedACLCache
//   nodes in pre-order, children sorted: (ustring path, buffer data, long aclRef,
//     StatPersisted{czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
//     pzxid}); the root's path is ""; terminator: ustring "/"
//   long end_zxid   <- pseudo-cluster's addition: see "fuzzy" below
//   seal: long Adler32 of every byte before it, then ustring "/"
//
// Fuzzy snapshots, as ZooKeeper: the server must not stall while 1M nodes are written, so
// SnapshotSerializer walks the tree in chunks (Step) between the loop's other work while writes
// continue, and the bytes go to disk on a worker thread (WriteSnapshot). The file is named by
// `zxid`, the last txn applied when the walk started: every txn <= zxid is in it. Txns in
// (zxid, end_zxid] — applied while the walk ran — may be in it wholly, partly or not at all;
// recovery replays them from the log idempotently (recovery.h) before replaying the rest.
// The sessions are copied at the start (exact at `zxid`).
//
// Threads: SnapshotSerializer runs on the thread that owns the DataTree (the loop), with the
// tree unchanged during each Step; SnapshotImage is a value that may move to any thread;
// WriteSnapshot / ReadSnapshot / FindSnapshots are blocking and thread-agnostic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/sessions.h"
#include "storage/disk.h"
#include "storage/status.h"
#include "tree/data_tree.h"

namespace zk::storage {

inline constexpr int32_t kSnapshotMagic = 0x5A4B534E;  // "ZKSN"
inline constexpr int32_t kSnapshotVersion = 2;

// Sessions as Core::Restore takes them: id -> timeout_ms.
using SessionMap = std::map<int64_t, int32_t>;
SessionMap SessionsOf(const SessionTable& sessions);

// A serialized snapshot, not yet sealed or written.
struct SnapshotImage {
  int64_t zxid = 0;
  int64_t end_zxid = 0;
  std::string head;   // header, sessions, ACL cache
  std::string nodes;  // nodes, terminator, end_zxid
  size_t node_count = 0;
};

class SnapshotSerializer {
 public:
  // `tree` must outlive the serializer; `zxid` is the tree's last applied zxid now.
  // `buffer`: the nodes buffer of an earlier image to write into again (cleared, its capacity
  // kept), so a server taking snapshots one after another does not fault in fresh pages for each.
  // `whole_image` false: the caller drains the nodes as it goes (TakeNodes), so the buffer is
  // not sized for the whole tree up front.
  SnapshotSerializer(const DataTree& tree, SessionMap sessions, int64_t zxid,
                     std::string buffer = {}, bool whole_image = true);

  // For a file written while it is serialized (SaveSnapshot): the ACL cache precedes the nodes,
  // so the ACLs are gathered first by a walk that writes nothing; Head() is then final as long
  // as the tree does not change until Finish.
  void CollectAcls();
  // Header, sessions and the ACL cache of the nodes met so far.
  std::string Head() const;
  // Moves the node bytes serialized since the last call into *out (its old contents dropped,
  // its buffer kept for the next ones).
  void TakeNodes(std::string* out);
  size_t pending_bytes() const { return nodes_.size(); }

  // Serializes up to `max_nodes` more nodes in pre-order, resuming after the last one written
  // even if the tree changed since (deleted ancestors are skipped, new nodes after the cursor
  // are included). Returns true once the whole tree has been walked.
  bool Step(size_t max_nodes);
  bool done() const { return done_; }
  size_t nodes_written() const { return node_count_; }
  // After Step() returned true. `end_zxid`: the tree's last applied zxid now. The image's
  // nodes are those not taken by TakeNodes, then the terminator and end_zxid.
  SnapshotImage Finish(int64_t end_zxid);

 private:
  void WriteNode(const std::string& path, const Node& node);
  int64_t AclRef(const SharedAcl& acl);

  const DataTree& tree_;
  SessionMap sessions_;
  int64_t zxid_;
  std::string nodes_;
  std::map<AclList, int64_t> acl_refs_;
  SharedAcl last_acl_;
  int64_t last_ref_ = -2;
  std::string cursor_;  // path of the last node written
  bool started_ = false;
  bool done_ = false;
  size_t node_count_ = 0;
};

// Seals the image and writes it as snapshot.<hex zxid>: temp file, fsync, rename, fsync of the
// directory. Blocking (a worker thread). The directory is created if needed.
Status WriteSnapshot(const std::string& data_dir, const SnapshotImage& image);
// Serializes the whole tree at once and writes it, a few MB at a time (an ensemble member's
// snapshot child, a learner's SNAP, tests): the tree must not change meanwhile. Blocking.
Status SaveSnapshot(const std::string& data_dir, const DataTree& tree, const SessionMap& sessions,
                    int64_t zxid);

struct LoadedSnapshot {
  DataTree tree;
  SessionMap sessions;
  int64_t zxid = 0;
  int64_t end_zxid = 0;
  size_t node_count = 0;
};
// Reads and validates (seal first, then structure) one snapshot file.
Status ReadSnapshot(const std::string& path, LoadedSnapshot* out);
// The same checks over bytes in memory (a SNAP from a leader); `path` names them in errors.
Status ParseSnapshot(std::string_view data, const std::string& path, LoadedSnapshot* out);
// The image with its seal, as the file would hold it.
std::string SealedSnapshot(const SnapshotImage& image);
// snapshot.<hex> files in `<dataDir>/version-2`, newest first.
std::vector<ZxidFile> FindSnapshots(const std::string& data_dir);
// Cheap check (size and the trailing seal) without reading the file, as ZooKeeper's
// Util.isValidSnapshot; used by Purge to count retained snapshots.
bool SnapshotLooksComplete(const std::string& path);

}  // namespace zk::storage
