#include "core/core.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include "core/pending.h"
#include "tree/acl.h"
#include "tree/path.h"

namespace zk {
namespace {

// A decoded write request (single or one op of a multi).
struct WriteRequest {
  OpCode op = OpCode::kError;
  CreateRequest create;    // create, create2, createContainer, createTTL
  PathAndVersion path_version;  // delete, check
  SetDataRequest set_data;
  SetAclRequest set_acl;
  std::string raw_path;    // deleteContainer carries the bare path bytes
};

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

// ZooKeeper's checkAndIncVersion.
Err CheckVersion(int32_t current, int32_t expected, int32_t* next) {
  if (expected != -1 && expected != current) return Err::kBadVersion;
  *next = current == INT32_MAX ? 1 : current + 1;
  return Err::kOk;
}

std::string SequenceSuffix(int32_t cversion) {
  char buf[16];
  // %010d of a signed int, as String.format does.
  std::snprintf(buf, sizeof buf, "%010d", cversion);
  return buf;
}

bool IsNormalEphemeralOwner(int64_t owner) {
  return owner != 0 && owner != kContainerOwner && !IsTtlOwner(owner);
}

struct PrepareContext {
  const CoreConfig& config;
  int64_t session_id;
  int64_t zxid;
  const std::vector<Id>& auth;
  PendingView& view;
};

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
  bool ttl_mode = mode == CreateMode::kPersistentWithTtl ||
                  mode == CreateMode::kPersistentSequentialWithTtl;
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
  AclList acl;
  if (!FixupAcl(req.acl, c.auth, &acl)) return Err::kInvalidAcl;
  auto parent = c.view.Get(*parent_path);
  if (!parent) return Err::kNoNode;
  if (!CheckAcl(parent->acl, perm::kCreate, c.auth)) return Err::kNoAuth;
  std::string path = req.path;
  if (sequential) path += SequenceSuffix(parent->stat.cversion);
  if (!IsValidPath(path)) return Err::kBadArguments;
  if (c.view.Get(path)) return Err::kNodeExists;
  if (IsNormalEphemeralOwner(parent->stat.ephemeral_owner)) return Err::kNoChildrenForEphemerals;

  int32_t new_cversion = parent->stat.cversion + 1;
  out->type = container ? OpCode::kCreateContainer
              : ttl_mode ? OpCode::kCreateTtl
                         : OpCode::kCreate;
  out->path = path;
  out->data = req.data;
  out->acl = acl;
  out->ephemeral = ephemeral;
  out->parent_cversion = new_cversion;
  out->ttl = ttl_mode ? ttl : 0;

