// The ZooKeeper data tree: znodes with data, ACL and Stat, the built-in /zookeeper nodes,
// ephemeral / container / TTL bookkeeping, and Apply(Txn) — the only way the tree changes.
// Apply is deterministic: the same txns in the same order give the same tree on every replica.
// Pure: no I/O. Lookups by full path (hash map); children and bookkeeping in ordered maps and
// sets, which is what every iteration (dumps, digests, snapshots) uses.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"
#include "tree/child_map.h"
#include "tree/path_map.h"
#include "tree/txn.h"
#include "tree/watches.h"

namespace zk {

struct Node;
// A node's children by name, sorted, each with its node: a walk of the tree (snapshots, dumps)
// follows these pointers instead of looking every path up in the hash map. The nodes live in
// DataTree's PathMap, whose entries keep their address until erased. Kept in contiguous runs
// (child_map.h) so listing 100k children costs per child what listing 10k does.
using Children = ChildMap<const Node*>;

struct Node {
  std::string data;
  bool data_null = false;  // created or set with a null buffer: getData answers null
  SharedAcl acl;
  Stat stat;  // data_length and num_children are kept in step with data and children
  Children children;
};

// The result of applying one op; for multi, one entry per sub-op in `multi`.
struct ApplyResult {
  OpCode type = OpCode::kError;
  Err err = Err::kOk;
  std::string path;  // the created path (with sequence suffix)
  Stat stat;
  std::vector<ApplyResult> multi;
};

// A change that may fire watches: (path, event).
struct Trigger {
  std::string path;
  EventType type;
};

class DataTree {
 public:
  DataTree();
  // Children point into nodes_: a copy would point into the original.
  DataTree(const DataTree&) = delete;
  DataTree& operator=(const DataTree&) = delete;
  DataTree(DataTree&&) = default;
  DataTree& operator=(DataTree&&) = default;

  const Node* Find(std::string_view path) const;
  // Is `name` a child of `parent`? A name after the last child (a sequential create) is answered
  // without a search.
  static bool HasChild(const Node& parent, std::string_view name);
  // ZooKeeper's node count: its table holds the root twice ("" and "/"), and `srvr` / `mntr`
  // report that size, so a fresh server shows 5.
  size_t node_count() const { return nodes_.size() + 1; }
  // Applies one txn. Appends the watch triggers it causes, in order, to *triggers.
  ApplyResult Apply(const Txn& txn, std::vector<Trigger>* triggers);
  // Writes /zookeeper/config (membership text) as ZooKeeper does at start-up: mzxid = config
  // version, Stat version -1, mtime = `wall_ms` (the member's clock when it wrote the node).
  void SetConfig(const std::string& text, int64_t version, int64_t wall_ms);

  const std::map<int64_t, std::set<std::string>>& ephemerals() const { return ephemerals_; }
  size_t ephemeral_count() const;
  const std::set<std::string>& containers() const { return containers_; }
  const std::set<std::string>& ttls() const { return ttls_; }
  // Sum of path lengths and data sizes (mntr approximate_data_size).
  int64_t approximate_data_size() const { return data_size_; }
  // Paths in the subtree under `path` (excluding it) in pre-order, sorted among siblings.
  void ForEachDescendant(const std::string& path,
                         const std::function<void(const std::string&, const Node&)>& fn) const;
  int64_t last_processed_zxid() const { return last_zxid_; }

  // Snapshot loading: inserts a node whose parent is already present (pre-order), keeping the
  // parent's child set and the ephemeral / container / TTL bookkeeping in step. Built-in nodes
  // are replaced. Returns false if the parent is missing.
  bool Restore(const std::string& path, Node node);
  void set_last_processed_zxid(int64_t zxid) { last_zxid_ = zxid; }
  // Snapshot loading: room for `nodes` nodes, so a million arrive without rehashing.
  void Reserve(size_t nodes) { nodes_.Reserve(nodes); }

 private:
  ApplyResult ApplyOp(const TxnHeader& h, const TxnOp& op, std::vector<Trigger>* triggers);
  Err CreateNode(const TxnHeader& h, const TxnOp& op, Stat* out, std::vector<Trigger>* triggers);
  Err DeleteNode(const std::string& path, int64_t zxid, std::vector<Trigger>* triggers);

  PathMap<Node> nodes_;  // every node but none of the built-in ones is special here
  std::map<int64_t, std::set<std::string>> ephemerals_;
  std::set<std::string> containers_;
  std::set<std::string> ttls_;
  int64_t data_size_ = 0;
  int64_t last_zxid_ = 0;
};

// The Stat a client sees (ZooKeeper's DataNode.copyStat): the stored cversion counts child
// creations, a client sees every child change (2 × creations − current children); container and
// TTL markers in ephemeralOwner are shown as 0.
Stat ClientStat(const Stat& stored);

// "/a/b" → "/a"; "/a" → "/"; "/" → "".
std::string_view ParentPath(std::string_view path);
std::string_view BaseName(std::string_view path);

}  // namespace zk
