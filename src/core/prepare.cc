#include "core/prepare.h"

#include <utility>

#include "core/invariant.h"
#include "tree/acl.h"
#include "tree/path.h"

namespace zk {

namespace {

bool DecodeWrite(OpCode op, JuteReader& r, WriteRequest* w) {
  w->op = op;
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
      return w->create.Read(r, false);
    case OpCode::kCreateTtl:
      return w->create.Read(r, true);
    case OpCode::kDelete:
    case OpCode::kCheck:
      return w->path_version.Read(r);
    case OpCode::kSetData:
      return w->set_data.Read(r);
    case OpCode::kSetAcl:
      return w->set_acl.Read(r);
    default:
      return false;
  }
}

constexpr size_t kMultiOpsMax = 100'000;  // more ops than a jute.maxbuffer frame can hold

}  // namespace

void AppendSequenceSuffix(std::string* path, int32_t cversion) {
  char digits[10];
  uint32_t rest = cversion < 0 ? 0u - static_cast<uint32_t>(cversion) : cversion;
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  } while (rest != 0);
  size_t width = cversion < 0 ? 9 : 10;
  if (cversion < 0) path->push_back('-');
  if (n < width) path->append(width - n, '0');
  while (n > 0) path->push_back(digits[--n]);
}

namespace {

// ZooKeeper's checkAndIncVersion.
Err CheckVersion(int32_t current, int32_t expected, int32_t* next) {
  if (expected != -1 && expected != current) return Err::kBadVersion;
  *next = current == INT32_MAX ? 1 : current + 1;
  return Err::kOk;
}

bool IsNormalEphemeralOwner(int64_t owner) {
  return owner != 0 && owner != kContainerOwner && !IsTtlOwner(owner);
}

// Parent of a path for create/delete: "" for paths without a slash (BADARGUMENTS).
std::optional<std::string> ParentForWrite(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || path.find('\0') != std::string::npos) return std::nullopt;
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

Err PrepareCreate(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  const CreateRequest& req = w.create;
  int32_t flags = req.flags;
  if (flags < 0 || flags > 6) return Err::kBadArguments;
  auto mode = static_cast<CreateMode>(flags);
  bool ttl_mode =
      mode == CreateMode::kPersistentWithTtl || mode == CreateMode::kPersistentSequentialWithTtl;
  bool sequential = mode == CreateMode::kPersistentSequential ||
                    mode == CreateMode::kEphemeralSequential ||
                    mode == CreateMode::kPersistentSequentialWithTtl;
  bool ephemeral = mode == CreateMode::kEphemeral || mode == CreateMode::kEphemeralSequential;
  bool container = mode == CreateMode::kContainer;
  int64_t ttl = w.op == OpCode::kCreateTtl ? req.ttl : -1;
  if (ttl_mode && !c.config.extended_types_enabled) return Err::kUnimplemented;
  if (ttl_mode ? (ttl <= 0 || ttl > kMaxTtl) : ttl >= 0) return Err::kBadArguments;

  auto parent_path = ParentForWrite(req.path);
  if (!parent_path) return Err::kBadArguments;
  SharedAcl acl;
  if (!FixupAcl(req.acl, c.auth, &acl, c.config.sasl_scheme)) return Err::kInvalidAcl;
  auto parent = c.view.Get(*parent_path);
  if (!parent) return Err::kNoNode;
  if (!CheckAcl(parent->acl, perm::kCreate, c.auth)) return Err::kNoAuth;
  std::string path = req.path;
  if (sequential) AppendSequenceSuffix(&path, parent->stat.cversion);
  if (!IsValidPath(path)) return Err::kBadArguments;
  if (c.view.ChildExists(*parent_path, path)) return Err::kNodeExists;
  if (IsNormalEphemeralOwner(parent->stat.ephemeral_owner)) return Err::kNoChildrenForEphemerals;

  // zxid order: a change is never stamped below a change it builds on (a multi's earlier ops
  // share its zxid).
  ZK_ASSERT(parent->stat.pzxid <= c.zxid && parent->stat.mzxid <= c.zxid);
  int32_t new_cversion = parent->stat.cversion + 1;
  out->type = container  ? OpCode::kCreateContainer
              : ttl_mode ? OpCode::kCreateTtl
                         : OpCode::kCreate;
  out->path = path;
  out->data = req.data;
  out->data_null = req.data_null;
  out->acl = acl;
  out->ephemeral = ephemeral;
  out->parent_cversion = new_cversion;
  out->ttl = ttl_mode ? ttl : 0;

  NodeRecord updated_parent = std::move(*parent);
  updated_parent.child_count++;
  updated_parent.stat.cversion = new_cversion;
  updated_parent.stat.pzxid = c.zxid;
  c.view.Put(c.zxid, *parent_path, std::move(updated_parent));
  NodeRecord child;
  child.stat.czxid = child.stat.mzxid = child.stat.pzxid = c.zxid;
  child.stat.ephemeral_owner = container   ? kContainerOwner
                               : ttl_mode  ? (kTtlOwnerMask | ttl)
                               : ephemeral ? c.session_id
                                           : 0;
  child.acl = std::move(acl);
  c.view.Put(c.zxid, path, std::move(child));
  return Err::kOk;
}

Err PrepareDelete(const PrepareContext& c, const std::string& path, int32_t version, bool container,
                  TxnOp* out) {
  auto parent_path = ParentForWrite(path);
  if (!parent_path || IsSpecialPath(path)) return Err::kBadArguments;
  auto parent = c.view.Get(*parent_path);
  if (!parent) return Err::kNoNode;
  if (!container && !CheckAcl(parent->acl, perm::kDelete, c.auth)) return Err::kNoAuth;
  auto node = c.view.Get(path);
  if (!node) return Err::kNoNode;
  int32_t ignored;
  if (!container) {
    if (Err e = CheckVersion(node->stat.version, version, &ignored); e != Err::kOk) return e;
  }
  if (node->child_count > 0) return Err::kNotEmpty;
  if (container && IsNormalEphemeralOwner(node->stat.ephemeral_owner)) return Err::kBadVersion;
  ZK_ASSERT(parent->stat.pzxid <= c.zxid && node->stat.mzxid <= c.zxid);
  out->type = container ? OpCode::kDeleteContainer : OpCode::kDelete;
  out->path = path;
  NodeRecord updated_parent = std::move(*parent);
  updated_parent.child_count--;
  updated_parent.stat.pzxid = c.zxid;
  c.view.Put(c.zxid, *parent_path, std::move(updated_parent));
  c.view.Erase(c.zxid, path);
  return Err::kOk;
}

// setData and check: the node at `path`, checked in ZooKeeper's order (path, existence,
// `permission`, version); *next is the version the node has after the change.
Err CheckVersioned(const PrepareContext& c, const std::string& path, int32_t version,
                   int32_t permission, std::optional<NodeRecord>* node, int32_t* next) {
  if (!IsValidPath(path)) return Err::kBadArguments;
  *node = c.view.Get(path);
  if (!*node) return Err::kNoNode;
  if (!CheckAcl((*node)->acl, permission, c.auth)) return Err::kNoAuth;
  return CheckVersion((*node)->stat.version, version, next);
}

Err PrepareSetData(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  const auto& req = w.set_data;
  std::optional<NodeRecord> node;
  int32_t next = 0;
  if (Err e = CheckVersioned(c, req.path, req.version, perm::kWrite, &node, &next);
      e != Err::kOk) {
    return e;
  }
  ZK_ASSERT(node->stat.mzxid <= c.zxid && node->stat.czxid <= node->stat.mzxid);
  out->type = OpCode::kSetData;
  out->path = req.path;
  out->data = req.data;
  out->data_null = req.data_null;
  out->version = next;
  node->stat.version = next;
  node->stat.mzxid = c.zxid;
  c.view.Put(c.zxid, req.path, std::move(*node));
  return Err::kOk;
}

Err PrepareSetAcl(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  const auto& req = w.set_acl;
  if (!IsValidPath(req.path)) return Err::kBadArguments;
  SharedAcl acl;
  if (!FixupAcl(req.acl, c.auth, &acl, c.config.sasl_scheme)) return Err::kInvalidAcl;
  auto node = c.view.Get(req.path);
  if (!node) return Err::kNoNode;
  if (!CheckAcl(node->acl, perm::kAdmin, c.auth)) return Err::kNoAuth;
  int32_t next = 0;
  if (Err e = CheckVersion(node->stat.aversion, req.version, &next); e != Err::kOk) return e;
  out->type = OpCode::kSetAcl;
  out->path = req.path;
  out->acl = acl;
  out->version = next;
  node->stat.aversion = next;
  node->acl = std::move(acl);
  c.view.Put(c.zxid, req.path, std::move(*node));
  return Err::kOk;
}

Err PrepareCheck(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  std::optional<NodeRecord> node;
  int32_t next = 0;
  const auto& req = w.path_version;
  if (Err e = CheckVersioned(c, req.path, req.version, perm::kRead, &node, &next);
      e != Err::kOk) {
    return e;
  }
  out->type = OpCode::kCheck;
  out->path = req.path;
  out->version = next;
  return Err::kOk;
}

Err PrepareDeleteNode(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  return PrepareDelete(c, w.path_version.path, w.path_version.version, false, out);
}

Err PrepareDeleteContainer(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  return PrepareDelete(c, w.raw_path, -1, true, out);
}

using PrepareFn = Err (*)(const PrepareContext& c, const WriteRequest& w, TxnOp* out);

constexpr std::pair<OpCode, PrepareFn> kWrites[] = {
    {OpCode::kCreate, PrepareCreate},
    {OpCode::kCreate2, PrepareCreate},
    {OpCode::kCreateContainer, PrepareCreate},
    {OpCode::kCreateTtl, PrepareCreate},
    {OpCode::kDelete, PrepareDeleteNode},
    {OpCode::kDeleteContainer, PrepareDeleteContainer},
    {OpCode::kSetData, PrepareSetData},
    {OpCode::kSetAcl, PrepareSetAcl},
    {OpCode::kCheck, PrepareCheck},
};

}  // namespace

