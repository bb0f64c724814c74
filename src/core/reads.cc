#include "core/reads.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/invariant.h"
#include "core/prepare.h"
#include "proto/records.h"
#include "tree/acl.h"

namespace zk {
namespace {

ReadReply Fail(Err e) {
  ReadReply r;
  r.err = e;
  return r;
}

// An undecodable record: header-only MARSHALLINGERROR, as ZooKeeper; the connection stays.
ReadReply Malformed() { return Fail(Err::kMarshallingError); }

ReadReply Ok(JuteWriter& w) {
  ReadReply r;
  r.body = w.Take();
  return r;
}

}  // namespace

void WriteChildren(JuteWriter& w, const Node& n) {
  // Sized up front: grown by doubling, a reply of 100k names copied itself some 20 times. The
  // estimate takes every name as long as the last one, which is exact for sequential children
  // (a pass to add the lengths up costs cache misses of its own on a wide node); the 128 bytes
  // leave room for getChildren2's Stat.
  if (!n.children.empty()) {
    w.Reserve(w.size() + 4 + n.children.size() * (4 + n.children.back().first.size()) + 128);
  }
  w.Int(static_cast<int32_t>(n.children.size()));
  // Names are framed in a small buffer that stays in L1 and appended a few KiB at a time: an
  // append per name cost more than the walk over the children did.
  char batch[4096];
  size_t used = 0;
  for (const auto& [name, child] : n.children) {
    const size_t need = 4 + name.size();
    if (used + need > sizeof batch) {
      w.Raw(std::string_view(batch, used));
      used = 0;
      if (need > sizeof batch) {
        w.String(name);
        continue;
      }
    }
    const auto len = static_cast<uint32_t>(name.size());
    char* p = batch + used;
    p[0] = static_cast<char>(len >> 24);
    p[1] = static_cast<char>(len >> 16);
    p[2] = static_cast<char>(len >> 8);
    p[3] = static_cast<char>(len);
    std::memcpy(p + 4, name.data(), name.size());
    used += need;
  }
  w.Raw(std::string_view(batch, used));
}

namespace {

bool Watch(ReadContext& c, const std::string& path, WatchKind kind) {
  return c.watches.Add(path, c.session_id, kind);
}

ReadReply Exists(ReadContext& c, JuteReader& r) {
  PathAndWatch q;
  if (!q.Read(r)) return Malformed();
  if (q.path.find('\0') != std::string::npos) return Fail(Err::kBadArguments);
  if (q.watch && !Watch(c, q.path, WatchKind::kData)) return Fail(Err::kThrottledOp);
  const Node* n = c.tree.Find(q.path);
  if (!n) return Fail(Err::kNoNode);
  ZK_ASSERT(n->stat.mzxid <= c.tree.last_processed_zxid());  // nothing from the future
  JuteWriter w;
  ClientStat(n->stat).Write(w);
  return Ok(w);
}

// getData, getChildren, getChildren2: the node's data or children, with a watch on request.
ReadReply GetNode(ReadContext& c, JuteReader& r) {
  PathAndWatch q;
  if (!q.Read(r)) return Malformed();
  const Node* n = c.tree.Find(q.path);
  if (!n) return Fail(Err::kNoNode);
  if (!CheckAcl(n->acl, perm::kRead, c.auth)) return Fail(Err::kNoAuth);
  ZK_ASSERT(n->stat.mzxid <= c.tree.last_processed_zxid() && n->stat.czxid <= n->stat.mzxid);
  const bool data = c.op == OpCode::kGetData;
  if (q.watch && !Watch(c, q.path, data ? WatchKind::kData : WatchKind::kChild)) {
    return Fail(Err::kThrottledOp);
  }
  JuteWriter w;
  if (data) {
    w.MaybeNullBuffer(n->data, n->data_null);
    ClientStat(n->stat).Write(w);
  } else {
    WriteChildren(w, *n);
    if (c.op == OpCode::kGetChildren2) ClientStat(n->stat).Write(w);
  }
  return Ok(w);
}

ReadReply GetAcl(ReadContext& c, JuteReader& r) {
  std::string path = r.String();
  if (!r.ok()) return Malformed();
  const Node* n = c.tree.Find(path);
  if (!n) return Fail(Err::kNoNode);
  if (!CheckAcl(n->acl, perm::kRead | perm::kAdmin, c.auth)) return Fail(Err::kNoAuth);
  AclList acl = *n->acl;
  if (!CheckAcl(n->acl, perm::kAdmin, c.auth)) {
    for (auto& a : acl) {
      if (a.id.scheme == "digest") a.id.id = a.id.id.substr(0, a.id.id.find(':')) + ":x";
    }
  }
  JuteWriter w;
  WriteAcls(w, acl);
  ClientStat(n->stat).Write(w);
  return Ok(w);
}

ReadReply Sync(ReadContext& c, JuteReader& r) {
  std::string path = r.String();
  if (!r.ok()) return Malformed();
  JuteWriter w;
  w.String(path);
  return Ok(w);
}

ReadReply GetAllChildrenNumber(ReadContext& c, JuteReader& r) {
  std::string path = r.String();
  if (!r.ok()) return Malformed();
  const Node* n = c.tree.Find(path);
  if (!n) return Fail(Err::kNoNode);
  if (!CheckAcl(n->acl, perm::kRead, c.auth)) return Fail(Err::kNoAuth);
  int32_t count = 0;
  c.tree.ForEachDescendant(path, [&](const std::string&, const Node&) { ++count; });
  JuteWriter w;
  w.Int(count);
  return Ok(w);
}

ReadReply GetEphemerals(ReadContext& c, JuteReader& r) {
  std::string prefix = r.String();
  if (!r.ok()) return Malformed();
  std::vector<std::string> out;
  if (auto it = c.tree.ephemerals().find(c.session_id); it != c.tree.ephemerals().end()) {
    bool all = prefix.empty() || prefix == "/";
    for (const auto& p : it->second) {
      if (all || p.compare(0, prefix.size(), prefix) == 0) out.push_back(p);
    }
  }
  JuteWriter w;
  w.StringVector(out);
  return Ok(w);
}

ReadReply WhoAmI(ReadContext& c, JuteReader&) {
  JuteWriter w;
  w.Int(static_cast<int32_t>(c.auth.size()));
  for (const auto& id : c.auth) {
    w.String(id.scheme);
    w.String(id.scheme == "digest" ? id.id.substr(0, id.id.find(':')) : id.id);
  }
  return Ok(w);
}

ReadReply Auth(ReadContext& c, JuteReader& r) {
  AuthPacket a;
  if (!a.Read(r)) return Malformed();
  ReadReply reply;
  if (!c.session) {
    reply.err = Err::kAuthFailed;
    reply.close_after = true;
    return reply;
  }
  if (a.scheme == "digest") {
    std::string id = DigestId(a.auth);
    std::vector<Id>& ids = c.session->auth;
    if (!c.config.super_digest.empty() && id == c.config.super_digest) {
      ids.push_back(Id{"super", ""});
    }
    Id digest{"digest", id};
    if (std::find(ids.begin(), ids.end(), digest) == ids.end()) ids.push_back(digest);
  } else if (a.scheme != "ip") {
    // No such authentication provider: AUTHFAILED, then the connection closes.
    reply.err = Err::kAuthFailed;
    reply.close_after = true;
  }
  reply.zero_zxid = true;
  return reply;
}

// SetWatches / SetWatches2 after a reconnect: a watch whose event the client missed fires at
// once; the others are registered again.
ReadReply SetWatches(ReadContext& c, JuteReader& r) {
  SetWatchesRequest q;
  if (!q.Read(r, c.op == OpCode::kSetWatches2)) return Malformed();
  auto fire = [&](EventType type, const std::string& path) {
    c.fire.push_back({c.session_id, type, path});
  };
  for (const auto& p : q.data_watches) {
    const Node* n = c.tree.Find(p);
    if (!n) {
      fire(EventType::kNodeDeleted, p);
    } else if (n->stat.mzxid > q.relative_zxid) {
      fire(EventType::kNodeDataChanged, p);
    } else {
      Watch(c, p, WatchKind::kData);
    }
  }
  for (const auto& p : q.exist_watches) {
    if (c.tree.Find(p)) {
      fire(EventType::kNodeCreated, p);
    } else {
      Watch(c, p, WatchKind::kData);
    }
  }
  for (const auto& p : q.child_watches) {
    const Node* n = c.tree.Find(p);
    if (!n) {
      fire(EventType::kNodeDeleted, p);
    } else if (n->stat.pzxid > q.relative_zxid) {
      fire(EventType::kNodeChildrenChanged, p);
    } else {
      Watch(c, p, WatchKind::kChild);
    }
  }
  for (const auto& p : q.persistent_watches) Watch(c, p, WatchKind::kPersistent);
  for (const auto& p : q.persistent_recursive_watches) Watch(c, p, WatchKind::kPersistentRecursive);
  return {};
}

ReadReply AddWatch(ReadContext& c, JuteReader& r) {
  PathAndMode q;
  if (!q.Read(r)) return Malformed();
  WatchKind kind;
  if (q.mode == kAddWatchPersistent) {
    kind = WatchKind::kPersistent;
  } else if (q.mode == kAddWatchPersistentRecursive) {
    kind = WatchKind::kPersistentRecursive;
  } else {
    return Fail(Err::kBadArguments);
  }
  if (!Watch(c, q.path, kind)) return Fail(Err::kThrottledOp);
  JuteWriter w;
  w.Int(0);  // ErrorResponse(0)
  return Ok(w);
}

// checkWatches / removeWatches: NOWATCHER unless the session has a watch of the asked type.
ReadReply CheckOrRemoveWatches(ReadContext& c, JuteReader& r) {
  PathAndMode q;
  if (!q.Read(r)) return Malformed();
  bool data = q.mode == kWatcherTypeData || q.mode == kWatcherTypeAny;
  bool child = q.mode == kWatcherTypeChildren || q.mode == kWatcherTypeAny;
  if (!data && !child) return Fail(Err::kBadArguments);
  std::vector<WatchKind> kinds;
  if (data) kinds.insert(kinds.end(), {WatchKind::kData, WatchKind::kPersistentRecursive});
  if (child) kinds.push_back(WatchKind::kChild);
  kinds.push_back(WatchKind::kPersistent);
  bool found = false;
  for (WatchKind k : kinds) {
    if (c.op == OpCode::kCheckWatches) {
      found = found || c.watches.Has(q.path, c.session_id, k);
    } else {
      found = c.watches.Remove(q.path, c.session_id, k) || found;
    }
  }
  return Fail(found ? Err::kOk : Err::kNoWatcher);
}

ReadReply MultiRead(ReadContext& c, JuteReader& r) {
  std::vector<OpCode> ops;
  if (!DecodeMultiReadOps(c.body, &ops)) return Malformed();
  JuteWriter w;
  for (OpCode op : ops) {
    MultiHeader mh;
    mh.Read(r);
    PathAndWatch q;
    q.Read(r);
    const Node* n = c.tree.Find(q.path);
    Err e = !n ? Err::kNoNode : !CheckAcl(n->acl, perm::kRead, c.auth) ? Err::kNoAuth : Err::kOk;
    if (e != Err::kOk) {
      MultiHeader{-1, false, ToInt(e)}.Write(w);
      w.Int(ToInt(e));
      continue;
    }
    if (q.watch) Watch(c, q.path, op == OpCode::kGetData ? WatchKind::kData : WatchKind::kChild);
    MultiHeader{ToInt(op), false, 0}.Write(w);
    if (op == OpCode::kGetData) {
      w.MaybeNullBuffer(n->data, n->data_null);
      ClientStat(n->stat).Write(w);
    } else {
      WriteChildren(w, *n);
    }
  }
  MultiHeader{-1, true, -1}.Write(w);
  return Ok(w);
}

constexpr std::pair<OpCode, ReadFn> kReads[] = {
    {OpCode::kExists, Exists},
    {OpCode::kGetData, GetNode},
    {OpCode::kGetChildren, GetNode},
    {OpCode::kGetChildren2, GetNode},
    {OpCode::kGetAcl, GetAcl},
    {OpCode::kSync, Sync},
    {OpCode::kGetAllChildrenNumber, GetAllChildrenNumber},
    {OpCode::kGetEphemerals, GetEphemerals},
    {OpCode::kWhoAmI, WhoAmI},
    {OpCode::kAuth, Auth},
    {OpCode::kSetWatches, SetWatches},
    {OpCode::kSetWatches2, SetWatches},
    {OpCode::kAddWatch, AddWatch},
    {OpCode::kCheckWatches, CheckOrRemoveWatches},
    {OpCode::kRemoveWatches, CheckOrRemoveWatches},
    {OpCode::kMultiRead, MultiRead},
};

}  // namespace

ReadFn FindRead(OpCode op) {
  for (const auto& [code, fn] : kReads) {
    if (code == op) return fn;
  }
  return nullptr;
}

}  // namespace zk
