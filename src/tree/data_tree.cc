#include "tree/data_tree.h"

#include <cassert>

#include "tree/acl.h"

namespace zk {

Stat ClientStat(const Stat& stored) {
  Stat s = stored;
  s.cversion = stored.cversion * 2 - stored.num_children;
  if (stored.ephemeral_owner == kContainerOwner || IsTtlOwner(stored.ephemeral_owner)) {
    s.ephemeral_owner = 0;
  }
  return s;
}

std::string_view ParentPath(std::string_view path) {
  if (path == "/" || path.empty()) return "";
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

DataTree::DataTree() {
  Node root;
  root.acl = OpenAclUnsafe();
  root.stat.num_children = 1;
  Node zookeeper;
  zookeeper.acl = OpenAclUnsafe();
  zookeeper.stat.num_children = 2;
  Node quota;
  quota.acl = OpenAclUnsafe();
  Node config;
  config.acl = ReadAclUnsafe();
  config.stat.aversion = -1;
  Node& root_node = *nodes_.Emplace("/", std::move(root)).first;
  Node& zookeeper_node = *nodes_.Emplace("/zookeeper", std::move(zookeeper)).first;
  const Node* quota_node = nodes_.Emplace("/zookeeper/quota", std::move(quota)).first;
  const Node* config_node = nodes_.Emplace("/zookeeper/config", std::move(config)).first;
  root_node.children.emplace("zookeeper", &zookeeper_node);
  zookeeper_node.children.emplace("config", config_node);
  zookeeper_node.children.emplace("quota", quota_node);
  data_size_ =
      static_cast<int64_t>(std::string("/zookeeper/zookeeper/quota/zookeeper/config").size());
}

const Node* DataTree::Find(std::string_view path) const {
  return nodes_.Find(path.empty() ? std::string_view("/") : path);
}

size_t DataTree::ephemeral_count() const {
  size_t n = 0;
  for (const auto& [sid, paths] : ephemerals_) n += paths.size();
  return n;
}

void DataTree::SetConfig(const std::string& text, int64_t version, int64_t wall_ms) {
  Node& n = *nodes_.Find("/zookeeper/config");
  data_size_ += static_cast<int64_t>(text.size()) - static_cast<int64_t>(n.data.size());
  n.data = text;
  n.stat.data_length = static_cast<int32_t>(text.size());
  n.stat.mzxid = version;
  n.stat.version = -1;
  n.stat.mtime = wall_ms;
}

void DataTree::ForEachDescendant(
    const std::string& path, const std::function<void(const std::string&, const Node&)>& fn) const {
  const Node* n = Find(path);
  if (!n) return;
  std::string prefix = path == "/" ? "/" : path + "/";
  for (const auto& [name, child] : n->children) {
    std::string child_path = prefix + name;
    fn(child_path, *child);
    ForEachDescendant(child_path, fn);
  }
}

bool DataTree::Restore(const std::string& path, Node node) {
  if (path == "/" || path.empty()) {
    Node& root = *nodes_.Find("/");
    root.data = std::move(node.data);
    root.data_null = node.data_null;
    root.stat.data_length = static_cast<int32_t>(root.data.size());
    root.acl = std::move(node.acl);
    root.stat = node.stat;
    root.stat.num_children = static_cast<int32_t>(root.children.size());
    return true;
  }
  std::string parent_path(ParentPath(path));
  Node* parent = nodes_.Find(parent_path);
  if (!parent) return false;
  node.children.clear();
  node.stat.data_length = static_cast<int32_t>(node.data.size());
  node.stat.num_children = 0;
  int64_t owner = node.stat.ephemeral_owner;
  if (Node* old = nodes_.Find(path)) {
    // A built-in node: keep its children, take the stored data and stat.
    node.children = std::move(old->children);
    node.stat.num_children = static_cast<int32_t>(node.children.size());
    data_size_ -= static_cast<int64_t>(path.size() + old->data.size());
    nodes_.Erase(path);
  }
  data_size_ += static_cast<int64_t>(path.size() + node.data.size());
  const Node* placed = nodes_.Emplace(path, std::move(node)).first;
  // A replaced built-in node has moved: point its parent at the new one.
  parent->children.insert_or_assign(std::string(BaseName(path)), placed);
  parent->stat.num_children = static_cast<int32_t>(parent->children.size());
  if (owner == kContainerOwner) {
    containers_.insert(path);
  } else if (IsTtlOwner(owner)) {
    ttls_.insert(path);
  } else if (owner != 0) {
    ephemerals_[owner].insert(path);
  }
  return true;
}

ApplyResult DataTree::Apply(const Txn& txn, std::vector<Trigger>* triggers) {
  ApplyResult result;
  if (txn.header.type == ToInt(OpCode::kMulti)) {
    result.type = OpCode::kMulti;
    bool failed = false;
    for (const auto& op : txn.multi) failed = failed || op.type == OpCode::kError;
    for (const auto& op : txn.multi) {
      ApplyResult sub;
      if (failed) {
        // A failed multi is logged as error txns only; nothing is applied.
        assert(op.type == OpCode::kError);
        sub.type = OpCode::kError;
        sub.err = op.err;
      } else {
        sub = ApplyOp(txn.header, op, triggers);
      }
      if (sub.err != Err::kOk && result.err == Err::kOk) result.err = sub.err;
      result.multi.push_back(std::move(sub));
    }
  } else {
    result = ApplyOp(txn.header, txn.op, triggers);
  }
  if (txn.header.zxid > last_zxid_) last_zxid_ = txn.header.zxid;
  return result;
}

ApplyResult DataTree::ApplyOp(const TxnHeader& h, const TxnOp& op, std::vector<Trigger>* triggers) {
  ApplyResult r;
  r.type = op.type;
  switch (op.type) {
    case OpCode::kCreate:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer:
      r.path = op.path;
      r.err = CreateNode(h, op, &r.stat, triggers);
      break;
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
      r.path = op.path;
      r.err = DeleteNode(op.path, h.zxid, triggers);
      break;
    case OpCode::kSetData: {
      r.path = op.path;
      Node* found = nodes_.Find(op.path);
      if (!found) {
        r.err = Err::kNoNode;
        break;
      }
      Node& n = *found;
      data_size_ += static_cast<int64_t>(op.data.size()) - static_cast<int64_t>(n.data.size());
      n.data = op.data;
      n.data_null = op.data_null;
      n.stat.data_length = static_cast<int32_t>(op.data.size());
      n.stat.version = op.version;
      n.stat.mzxid = h.zxid;
      n.stat.mtime = h.time_ms;
      r.stat = n.stat;
      triggers->push_back({op.path, EventType::kNodeDataChanged});
      break;
    }
    case OpCode::kSetAcl: {
      r.path = op.path;
      Node* n = nodes_.Find(op.path);
      if (!n) {
        r.err = Err::kNoNode;
        break;
      }
      n->acl = op.acl;
      n->stat.aversion = op.version;
      r.stat = n->stat;
      break;
    }
    case OpCode::kCheck: {
      r.path = op.path;
      if (const Node* n = nodes_.Find(op.path)) {
        r.stat = n->stat;
      } else {
        r.err = Err::kNoNode;
      }
      break;
    }
    case OpCode::kError:
      r.err = op.err;
      break;
    case OpCode::kCloseSession: {
      // Delete what the txn names, then anything else the session still owns (a replica that
      // saw more ephemerals than the preparing server must not keep them).
      std::set<std::string> paths(op.paths.begin(), op.paths.end());
      if (auto it = ephemerals_.find(h.client_id); it != ephemerals_.end()) {
        paths.insert(it->second.begin(), it->second.end());
      }
      for (const auto& p : paths) DeleteNode(p, h.zxid, triggers);
      ephemerals_.erase(h.client_id);
      break;
    }
    case OpCode::kCreateSession:
    default:
      break;
  }
  return r;
}

bool DataTree::HasChild(const Node& parent, std::string_view name) {
  const Children& siblings = parent.children;
  if (siblings.empty() || siblings.back().first < name) return false;
  return siblings.find(name) != siblings.end();
}

Err DataTree::CreateNode(const TxnHeader& h, const TxnOp& op, Stat* out,
                         std::vector<Trigger>* triggers) {
  std::string parent_path(ParentPath(op.path));
  Node* parent_node = nodes_.Find(parent_path);
  if (!parent_node) return Err::kNoNode;
  Node& parent = *parent_node;
  std::string name(BaseName(op.path));
  Children& siblings = parent.children;
  bool last = siblings.empty() || siblings.back().first < name;  // sequential: always
  if (!last && siblings.count(name)) return Err::kNodeExists;

  int64_t owner = 0;
  if (op.type == OpCode::kCreateContainer) {
    owner = kContainerOwner;
  } else if (op.type == OpCode::kCreateTtl) {
    owner = kTtlOwnerMask | op.ttl;
  } else if (op.ephemeral) {
    owner = h.client_id;
  }

  int32_t parent_cversion = op.parent_cversion;
  if (parent_cversion == -1) parent_cversion = parent.stat.cversion + 1;
  if (parent_cversion > parent.stat.cversion) {
    parent.stat.cversion = parent_cversion;
    parent.stat.pzxid = h.zxid;
  }
  Node n;
  n.data = op.data;
  n.data_null = op.data_null;
  n.acl = op.acl;
  n.stat.czxid = n.stat.mzxid = n.stat.pzxid = h.zxid;
  n.stat.ctime = n.stat.mtime = h.time_ms;
  n.stat.ephemeral_owner = owner;
  n.stat.data_length = static_cast<int32_t>(op.data.size());
  *out = n.stat;
  data_size_ += static_cast<int64_t>(op.path.size() + op.data.size());
  const Node* placed = nodes_.Emplace(op.path, std::move(n)).first;
  siblings.emplace(std::move(name), placed);  // after the last one: an append
  parent.stat.num_children = static_cast<int32_t>(parent.children.size());

  if (owner == kContainerOwner) {
    containers_.insert(op.path);
  } else if (IsTtlOwner(owner)) {
    ttls_.insert(op.path);
  } else if (owner != 0) {
    ephemerals_[owner].insert(op.path);
  }
  triggers->push_back({op.path, EventType::kNodeCreated});
  triggers->push_back({parent_path, EventType::kNodeChildrenChanged});
  return Err::kOk;
}

Err DataTree::DeleteNode(const std::string& path, int64_t zxid, std::vector<Trigger>* triggers) {
  const Node* node = nodes_.Find(path);
  if (!node) return Err::kNoNode;
  std::string parent_path(ParentPath(path));
  Node* parent_node = nodes_.Find(parent_path);
  if (!parent_node) return Err::kNoNode;
  int64_t owner = node->stat.ephemeral_owner;
  data_size_ -= static_cast<int64_t>(path.size() + node->data.size());
  nodes_.Erase(path);

  Node& parent = *parent_node;
  if (auto c = parent.children.find(BaseName(path)); c != parent.children.end()) {
    parent.children.erase(c);
  }
  parent.stat.num_children = static_cast<int32_t>(parent.children.size());
  if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid;

  if (owner == kContainerOwner) {
    containers_.erase(path);
  } else if (IsTtlOwner(owner)) {
    ttls_.erase(path);
  } else if (owner != 0) {
    if (auto e = ephemerals_.find(owner); e != ephemerals_.end()) {
      e->second.erase(path);
      if (e->second.empty()) ephemerals_.erase(e);
    }
  }
  triggers->push_back({path, EventType::kNodeDeleted});
  triggers->push_back({parent_path, EventType::kNodeChildrenChanged});
  return Err::kOk;
}

}  // namespace zk