Err PrepareWrite(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  for (const auto& [op, prepare] : kWrites) {
    if (op == w.op) return prepare(c, w, out);
  }
  return Err::kUnimplemented;
}

TxnOp ErrorOp(Err e) {
  TxnOp op;
  op.type = OpCode::kError;
  op.err = e;
  return op;
}

bool IsKnownClientOp(OpCode op) {
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kDelete:
    case OpCode::kExists:
    case OpCode::kGetData:
    case OpCode::kSetData:
    case OpCode::kGetAcl:
    case OpCode::kSetAcl:
    case OpCode::kGetChildren:
    case OpCode::kSync:
    case OpCode::kGetChildren2:
    case OpCode::kCheck:
    case OpCode::kMulti:
    case OpCode::kCreate2:
    case OpCode::kReconfig:
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
    case OpCode::kMultiRead:
    case OpCode::kAuth:
    case OpCode::kSetWatches:
    case OpCode::kGetEphemerals:
    case OpCode::kGetAllChildrenNumber:
    case OpCode::kSetWatches2:
    case OpCode::kAddWatch:
    case OpCode::kWhoAmI:
    case OpCode::kCloseSession:
    case OpCode::kDeleteContainer:
      return true;
    default:
      return false;
  }
}

std::vector<OpCode> DecodedWrite::MultiOps() const {
  std::vector<OpCode> ops;
  ops.reserve(multi.size());
  for (const WriteRequest& w : multi) ops.push_back(w.op);
  return ops;
}