  NodeRecord updated_parent = *parent;
  updated_parent.child_count++;
  updated_parent.stat.cversion = new_cversion;
  updated_parent.stat.pzxid = c.zxid;
  c.view.Put(c.zxid, *parent_path, updated_parent);
  NodeRecord child;
  child.stat.czxid = child.stat.mzxid = child.stat.pzxid = c.zxid;
  child.stat.ephemeral_owner = container ? kContainerOwner
                               : ttl_mode ? (kTtlOwnerMask | ttl)
                               : ephemeral ? c.session_id
                                           : 0;
  child.acl = acl;
  c.view.Put(c.zxid, path, child);
  return Err::kOk;
}

Err PrepareDelete(const PrepareContext& c, const std::string& path, int32_t version,
                  bool container, TxnOp* out) {
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
  out->type = container ? OpCode::kDeleteContainer : OpCode::kDelete;
  out->path = path;
  NodeRecord updated_parent = *parent;
  updated_parent.child_count--;
  updated_parent.stat.pzxid = c.zxid;
  c.view.Put(c.zxid, *parent_path, updated_parent);
  c.view.Erase(c.zxid, path);
  return Err::kOk;
}

Err PrepareWrite(const PrepareContext& c, const WriteRequest& w, TxnOp* out) {
  switch (w.op) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
      return PrepareCreate(c, w, out);
    case OpCode::kDelete:
      return PrepareDelete(c, w.path_version.path, w.path_version.version, false, out);
    case OpCode::kDeleteContainer:
      return PrepareDelete(c, w.raw_path, -1, true, out);
    case OpCode::kSetData: {
      const auto& req = w.set_data;
      if (!IsValidPath(req.path)) return Err::kBadArguments;
      auto node = c.view.Get(req.path);
      if (!node) return Err::kNoNode;
      if (!CheckAcl(node->acl, perm::kWrite, c.auth)) return Err::kNoAuth;
      int32_t next = 0;
      if (Err e = CheckVersion(node->stat.version, req.version, &next); e != Err::kOk) return e;
      out->type = OpCode::kSetData;
      out->path = req.path;
      out->data = req.data;
      out->version = next;
      node->stat.version = next;
      node->stat.mzxid = c.zxid;
      c.view.Put(c.zxid, req.path, *node);
      return Err::kOk;
    }
    case OpCode::kSetAcl: {
      const auto& req = w.set_acl;
      if (!IsValidPath(req.path)) return Err::kBadArguments;
      AclList acl;
      if (!FixupAcl(req.acl, c.auth, &acl)) return Err::kInvalidAcl;
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
      node->acl = acl;
      c.view.Put(c.zxid, req.path, *node);
      return Err::kOk;
    }
    case OpCode::kCheck: {
      const auto& req = w.path_version;
      if (!IsValidPath(req.path)) return Err::kBadArguments;
      auto node = c.view.Get(req.path);
      if (!node) return Err::kNoNode;
      if (!CheckAcl(node->acl, perm::kRead, c.auth)) return Err::kNoAuth;
      int32_t next = 0;
      if (Err e = CheckVersion(node->stat.version, req.version, &next); e != Err::kOk) return e;
      out->type = OpCode::kCheck;
      out->path = req.path;
      out->version = next;
      return Err::kOk;
    }
    default:
      return Err::kUnimplemented;
  }
}

TxnOp ErrorOp(Err e) {
  TxnOp op;
  op.type = OpCode::kError;
  op.err = e;
  return op;
}

// java.util.Random, as ZooKeeper uses it for session passwords.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed)
      : seed_((static_cast<uint64_t>(seed) ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1)) {}
  int32_t NextInt() {
    seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return static_cast<int32_t>(seed_ >> 16);
  }

 private:
  uint64_t seed_;
};

void WriteChildren(JuteWriter& w, const Node& n) {
  w.Int(static_cast<int32_t>(n.children.size()));
  for (const auto& c : n.children) w.String(c);
}

}  // namespace

Core::Core(CoreConfig config, int64_t first_session_id)
    : config_(std::move(config)),
      sessions_(config_.tick_ms),
      pending_(tree_),
      next_session_id_(first_session_id) {
  watches_.set_limit(config_.watches_max);
  if (!config_.config_text.empty()) tree_.SetConfig(config_.config_text, 0);
}

void Core::Restore(DataTree tree, const std::map<int64_t, int32_t>& sessions, int64_t zxid) {
  assert(in_flight_.empty());
  tree_ = std::move(tree);
  tree_.set_last_processed_zxid(zxid);
  pending_.Clear();
  last_zxid_ = last_prepared_zxid_ = zxid;
  sessions_ = SessionTable(config_.tick_ms);
  for (const auto& [id, timeout] : sessions) {
    sessions_.Add(id, timeout);
    if (id >= next_session_id_ && (id >> 56) == (next_session_id_ >> 56)) next_session_id_ = id + 1;
  }
  if (!config_.config_text.empty()) tree_.SetConfig(config_.config_text, 0);
}

std::string Core::SessionPassword(int64_t session_id) {
  JavaRandom rnd(session_id ^ 0xB3415C00LL);
  std::string out(16, '\0');
  for (size_t i = 0; i < out.size();) {
    int32_t r = rnd.NextInt();
    for (int n = 0; n < 4 && i < out.size(); ++n, r >>= 8) out[i++] = static_cast<char>(r);
  }
  return out;
}

