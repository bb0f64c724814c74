#include "storage/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "proto/jute.h"
#include "storage/txn_log.h"
#include "tree/acl.h"

namespace zk::storage {
namespace {

constexpr int64_t kOpenAclRef = -1;
// Seal: long checksum, then ustring "/" (int 1, '/').
constexpr size_t kSealBytes = 8 + 4 + 1;
constexpr size_t kSnapshotHeaderBytes = 16;

void PutInt(std::string* out, int32_t v) { AppendBigEndian32(out, static_cast<uint32_t>(v)); }
void PutLong(std::string* out, int64_t v) { AppendBigEndian64(out, static_cast<uint64_t>(v)); }
void PutBuffer(std::string* out, std::string_view v) {
  PutInt(out, static_cast<int32_t>(v.size()));
  out->append(v);
}
// A node's fixed-size fields, big-endian, gathered on the stack: the snapshot walk appends
// them to its buffer once per node rather than once per field.
class FixedFields {
 public:
  void Int(int32_t v) { Put(static_cast<uint32_t>(v), 4); }
  void Long(int64_t v) { Put(static_cast<uint64_t>(v), 8); }
  void AppendTo(std::string* out) const { out->append(buf_, len_); }

 private:
  void Put(uint64_t v, size_t bytes) {
    uint64_t be = __builtin_bswap64(v << (8 * (8 - bytes)));  // the low `bytes`, big-endian
    std::memcpy(buf_ + len_, &be, bytes);
    len_ += bytes;
  }
  char buf_[80];
  size_t len_ = 0;
};

void PutAcls(std::string* out, const AclList& acls) {
  PutInt(out, static_cast<int32_t>(acls.size()));
  for (const Acl& a : acls) {
    PutInt(out, a.perms);
    PutBuffer(out, a.id.scheme);
    PutBuffer(out, a.id.id);
  }
}

}  // namespace

SessionMap SessionsOf(const SessionTable& sessions) {
  SessionMap out;
  for (const auto& [id, s] : sessions.all()) out.emplace_hint(out.end(), id, s.timeout_ms);
  return out;
}

// ---------------------------------------------------------------------------------------------
// SnapshotSerializer

SnapshotSerializer::SnapshotSerializer(const DataTree& tree, SessionMap sessions, int64_t zxid,
                                       std::string buffer, bool whole_image)
    : tree_(tree), sessions_(std::move(sessions)), zxid_(zxid), nodes_(std::move(buffer)) {
  nodes_.clear();
  // Per node: path and data lengths (8), aclRef (8), StatPersisted (60).
  if (whole_image) {
    nodes_.reserve(tree.node_count() * 80 + static_cast<size_t>(tree.approximate_data_size()) +
                   64);
  }
}

void SnapshotSerializer::CollectAcls() {
  // Pre-order, as Step walks, so the refs are numbered as a plain walk numbers them.
  const Node* root = tree_.Find("/");
  assert(root);
  AclRef(root->acl);
  std::vector<std::pair<Children::const_iterator, Children::const_iterator>> stack = {
      {root->children.begin(), root->children.end()}};
  while (!stack.empty()) {
    auto& [next, end] = stack.back();
    if (next == end) {
      stack.pop_back();
      continue;
    }
    const Node* node = next->second;
    ++next;
    AclRef(node->acl);
    stack.emplace_back(node->children.begin(), node->children.end());
  }
}

void SnapshotSerializer::TakeNodes(std::string* out) {
  out->swap(nodes_);
  nodes_.clear();
}

int64_t SnapshotSerializer::AclRef(const SharedAcl& acl) {
  // Nodes share their list objects, and a walk meets long runs of the same one.
  if (last_ref_ != -2 && acl.SameObject(last_acl_)) return last_ref_;
  int64_t ref;
  if (acl.SameObject(SharedAcl::Open())) {  // SharedAcl keeps every open list as this one
    ref = kOpenAclRef;
  } else {
    auto [it, inserted] = acl_refs_.emplace(*acl, static_cast<int64_t>(acl_refs_.size() + 1));
    ref = it->second;
  }
  last_acl_ = acl;
  last_ref_ = ref;
  return ref;
}

void SnapshotSerializer::WriteNode(const std::string& path, const Node& node) {
  PutBuffer(&nodes_, path == "/" ? std::string_view() : std::string_view(path));
  if (node.data_null) {
    PutInt(&nodes_, -1);
  } else {
    PutBuffer(&nodes_, node.data);
  }
  const Stat& s = node.stat;
  FixedFields f;  // aclRef, then StatPersisted
  f.Long(AclRef(node.acl));
  f.Long(s.czxid);
  f.Long(s.mzxid);
  f.Long(s.ctime);
  f.Long(s.mtime);
  f.Int(s.version);
  f.Int(s.cversion);
  f.Int(s.aversion);
  f.Long(s.ephemeral_owner);
  f.Long(s.pzxid);
  f.AppendTo(&nodes_);
  ++node_count_;
}

bool SnapshotSerializer::Step(size_t max_nodes) {
  if (done_) return true;
  // The walk's position as a stack of (node, next child to visit, length of its path in
  // `path`). Pointers into the tree are valid only within this call: the tree may change
  // between calls, so each call rebuilds the stack from the path of the last node written.
  struct Frame {
    const Node* node;
    Children::const_iterator next;
    size_t path_len;
  };
  std::vector<Frame> stack;
  std::string path = "/";
  const Node* root = tree_.Find("/");
  assert(root);
  if (!started_) {
    started_ = true;
    WriteNode("/", *root);
    if (max_nodes > 0) --max_nodes;
    stack.push_back({root, root->children.begin(), 1});
  } else {
    const Node* node = root;
    size_t start = 1;
    bool cursor_exists = true;
    while (start < cursor_.size()) {
      size_t slash = cursor_.find('/', start);
      if (slash == std::string::npos) slash = cursor_.size();
      std::string_view name(cursor_.data() + start, slash - start);
      // Resume this ancestor after the child we were inside.
      stack.push_back({node, node->children.upper_bound(name), path.size()});
      auto child = node->children.find(name);
      if (child == node->children.end()) {
        cursor_exists = false;  // deleted since: carry on with its next sibling
        break;
      }
      if (path.size() > 1) path += '/';
      path += name;
      node = child->second;
      start = slash + 1;
    }
    if (cursor_exists) stack.push_back({node, node->children.begin(), path.size()});
  }
  while (max_nodes > 0 && !stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.node->children.end()) {
      stack.pop_back();
      continue;
    }
    const auto& [name, child] = *f.next;
    ++f.next;
    path.resize(f.path_len);
    if (f.path_len > 1) path += '/';
    path += name;
    WriteNode(path, *child);
    --max_nodes;
    stack.push_back({child, child->children.begin(), path.size()});
  }
  if (stack.empty()) {
    done_ = true;
    return true;
  }
  path.resize(stack.back().path_len);
  cursor_ = std::move(path);
  return false;
}

