// PendingView: what Prepare checks a request against — the tree, overlaid with the changes of
// requests prepared but not yet applied (ZooKeeper's "outstanding changes"). Within a multi, each
// op sees the ops before it; a failed multi leaves no overlay behind. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>

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
  explicit PendingView(const DataTree& tree) : tree_(tree) {}
  // The node as the next request must see it; nullopt if it does not exist.
  std::optional<NodeRecord> Get(const std::string& path) const;
  void Put(const std::string& path, NodeRecord record) { changes_[path] = std::move(record); }
  void Erase(const std::string& path) { changes_[path] = std::nullopt; }
  void Clear() { changes_.clear(); }

 private:
  const DataTree& tree_;
  std::map<std::string, std::optional<NodeRecord>> changes_;
};

}  // namespace zk
