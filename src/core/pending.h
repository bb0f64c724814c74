// PendingView: what Prepare checks a request against — the tree, overlaid with the changes of
// requests prepared but not yet applied (ZooKeeper's "outstanding changes"). Within a multi, each
// op sees the ops before it; a failed multi is rolled back. Once a txn is applied, its changes are
// forgotten (the tree has them). Pure.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/records.h"
#include "tree/data_tree.h"

namespace zk {

struct NodeRecord {
  Stat stat;
  int32_t child_count = 0;
  AclList acl;
};

class PendingView {
 public:
  explicit PendingView(const DataTree& tree) : tree_(&tree) {}
  void set_tree(const DataTree& tree) { tree_ = &tree; }

  // The node as the next request must see it; nullopt if it does not exist.
  std::optional<NodeRecord> Get(const std::string& path) const;
  void Put(int64_t zxid, const std::string& path, NodeRecord record);
  void Erase(int64_t zxid, const std::string& path);
  // Drops the changes made under `zxid` (a multi that failed part-way).
  void Rollback(int64_t zxid);
  // The txns up to `zxid` are applied to the tree: their changes are no longer pending.
  void Forget(int64_t zxid);
  void Clear();
  size_t size() const { return order_.size(); }

 private:
  using Change = std::pair<int64_t, std::optional<NodeRecord>>;
  void Push(int64_t zxid, const std::string& path, std::optional<NodeRecord> record);
  const DataTree* tree_;
  std::map<std::string, std::deque<Change>> changes_;
  std::deque<std::pair<int64_t, std::string>> order_;
};

}  // namespace zk