std::string SnapshotSerializer::Head() const {
  std::string head;
  PutInt(&head, kSnapshotMagic);
  PutInt(&head, kSnapshotVersion);
  PutLong(&head, -1);  // dbid
  PutInt(&head, static_cast<int32_t>(sessions_.size()));
  for (const auto& [id, timeout] : sessions_) {
    PutLong(&head, id);
    PutInt(&head, timeout);
  }
  std::vector<const std::pair<const AclList, int64_t>*> by_ref(acl_refs_.size());
  for (const auto& entry : acl_refs_) by_ref[static_cast<size_t>(entry.second - 1)] = &entry;
  PutInt(&head, static_cast<int32_t>(by_ref.size()));
  for (const auto* entry : by_ref) {
    PutLong(&head, entry->second);
    PutAcls(&head, entry->first);
  }
  return head;
}

SnapshotImage SnapshotSerializer::Finish(int64_t end_zxid) {
  assert(done_);
  SnapshotImage image;
  image.zxid = zxid_;
  image.end_zxid = end_zxid < zxid_ ? zxid_ : end_zxid;
  image.node_count = node_count_;
  image.head = Head();
  PutBuffer(&nodes_, "/");
  PutLong(&nodes_, image.end_zxid);
  image.nodes = std::move(nodes_);
  return image;
}