OpenSessionResult Core::OpenSession(int32_t requested_timeout_ms, const std::string& client_ip,
                                    int64_t now_ms) {
  int32_t timeout = std::clamp(requested_timeout_ms, config_.min_session_timeout_ms,
                               config_.max_session_timeout_ms);
  int64_t sid = next_session_id_++;
  InFlight f;
  f.what = InFlight::What::kOpenSession;
  f.req.session_id = sid;
  f.req.op = OpCode::kCreateSession;
  f.txn.header = {sid, 0, NextZxid(), now_ms, ToInt(OpCode::kCreateSession)};
  f.txn.op.type = OpCode::kCreateSession;
  f.txn.op.timeout_ms = timeout;
  f.client_ip = client_ip;
  Enqueue(std::move(f));
  return {sid, timeout, SessionPassword(sid)};
}

void Core::Enqueue(InFlight f) {
  const bool is_write = f.what != InFlight::What::kRead;
  if (is_write) {
    ++writes_in_flight_[f.req.session_id];
    if (!config_.apply_on_submit) {
      Output o;
      o.kind = Output::Kind::kPersist;
      o.session_id = f.req.session_id;
      o.zxid = f.txn.header.zxid;
      o.body = f.txn.Encode();
      outputs_.push_back(std::move(o));
    }
  }
  int64_t zxid = f.txn.header.zxid;
  in_flight_.push_back(std::move(f));
  if (is_write && config_.apply_on_submit) Commit(zxid);
}

void Core::Commit(int64_t zxid) {
  while (!in_flight_.empty()) {
    InFlight& f = in_flight_.front();
    if (f.what != InFlight::What::kRead && f.txn.header.zxid > zxid) break;
    InFlight done = std::move(f);
    in_flight_.pop_front();
    Finish(done);
  }
}

void Core::Finish(InFlight& f) {
  if (f.what == InFlight::What::kRead) {
    Read(f.req);
    return;
  }
  int64_t sid = f.req.session_id;
  if (auto it = writes_in_flight_.find(sid); it != writes_in_flight_.end() && --it->second <= 0) {
    writes_in_flight_.erase(it);
  }
  ApplyResult result = ApplyTxn(f.txn);
  switch (f.what) {
    case InFlight::What::kWrite:
      ReplyToWrite(f.req, f.multi_ops, result);
      break;
    case InFlight::What::kOpenSession: {
      if (Session* s = sessions_.Find(sid)) s->auth = {Id{"ip", f.client_ip}};
      Output o;
      o.kind = Output::Kind::kSessionOpened;
      o.session_id = sid;
      o.zxid = f.txn.header.zxid;
      o.timeout_ms = f.txn.op.timeout_ms;
      o.body = SessionPassword(sid);
      outputs_.push_back(std::move(o));
      break;
    }
    case InFlight::What::kExpire: {
      Output o;
      o.kind = Output::Kind::kCloseSession;
      o.session_id = sid;
      outputs_.push_back(std::move(o));
      break;
    }
    default:
      break;
  }
}

int32_t Core::Reattach(int64_t session_id, const std::string& passwd,
                       int32_t requested_timeout_ms, const std::string& client_ip) {
  Session* s = sessions_.Find(session_id);
  if (!s || s->closing || passwd != SessionPassword(session_id)) return 0;
  int32_t timeout = std::clamp(requested_timeout_ms, config_.min_session_timeout_ms,
                               config_.max_session_timeout_ms);
  s->timeout_ms = timeout;
  s->auth = {Id{"ip", client_ip}};  // auth belongs to a connection; clients re-send it
  sessions_.Touch(session_id);
  return timeout;
}

void Core::Touch(int64_t session_id) { sessions_.Touch(session_id); }

void Core::ConnectionClosed(int64_t session_id) { watches_.RemoveSession(session_id); }

std::vector<Output> Core::TakeOutputs() {
  std::vector<Output> out;
  out.swap(outputs_);
  return out;
}

void Core::Reply(const ClientRequest& req, Err err, std::string body, bool close_after) {
  Output o;
  o.kind = Output::Kind::kReply;
  o.session_id = req.session_id;
  o.xid = req.xid;
  o.zxid = last_zxid_;
  o.err = err;
  if (err == Err::kOk) o.body = std::move(body);
  o.close_after = close_after;
  outputs_.push_back(std::move(o));
}

