// Core::Read: the operations served from the local tree without a txn (docs/wire-format.md,
// Response by op), plus auth, watch registration and removal.
#include <algorithm>

#include "core/core.h"
#include "core/prepare.h"
#include "tree/acl.h"

namespace zk {
namespace {

void WriteChildren(JuteWriter& w, const Node& n) {
  w.Int(static_cast<int32_t>(n.children.size()));
  for (const auto& [name, child] : n.children) w.String(name);
}

}  // namespace

void Core::Read(const ClientRequest& req) {
  JuteReader r(req.body);
  Session* session = sessions_.Find(req.session_id);
  static const std::vector<Id> kNone;
  const std::vector<Id>& auth = session ? session->auth : kNone;
  // An undecodable record: header-only MARSHALLINGERROR, as ZooKeeper; the connection stays.
  auto malformed = [&] { Reply(req, Err::kMarshallingError); };
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
      ClientStat(n->stat).Write(w);
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
        w.MaybeNullBuffer(n->data, n->data_null);
        ClientStat(n->stat).Write(w);
      } else {
        WriteChildren(w, *n);
        if (req.op == OpCode::kGetChildren2) ClientStat(n->stat).Write(w);
      }
      return Reply(req, Err::kOk, w.Take());
    }
    case OpCode::kGetAcl: {
      std::string path = r.String();
      if (!r.ok()) return malformed();
      const Node* n = tree_.Find(path);
      if (!n) return Reply(req, Err::kNoNode);
      if (!CheckAcl(n->acl, perm::kRead | perm::kAdmin, auth)) return Reply(req, Err::kNoAuth);
      AclList acl = *n->acl;
      if (!CheckAcl(n->acl, perm::kAdmin, auth)) {
        for (auto& a : acl) {
          if (a.id.scheme == "digest") a.id.id = a.id.id.substr(0, a.id.id.find(':')) + ":x";
        }
      }
      WriteAcls(w, acl);
      ClientStat(n->stat).Write(w);
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
            w.MaybeNullBuffer(n->data, n->data_null);
            ClientStat(n->stat).Write(w);
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

}  // namespace zk