// ---------------------------------------------------------------------------------------------
// Files

std::vector<ZxidFile> FindSnapshots(const std::string& data_dir) {
  std::vector<ZxidFile> files = ListZxidFiles(VersionDir(data_dir), "snapshot");
  return {files.rbegin(), files.rend()};
}

bool SnapshotLooksComplete(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = false;
  if (::fstat(fd, &st) == 0 &&
      st.st_size >= static_cast<off_t>(kSnapshotHeaderBytes + kSealBytes)) {
    char tail[5];
    if (::pread(fd, tail, 5, st.st_size - 5) == 5) {
      ok = LoadBigEndian32(tail) == 1 && tail[4] == '/';
    }
  }
  ::close(fd);
  return ok;
}

Status ReadSnapshot(const std::string& path, LoadedSnapshot* out) {
  std::string data;
  if (Status s = ReadFile(path, &data); !s.ok()) return s;
  return ParseSnapshot(data, path, out);
}

namespace {

Status SnapshotError(const std::string& path, const std::string& what) {
  return Status::Error("snapshot " + path + ": " + what);
}

// The seal first: a torn write is reported as such, not as whatever structure it broke.
Status CheckSeal(std::string_view data, const std::string& path, std::string_view* body) {
  if (data.empty()) return SnapshotError(path, "empty file");
  if (data.size() < kSnapshotHeaderBytes + kSealBytes) {
    return SnapshotError(path, "too short (" + std::to_string(data.size()) + " bytes)");
  }
  const char* seal = data.data() + data.size() - kSealBytes;
  if (LoadBigEndian32(seal + 8) != 1 || seal[12] != '/') {
    return SnapshotError(path, "no seal at the end: incomplete write");
  }
  *body = std::string_view(data.data(), data.size() - kSealBytes);
  uint32_t stored = static_cast<uint32_t>(LoadBigEndian64(seal));
  if (Adler32(*body) != stored) return SnapshotError(path, "bad checksum: corrupt");
  return Status::Ok();
}

using AclsByRef = std::unordered_map<int64_t, SharedAcl>;  // one list per ref, shared by nodes

// File header, sessions and the ACL cache.
Status ReadHead(JuteReader& r, const std::string& path, SessionMap* sessions, AclsByRef* acls) {
  if (r.Int() != kSnapshotMagic) return SnapshotError(path, "not a snapshot (bad magic)");
  if (int32_t v = r.Int(); v != kSnapshotVersion) {
    return SnapshotError(path, "unsupported version " + std::to_string(v));
  }
  r.Long();  // dbid
  sessions->clear();
  int32_t session_count = r.Int();
  if (session_count < 0 || static_cast<size_t>(session_count) > r.remaining() / 12) {
    return SnapshotError(path, "bad session count " + std::to_string(session_count));
  }
  for (int32_t i = 0; i < session_count; ++i) {
    int64_t id = r.Long();
    (*sessions)[id] = r.Int();
  }
  int32_t acl_count = r.Int();
  if (acl_count < 0 || static_cast<size_t>(acl_count) > r.remaining() / 12) {
    return SnapshotError(path, "bad ACL cache size " + std::to_string(acl_count));
  }
  acls->reserve(static_cast<size_t>(acl_count) + 1);
  (*acls)[kOpenAclRef] = SharedAcl::Open();
  for (int32_t i = 0; i < acl_count; ++i) {
    int64_t ref = r.Long();
    (*acls)[ref] = ReadAcls(r);
  }
  if (!r.ok()) return SnapshotError(path, "truncated session / ACL section");
  return Status::Ok();
}

// Runs of nodes name the same ref: the last one found is kept at hand.
class AclLookup {
 public:
  explicit AclLookup(const AclsByRef& acls) : acls_(acls) {}
  // nullptr: an unknown ref.
  const SharedAcl* Find(int64_t ref) {
    if (!last_ || ref != last_ref_) {
      auto it = acls_.find(ref);
      if (it == acls_.end()) return nullptr;
      last_ = &it->second;
      last_ref_ = ref;
    }
    return last_;
  }