bool DecodeWriteRequest(OpCode op, std::string_view body, DecodedWrite* out) {
  JuteReader r(body);
  switch (op) {
    case OpCode::kCloseSession:
      return true;
    case OpCode::kReconfig:
      return out->reconfig.Read(r);
    case OpCode::kMulti:
      while (true) {
        MultiHeader mh;
        if (!mh.Read(r)) return false;
        if (mh.done) return true;
        auto sub = static_cast<OpCode>(mh.type);
        if (sub == OpCode::kSetAcl || out->multi.size() >= kMultiOpsMax) return false;
        WriteRequest& w = out->multi.emplace_back();
        if (!DecodeWrite(sub, r, &w)) return false;
      }
    default:
      return DecodeWrite(op, r, &out->single);
  }
}

bool DecodeMultiReadOps(std::string_view body, std::vector<OpCode>* ops) {
  JuteReader r(body);
  while (true) {
    MultiHeader mh;
    if (!mh.Read(r)) return false;
    if (mh.done) return true;
    auto op = static_cast<OpCode>(mh.type);
    if (op != OpCode::kGetChildren && op != OpCode::kGetData) return false;
    PathAndWatch pw;
    if (!pw.Read(r)) return false;
    ops->push_back(op);
    if (ops->size() > kMultiOpsMax) return false;
  }
}

void WriteResultRecord(JuteWriter& w, OpCode request_op, const ApplyResult& r) {
  switch (request_op) {
    case OpCode::kCreate:
      w.String(r.path);
      break;
    case OpCode::kCreate2:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer:
      w.String(r.path);
      ClientStat(r.stat).Write(w);
      break;
    case OpCode::kSetData:
    case OpCode::kSetAcl:
    case OpCode::kCheck:
      ClientStat(r.stat).Write(w);
      break;
    default:
      break;
  }
}

}  // namespace zk
