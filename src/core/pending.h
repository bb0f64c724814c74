// PendingView: what Prepare checks a request against — the tree, overlaid with the changes of
// requests prepared but not yet applied (ZooKeeper's "outstanding changes"). Within a multi, each
// op sees the ops before it; a failed multi is rolled back. Once a txn is applied, its changes are
// forgotten (the tree has them). Pure.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proto/records.h"
#include "tree/data_tree.h"

namespace zk {

struct NodeRecord {
  Stat stat;
  int32_t child_count = 0;
  SharedAcl acl;
};

class PendingView {
 public:
  explicit PendingView(const DataTree& tree) : tree_(&tree) {}
  void set_tree(const DataTree& tree) { tree_ = &tree; }

  // The node as the next request must see it; nullopt if it does not exist.
  std::optional<NodeRecord> Get(const std::string& path) const;
  // Whether `path`, a child of `parent_path`, exists as the next request must see it: Get
  // without the record, and without a lookup of `path` in the tree (its parent's children
  // answer, at once for a name after the last child).
  bool ChildExists(std::string_view parent_path, const std::string& path) const;
  void Put(int64_t zxid, const std::string& path, NodeRecord record);
  void Erase(int64_t zxid, const std::string& path);
  // Drops the changes made under `zxid` (a multi that failed part-way).
  void Rollback(int64_t zxid);
  // The txns up to `zxid` are applied to the tree: their changes are no longer pending.
  void Forget(int64_t zxid);
  void Clear();
  size_t size() const { return changes_.size(); }

 private:
  // Per path with pending changes: how many, and which is the newest (its sequence number in
  // changes_). Elements of an unordered_map keep their address until erased, so a change can
  // point at its path's entry for as long as the change exists.
  struct PathChanges {
    size_t count = 0;
    uint64_t newest = 0;
  };
  using Index = std::unordered_map<std::string, PathChanges>;
  // One change, in zxid order; `previous` is the sequence number of the change it covers for
  // the same path (used by Rollback while that change is still pending).
  struct Change {
    int64_t zxid;
    Index::value_type* path;
    std::optional<NodeRecord> record;
    uint64_t previous;
  };
  void Push(int64_t zxid, const std::string& path, std::optional<NodeRecord> record);
  void Drop(Index::value_type* path);
  const Change& At(uint64_t seq) const { return changes_[seq - first_seq_]; }

  const DataTree* tree_;
  Index index_;
  std::deque<Change> changes_;
  uint64_t first_seq_ = 0;  // sequence number of changes_.front()
};

}  // namespace zk