void Core::Notify(const std::vector<WatchEvent>& events) {
  for (const auto& e : events) {
    WatcherEvent we{static_cast<int32_t>(e.type), static_cast<int32_t>(KeeperState::kSyncConnected),
                    e.path};
    JuteWriter w;
    we.Write(w);
    Output o;
    o.kind = Output::Kind::kNotification;
    o.session_id = e.session_id;
    o.xid = kXidNotification;
    o.zxid = -1;
    o.body = w.Take();
    outputs_.push_back(std::move(o));
  }
}

ApplyResult Core::ApplyTxn(const Txn& txn) {
  std::vector<Trigger> triggers;
  ApplyResult result = tree_.Apply(txn, &triggers);
  if (txn.header.zxid > last_zxid_) last_zxid_ = txn.header.zxid;
  if (last_zxid_ > last_prepared_zxid_) last_prepared_zxid_ = last_zxid_;
  pending_.Forget(txn.header.zxid);
  int64_t sid = txn.header.client_id;
  if (txn.header.type == ToInt(OpCode::kCreateSession)) {
    if (!sessions_.Find(sid)) sessions_.Add(sid, txn.op.timeout_ms);
    if (sid >= next_session_id_ && (sid >> 56) == (next_session_id_ >> 56)) {
      next_session_id_ = sid + 1;
    }
  } else if (txn.header.type == ToInt(OpCode::kCloseSession)) {
    sessions_.Remove(sid);
    watches_.RemoveSession(sid);
  }
  for (const auto& t : triggers) Notify(watches_.Trigger(t.path, t.type));
  return result;
}

Txn Core::Prepare(const ClientRequest& req, int64_t now_ms) {
  Txn txn;
  txn.header = {req.session_id, req.xid, NextZxid(), now_ms, ToInt(req.op)};
  const Session* session = sessions_.Find(req.session_id);
  static const std::vector<Id> kNoAuth;
  const std::vector<Id>& auth = session ? session->auth : kNoAuth;
  PrepareContext ctx{config_, req.session_id, txn.header.zxid, auth, pending_};
  JuteReader r(req.body);

  auto fail = [&](Err e) {
    txn.header.type = ToInt(OpCode::kError);
    txn.op = ErrorOp(e);
    txn.multi.clear();
    return txn;
  };

  bool internal = req.op == OpCode::kDeleteContainer;  // from the container checker
  if (!internal && (!session || session->closing)) return fail(Err::kSessionExpired);

  switch (req.op) {
    case OpCode::kMulti: {
      bool failed = false;
      while (true) {
        MultiHeader mh;
        if (!mh.Read(r)) break;
        if (mh.done) break;
        WriteRequest w;
        auto op = static_cast<OpCode>(mh.type);
        if (!DecodeWrite(op, r, &w)) break;  // malformed: caught by the caller's decode check
        TxnOp out;
        if (failed) {
          out = ErrorOp(Err::kRuntimeInconsistency);
        } else if (Err e = PrepareWrite(ctx, w, &out); e != Err::kOk) {
          failed = true;
          pending_.Rollback(txn.header.zxid);
          for (auto& earlier : txn.multi) earlier = ErrorOp(Err::kOk);
          out = ErrorOp(e);
        }
        txn.multi.push_back(std::move(out));
      }
      return txn;
    }
    case OpCode::kCloseSession: {
      txn.op.type = OpCode::kCloseSession;
      if (auto it = tree_.ephemerals().find(req.session_id); it != tree_.ephemerals().end()) {
        txn.op.paths.assign(it->second.begin(), it->second.end());
      }
      return txn;
    }
    case OpCode::kReconfig:
      return fail(Err::kReconfigDisabled);
    case OpCode::kDeleteContainer: {
      WriteRequest w;
      w.op = req.op;
      w.raw_path = req.body;
      if (Err e = PrepareWrite(ctx, w, &txn.op); e != Err::kOk) return fail(e);
      txn.header.type = ToInt(txn.op.type);
      return txn;
    }
    default: {
      WriteRequest w;
      DecodeWrite(req.op, r, &w);
      if (Err e = PrepareWrite(ctx, w, &txn.op); e != Err::kOk) return fail(e);
      txn.header.type = ToInt(txn.op.type);
      return txn;
    }
  }
}