 private:
  const AclsByRef& acls_;
  const SharedAcl* last_ = nullptr;
  int64_t last_ref_ = 0;
};

void ReadStatPersisted(JuteReader& r, Stat* s) {
  s->czxid = r.Long();
  s->mzxid = r.Long();
  s->ctime = r.Long();
  s->mtime = r.Long();
  s->version = r.Int();
  s->cversion = r.Int();
  s->aversion = r.Int();
  s->ephemeral_owner = r.Long();
  s->pzxid = r.Long();
}

// Node records up to and including the "/" terminator, into a fresh tree.
Status ReadNodes(JuteReader& r, std::string_view data, const std::string& path,
                 const AclsByRef& acls, LoadedSnapshot* out) {
  out->tree = DataTree();
  // Every node record takes at least 78 bytes: an upper bound on the count, so the tree's hash
  // map is sized once instead of rehashing ~20 times on the way to a million nodes.
  out->tree.Reserve(r.remaining() / 78 + 16);
  out->node_count = 0;
  AclLookup lookup(acls);
  while (true) {
    size_t offset = static_cast<size_t>(r.position() - data.data());
    std::string node_path = r.String();
    if (!r.ok()) return SnapshotError(path, "truncated node list");
    if (node_path == "/") return Status::Ok();
    Node node;
    node.data = r.Buffer(&node.data_null);
    int64_t ref = r.Long();
    const SharedAcl* acl = lookup.Find(ref);
    if (!acl) {
      return SnapshotError(path, "node " + node_path + " at offset " + std::to_string(offset) +
                                     " names unknown ACL " + std::to_string(ref));
    }
    node.acl = *acl;
    ReadStatPersisted(r, &node.stat);
    if (!r.ok()) return SnapshotError(path, "truncated node at offset " + std::to_string(offset));
    // StatPersisted has no dataLength; DataTree::Restore fills it in except for the root.
    node.stat.data_length = static_cast<int32_t>(node.data.size());
    if (!out->tree.Restore(node_path.empty() ? "/" : node_path, std::move(node))) {
      return SnapshotError(path, "node " + node_path + " at offset " + std::to_string(offset) +
                                     " has no parent before it");
    }
    ++out->node_count;
  }
}

// The name is authoritative for zxid (as ZooKeeper): snapshot.<hex>.
Status TakeZxidFromName(const std::string& path, LoadedSnapshot* out) {
  if (path.rfind('.') == std::string::npos) return Status::Ok();  // bytes in memory: no name
  std::string hex = path.substr(path.rfind('.') + 1);
  char* end = nullptr;
  out->zxid = static_cast<int64_t>(std::strtoull(hex.c_str(), &end, 16));
  if (hex.empty() || *end != '\0') return SnapshotError(path, "name does not end in .<hex zxid>");
  if (out->end_zxid < out->zxid) return SnapshotError(path, "end zxid before the snapshot's zxid");
  out->tree.set_last_processed_zxid(out->zxid);
  return Status::Ok();
}

}  // namespace

Status ParseSnapshot(std::string_view data, const std::string& path, LoadedSnapshot* out) {
  std::string_view body;
  if (Status s = CheckSeal(data, path, &body); !s.ok()) return s;
  JuteReader r(body);
  AclsByRef acls;
  if (Status s = ReadHead(r, path, &out->sessions, &acls); !s.ok()) return s;
  if (Status s = ReadNodes(r, data, path, acls, out); !s.ok()) return s;
  out->end_zxid = r.Long();
  if (!r.ok() || !r.AtEnd()) return SnapshotError(path, "bad trailer after the node list");
  return TakeZxidFromName(path, out);
}

}  // namespace zk::storage