namespace {

bool IsKnownClientOp(OpCode op) {
  switch (op) {
    case OpCode::kCreate: case OpCode::kDelete: case OpCode::kExists: case OpCode::kGetData:
    case OpCode::kSetData: case OpCode::kGetAcl: case OpCode::kSetAcl: case OpCode::kGetChildren:
    case OpCode::kSync: case OpCode::kGetChildren2: case OpCode::kCheck: case OpCode::kMulti:
    case OpCode::kCreate2: case OpCode::kReconfig: case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches: case OpCode::kCreateContainer: case OpCode::kCreateTtl:
    case OpCode::kMultiRead: case OpCode::kAuth: case OpCode::kSetWatches:
    case OpCode::kGetEphemerals: case OpCode::kGetAllChildrenNumber: case OpCode::kSetWatches2:
    case OpCode::kAddWatch: case OpCode::kWhoAmI: case OpCode::kCloseSession:
    case OpCode::kDeleteContainer:
      return true;
    default:
      return false;
  }
}

// Decodes the ops of a multi / multiRead request; false if malformed or an op is not allowed.
bool DecodeMultiOps(std::string_view body, bool read_only, std::vector<OpCode>* ops) {
  JuteReader r(body);
  while (true) {
    MultiHeader mh;
    if (!mh.Read(r)) return false;
    if (mh.done) return true;
    auto op = static_cast<OpCode>(mh.type);
    if (read_only) {
      if (op != OpCode::kGetChildren && op != OpCode::kGetData) return false;
      PathAndWatch pw;
      if (!pw.Read(r)) return false;
    } else {
      WriteRequest w;
      if (op == OpCode::kDeleteContainer || op == OpCode::kSetAcl || !DecodeWrite(op, r, &w)) {
        return false;
      }
    }
    ops->push_back(op);
    if (ops->size() > 100'000) return false;  // more ops than a jute.maxbuffer frame can hold
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
      r.stat.Write(w);
      break;
    case OpCode::kSetData:
    case OpCode::kSetAcl:
    case OpCode::kCheck:
      r.stat.Write(w);
      break;
    default:
      break;
  }
}

}  // namespace

void Core::Submit(const ClientRequest& req, int64_t now_ms) {
  sessions_.Touch(req.session_id);
  if (!IsKnownClientOp(req.op) || req.op == OpCode::kDeleteContainer) {
    Reply(req, Err::kUnimplemented, {}, /*close_after=*/true);
    return;
  }
  if (!IsWriteOp(req.op)) {
    if (writes_in_flight_.count(req.session_id)) {
      // Wait behind this session's writes: replies stay in order and reads see the writes.
      InFlight f;
      f.what = InFlight::What::kRead;
      f.req = req;
      in_flight_.push_back(std::move(f));
    } else {
      Read(req);
    }
    return;
  }
  // Refuse malformed requests before they take a zxid: the connection is closed.
  std::vector<OpCode> multi_ops;
  bool well_formed = true;
  if (req.op == OpCode::kMulti) {
    well_formed = DecodeMultiOps(req.body, false, &multi_ops);
  } else if (req.op == OpCode::kReconfig) {
    JuteReader r(req.body);
    well_formed = ReconfigRequest().Read(r);
  } else if (req.op != OpCode::kCloseSession) {
    JuteReader r(req.body);
    WriteRequest w;
    well_formed = DecodeWrite(req.op, r, &w);
  }
  if (!well_formed) {
    Reply(req, Err::kMarshallingError, {}, /*close_after=*/true);
    return;
  }

  if (in_flight_.size() >= config_.in_flight_max) {
    Reply(req, Err::kThrottledOp);
    return;
  }
  InFlight f;
  f.what = InFlight::What::kWrite;
  f.req = req;
  f.multi_ops = std::move(multi_ops);
  f.txn = Prepare(req, now_ms);
  if (req.op == OpCode::kCloseSession) {
    if (Session* s = sessions_.Find(req.session_id)) s->closing = true;
  }
  Enqueue(std::move(f));
}

void Core::ReplyToWrite(const ClientRequest& req, const std::vector<OpCode>& multi_ops,
                        const ApplyResult& result) {
  if (req.op == OpCode::kCloseSession) {
    Reply(req, Err::kOk, {}, /*close_after=*/true);
    return;
  }
  if (req.op == OpCode::kMulti) {
    assert(result.multi.size() == multi_ops.size());
    JuteWriter w;
    for (size_t i = 0; i < result.multi.size(); ++i) {
      const ApplyResult& sub = result.multi[i];
      if (sub.type == OpCode::kError) {
        MultiHeader{-1, false, ToInt(sub.err)}.Write(w);
        w.Int(ToInt(sub.err));
      } else {
        MultiHeader{ToInt(multi_ops[i]), false, 0}.Write(w);
        WriteResultRecord(w, multi_ops[i], sub);
      }
    }
    MultiHeader{-1, true, -1}.Write(w);
    Reply(req, Err::kOk, w.Take());
    return;
  }
  if (result.err != Err::kOk) {
    Reply(req, result.err);
    return;
  }
  JuteWriter w;
  WriteResultRecord(w, req.op, result);
  Reply(req, Err::kOk, w.Take());
}

void Core::Read(const ClientRequest& req) {
  JuteReader r(req.body);
  Session* session = sessions_.Find(req.session_id);
  static const std::vector<Id> kNone;
  const std::vector<Id>& auth = session ? session->auth : kNone;
  auto malformed = [&] { Reply(req, Err::kMarshallingError, {}, /*close_after=*/true); };
  auto watch = [&](const std::string& path, WatchKind kind) {
    return watches_.Add(path, req.session_id, kind);
  };
  JuteWriter w;

  switch (req.op) {
    case OpCode::kExists: {
      PathAndWatch q;
      if (!q.Read(r)) return malformed();
      if (q.path.find('\0') != std::string::npos) return Reply(req, Err::kBadArguments);
      if (q.watch && !watch(q.path, WatchKind::kData)) return Reply(req, Err::kThrottledOp);
      const Node* n = tree_.Find(q.path);
      if (!n) return Reply(req, Err::kNoNode);
      n->stat.Write(w);
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kGetData:
    case OpCode::kGetChildren:
    case OpCode::kGetChildren2: {
      PathAndWatch q;
      if (!q.Read(r)) return malformed();
      const Node* n = tree_.Find(q.path);
      if (!n) return Reply(req, Err::kNoNode);
      if (!CheckAcl(n->acl, perm::kRead, auth)) return Reply(req, Err::kNoAuth);
      if (q.watch &&
          !watch(q.path, req.op == OpCode::kGetData ? WatchKind::kData : WatchKind::kChild)) {
        return Reply(req, Err::kThrottledOp);
      }
      if (req.op == OpCode::kGetData) {
        w.Buffer(n->data);
        n->stat.Write(w);
      } else {
        WriteChildren(w, *n);
        if (req.op == OpCode::kGetChildren2) n->stat.Write(w);
      }
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kGetAcl: {
      std::string path = r.String();
      if (!r.ok()) return malformed();
      const Node* n = tree_.Find(path);
      if (!n) return Reply(req, Err::kNoNode);
      if (!CheckAcl(n->acl, perm::kRead | perm::kAdmin, auth)) return Reply(req, Err::kNoAuth);
      AclList acl = n->acl;
      if (!CheckAcl(n->acl, perm::kAdmin, auth)) {
        for (auto& a : acl) {
          if (a.id.scheme == "digest") a.id.id = a.id.id.substr(0, a.id.id.find(':')) + ":x";
        }
      }
      WriteAcls(w, acl);
      n->stat.Write(w);
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kSync: {
      std::string path = r.String();
      if (!r.ok()) return malformed();
      w.String(path);
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kGetAllChildrenNumber: {
      std::string path = r.String();
      if (!r.ok()) return malformed();
      const Node* n = tree_.Find(path);
      if (!n) return Reply(req, Err::kNoNode);
      if (!CheckAcl(n->acl, perm::kRead, auth)) return Reply(req, Err::kNoAuth);
      int32_t count = 0;
      tree_.ForEachDescendant(path, [&](const std::string&, const Node&) { ++count; });
      w.Int(count);
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kGetEphemerals: {
      std::string prefix = r.String();
      if (!r.ok()) return malformed();
      std::vector<std::string> out;
      if (auto it = tree_.ephemerals().find(req.session_id); it != tree_.ephemerals().end()) {
        bool all = prefix.empty() || prefix == "/";
        for (const auto& p : it->second) {
          if (all || p.compare(0, prefix.size(), prefix) == 0) out.push_back(p);
        }
      }
      w.StringVector(out);
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kWhoAmI: {
      w.Int(static_cast<int32_t>(auth.size()));
      for (const auto& id : auth) {
        w.String(id.scheme);
        w.String(id.scheme == "digest" ? id.id.substr(0, id.id.find(':')) : id.id);
      }
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kAuth: {
      AuthPacket a;
      if (!a.Read(r)) return malformed();
      if (!session) return Reply(req, Err::kAuthFailed, {}, true);
      if (a.scheme == "digest") {
        std::string id = DigestId(a.auth);
        if (!config_.super_digest.empty() && id == config_.super_digest) {
          session->auth.push_back(Id{"super", ""});
        }
        Id digest{"digest", id};
        if (std::find(session->auth.begin(), session->auth.end(), digest) == session->auth.end()) {
          session->auth.push_back(digest);
        }
      } else if (a.scheme != "ip") {
        // No such authentication provider: AUTHFAILED, then the connection closes.
        Output o;
        o.session_id = req.session_id;
        o.xid = req.xid;
        o.err = Err::kAuthFailed;
        o.close_after = true;
        outputs_.push_back(std::move(o));
        return;
      }
      Output o;
      o.session_id = req.session_id;
      o.xid = req.xid;
      o.zxid = 0;
      outputs_.push_back(std::move(o));
      return;
    }
    case OpCode::kSetWatches:
    case OpCode::kSetWatches2: {
      SetWatchesRequest q;
      if (!q.Read(r, req.op == OpCode::kSetWatches2)) return malformed();
      std::vector<WatchEvent> fire;
      for (const auto& p : q.data_watches) {
        const Node* n = tree_.Find(p);
        if (!n) {
          fire.push_back({req.session_id, EventType::kNodeDeleted, p});
        } else if (n->stat.mzxid > q.relative_zxid) {
          fire.push_back({req.session_id, EventType::kNodeDataChanged, p});
        } else {
          watch(p, WatchKind::kData);
        }
      }
      for (const auto& p : q.exist_watches) {
        if (tree_.Find(p)) {
          fire.push_back({req.session_id, EventType::kNodeCreated, p});
        } else {
          watch(p, WatchKind::kData);
        }
      }
      for (const auto& p : q.child_watches) {
        const Node* n = tree_.Find(p);
        if (!n) {
          fire.push_back({req.session_id, EventType::kNodeDeleted, p});
        } else if (n->stat.pzxid > q.relative_zxid) {
          fire.push_back({req.session_id, EventType::kNodeChildrenChanged, p});
        } else {
          watch(p, WatchKind::kChild);
        }
      }
      for (const auto& p : q.persistent_watches) watch(p, WatchKind::kPersistent);
      for (const auto& p : q.persistent_recursive_watches) {
        watch(p, WatchKind::kPersistentRecursive);
      }
      Notify(fire);
      return Reply(req, Err::kOk);
    }
    case OpCode::kAddWatch: {
      PathAndMode q;
      if (!q.Read(r)) return malformed();
      WatchKind kind;
      if (q.mode == kAddWatchPersistent) {
        kind = WatchKind::kPersistent;
      } else if (q.mode == kAddWatchPersistentRecursive) {
        kind = WatchKind::kPersistentRecursive;
      } else {
        return Reply(req, Err::kBadArguments);
      }
      if (!watch(q.path, kind)) return Reply(req, Err::kThrottledOp);
      w.Int(0);  // ErrorResponse(0)
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches: {
      PathAndMode q;
      if (!q.Read(r)) return malformed();
      bool data = q.mode == kWatcherTypeData || q.mode == kWatcherTypeAny;
      bool child = q.mode == kWatcherTypeChildren || q.mode == kWatcherTypeAny;
      if (!data && !child) return Reply(req, Err::kBadArguments);
      std::vector<WatchKind> kinds;
      if (data) kinds.insert(kinds.end(), {WatchKind::kData, WatchKind::kPersistentRecursive});
      if (child) kinds.push_back(WatchKind::kChild);
      kinds.push_back(WatchKind::kPersistent);
      bool found = false;
      for (WatchKind k : kinds) {
        if (req.op == OpCode::kCheckWatches) {
          found = found || watches_.Has(q.path, req.session_id, k);
        } else {
          found = watches_.Remove(q.path, req.session_id, k) || found;
        }
      }
      return Reply(req, found ? Err::kOk : Err::kNoWatcher);
    }
    case OpCode::kMultiRead: {
      std::vector<OpCode> ops;
      if (!DecodeMultiOps(req.body, true, &ops)) return malformed();
      JuteReader mr(req.body);
      for (size_t i = 0; i < ops.size(); ++i) {
        MultiHeader mh;
        mh.Read(mr);
        PathAndWatch q;
        q.Read(mr);
        const Node* n = tree_.Find(q.path);
        Err e = !n ? Err::kNoNode : !CheckAcl(n->acl, perm::kRead, auth) ? Err::kNoAuth : Err::kOk;
        if (e == Err::kOk && q.watch) {
          watch(q.path, ops[i] == OpCode::kGetData ? WatchKind::kData : WatchKind::kChild);
        }
        if (e != Err::kOk) {
          MultiHeader{-1, false, ToInt(e)}.Write(w);
          w.Int(ToInt(e));
        } else {
          MultiHeader{ToInt(ops[i]), false, 0}.Write(w);
          if (ops[i] == OpCode::kGetData) {
            w.Buffer(n->data);
            n->stat.Write(w);
          } else {
            WriteChildren(w, *n);
          }
        }
      }
      MultiHeader{-1, true, -1}.Write(w);
      return Reply(req, Err::kOk, w.Take());
    }
    default:
      return Reply(req, Err::kUnimplemented, {}, /*close_after=*/true);
  }
}

void Core::ExpireSession(int64_t session_id, int64_t now_ms) {
  Session* s = sessions_.Find(session_id);
  if (!s || s->closing) return;
  InFlight f;
  f.what = InFlight::What::kExpire;
  f.req.session_id = session_id;
  f.req.op = OpCode::kCloseSession;
  f.txn = Prepare(f.req, now_ms);
  s->closing = true;
  Enqueue(std::move(f));
}

void Core::Tick(int64_t now_ms) {
  ++ticks_;
  for (int64_t sid : sessions_.Advance()) ExpireSession(sid, now_ms);
  if (config_.container_check_ticks <= 0 || ticks_ % config_.container_check_ticks != 0) return;
  std::vector<std::string> candidates;
  for (const auto& path : tree_.containers()) {
    const Node* n = tree_.Find(path);
    if (n && n->stat.cversion > 0 && n->children.empty()) candidates.push_back(path);
  }
  for (const auto& path : tree_.ttls()) {
    const Node* n = tree_.Find(path);
    if (!n || !n->children.empty()) continue;
    int64_t ttl = n->stat.ephemeral_owner & ~kTtlOwnerMask;
    if (now_ms - n->stat.mtime > ttl) candidates.push_back(path);
  }
  for (const auto& path : candidates) {
    InFlight f;
    f.what = InFlight::What::kInternal;
    f.req.op = OpCode::kDeleteContainer;
    f.req.body = path;
    f.txn = Prepare(f.req, now_ms);
    Enqueue(std::move(f));
  }
}

}  // namespace zk
