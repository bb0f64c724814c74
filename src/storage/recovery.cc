#include "storage/recovery.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "proto/zxid.h"
#include "storage/snapshot.h"

namespace zk::storage {
namespace {

// Replays txns of a fuzzy snapshot's window onto the loaded tree (rules in recovery.h).
class FuzzyReplay {
 public:
  FuzzyReplay(DataTree& tree, SessionMap& sessions) : tree_(tree), sessions_(sessions) {}

  void Apply(const Txn& txn) {
    const TxnHeader& h = txn.header;
    if (h.type == ToInt(OpCode::kCreateSession)) {
      sessions_[h.client_id] = txn.op.timeout_ms;
    } else if (h.type == ToInt(OpCode::kCloseSession)) {
      sessions_.erase(h.client_id);
      std::set<std::string> paths(txn.op.paths.begin(), txn.op.paths.end());
      if (auto it = tree_.ephemerals().find(h.client_id); it != tree_.ephemerals().end()) {
        paths.insert(it->second.begin(), it->second.end());
      }
      for (const auto& p : paths) {
        const Node* n = tree_.Find(p);
        if (n && n->stat.ephemeral_owner == h.client_id) {
          Delete(h, p);
        } else {
          RaiseParent(p, -1, h.zxid, /*pzxid_only_with_cversion=*/false);
        }
      }
    } else if (h.type == ToInt(OpCode::kMulti)) {
      bool failed = false;
      for (const auto& op : txn.multi) failed = failed || op.type == OpCode::kError;
      if (!failed) {
        for (const auto& op : txn.multi) ApplyOp(h, op);
      }
    } else {
      ApplyOp(h, txn.op);
    }
    tree_.set_last_processed_zxid(h.zxid);
  }

 private:
  void ApplyOp(const TxnHeader& h, const TxnOp& op) {
    switch (op.type) {
      case OpCode::kCreate:
      case OpCode::kCreateTtl:
      case OpCode::kCreateContainer:
        Create(h, op);
        break;
      case OpCode::kDelete:
      case OpCode::kDeleteContainer:
        Delete(h, op.path);
        break;
      case OpCode::kSetData:
      case OpCode::kSetAcl: {
        const Node* n = tree_.Find(op.path);
        if (n && n->stat.czxid <= h.zxid) Plain(h, op);
        break;
      }
      default:
        break;  // check, error: nothing to change
    }
  }

  void Plain(const TxnHeader& h, const TxnOp& op) {
    Txn one;
    one.header = h;
    one.header.type = ToInt(op.type);
    one.op = op;
    triggers_.clear();
    tree_.Apply(one, &triggers_);
  }

  void Create(const TxnHeader& h, const TxnOp& op) {
    const Node* parent = tree_.Find(ParentPath(op.path));
    // No parent, or a later incarnation of it: this child belonged to one since deleted.
    if (!parent || parent->stat.czxid > h.zxid) return;
    const Node* n = tree_.Find(op.path);
    if (!n) {
      Plain(h, op);
      return;
    }
    if (n->stat.czxid < h.zxid) {
      // An older incarnation survived (its delete was skipped): re-create in place.
      Node node;
      node.data = op.data;
      node.acl = op.acl;
      node.stat.czxid = node.stat.mzxid = node.stat.pzxid = h.zxid;
      node.stat.ctime = node.stat.mtime = h.time_ms;
      if (op.type == OpCode::kCreateContainer) {
        node.stat.ephemeral_owner = kContainerOwner;
      } else if (op.type == OpCode::kCreateTtl) {
        node.stat.ephemeral_owner = kTtlOwnerMask | op.ttl;
      } else if (op.ephemeral) {
        node.stat.ephemeral_owner = h.client_id;
      }
      tree_.Restore(op.path, std::move(node));
    }
    RaiseParent(op.path, op.parent_cversion, h.zxid, /*pzxid_only_with_cversion=*/true);
  }

  void Delete(const TxnHeader& h, const std::string& path) {
    const Node* n = tree_.Find(path);
    if (n && n->stat.czxid <= h.zxid && n->children.empty()) {
      TxnOp op;
      op.type = OpCode::kDelete;
      op.path = path;
      Plain(h, op);
      return;
    }
    RaiseParent(path, -1, h.zxid, /*pzxid_only_with_cversion=*/false);
  }

  // Raises the parent's cversion / pzxid as a replayed child create / delete would have.
  // DataTree::Restore on an existing path replaces its data, ACL and stat and keeps children.
  void RaiseParent(const std::string& path, int32_t cversion, int64_t zxid,
                   bool pzxid_only_with_cversion) {
    std::string parent_path(ParentPath(path));
    const Node* p = tree_.Find(parent_path);
    if (!p || p->stat.czxid > zxid) return;  // gone, or a later incarnation
    Stat stat = p->stat;
    bool raise_cversion = cversion > stat.cversion;
    if (raise_cversion) stat.cversion = cversion;
    if ((raise_cversion || !pzxid_only_with_cversion) && zxid > stat.pzxid) stat.pzxid = zxid;
    if (stat == p->stat) return;
    Node patch;
    patch.data = p->data;
    patch.acl = p->acl;
    patch.stat = stat;
    tree_.Restore(parent_path, std::move(patch));
  }

  DataTree& tree_;
  SessionMap& sessions_;
  std::vector<Trigger> triggers_;
};

}  // namespace

Status Recover(const std::string& data_dir, const std::string& data_log_dir, Core& core,
               RecoveryResult* result, size_t keep_recent) {
  *result = RecoveryResult();
  LoadedSnapshot snap;
  bool have_snapshot = false;
  for (const ZxidFile& f : FindSnapshots(data_dir)) {
    Status s = ReadSnapshot(f.path, &snap);
    if (s.ok()) {
      have_snapshot = true;
      result->snapshot = f.path;
      break;
    }
    spdlog::warn("skipping snapshot: {}", s.message());
    result->skipped_snapshots.push_back(s.message());
  }
  if (!have_snapshot) snap = LoadedSnapshot();
  result->snapshot_zxid = snap.zxid;
  result->snapshot_nodes = snap.node_count;

  TxnLogReader reader(data_log_dir, snap.zxid + 1);
  result->recent.clear();
  result->recent_base = snap.zxid;
  FuzzyReplay fuzzy(snap.tree, snap.sessions);
  bool restored = false;
  int64_t last = snap.zxid;
  auto restore = [&] {
    core.Restore(std::move(snap.tree), snap.sessions, last);
    restored = true;
  };
  TxnLogEntry e;
  Txn txn;
  while (reader.Next(&e)) {
    txn = Txn();
    if (!Txn::Decode(e.bytes, &txn)) {
      return Status::Error("txn log " + std::string(e.file) + " at offset " +
                           std::to_string(e.offset) + ": entry for zxid " + ZxidHex(e.zxid) +
                           " has a valid checksum but does not decode as a txn");
    }
    if (e.zxid <= snap.end_zxid) {
      fuzzy.Apply(txn);
    } else {
      if (!restored) restore();
      core.ApplyTxn(txn);
    }
    last = e.zxid;
    ++result->txns_replayed;
    if (keep_recent > 0) {
      result->recent.emplace_back(e.zxid, std::string(e.bytes));
      if (result->recent.size() > keep_recent) {
        result->recent_base = result->recent.front().first;
        result->recent.pop_front();
      }
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (last < snap.end_zxid) {
    return Status::Error("snapshot " + result->snapshot + " holds txns up to " +
                         ZxidHex(snap.end_zxid) + " but the txn log in " +
                         VersionDir(data_log_dir) + " ends at " + ZxidHex(last) +
                         ": log files are missing");
  }
  if (!restored) restore();

  const TornTail& torn = reader.torn_tail();
  if (torn.present()) {
    Status s = TruncateLog(torn.file, torn.file_has_entries ? torn.offset : 0);
    if (!s.ok()) return s;
    spdlog::warn("txn log {}: torn write at offset {} after zxid {} truncated, {} bytes dropped{}",
                 torn.file, torn.offset, ZxidHex(last), torn.bytes_dropped,
                 torn.file_has_entries ? "" : " (file removed: no complete entry)");
    result->torn_tail = torn;
  }
  result->last_zxid = core.last_zxid();
  return Status::Ok();
}

Status Purge(const std::string& data_dir, const std::string& data_log_dir, int snap_retain_count,
             std::vector<std::string>* removed) {
  if (snap_retain_count < 1) return Status::Error("purge: snapRetainCount must be at least 1");
  std::vector<ZxidFile> snapshots = FindSnapshots(data_dir);  // newest first
  std::vector<ZxidFile> kept;
  for (const ZxidFile& f : snapshots) {
    if (static_cast<int>(kept.size()) == snap_retain_count) break;
    if (SnapshotLooksComplete(f.path)) kept.push_back(f);
  }
  if (kept.empty()) return Status::Ok();  // nothing valid to anchor on: keep everything
  const int64_t oldest = kept.back().zxid;

  std::vector<std::string> doomed;
  for (const ZxidFile& f : snapshots) {
    if (f.zxid < oldest) doomed.push_back(f.path);
  }
  // Logs: keep the newest file starting at or before `oldest` (it holds oldest + 1) and later.
  std::vector<ZxidFile> logs = ListZxidFiles(VersionDir(data_log_dir), "log");
  int64_t keep_from = INT64_MIN;
  for (const ZxidFile& f : logs) {
    if (f.zxid <= oldest) keep_from = f.zxid;
  }
  for (const ZxidFile& f : logs) {
    if (f.zxid < keep_from) doomed.push_back(f.path);
  }
  for (const std::string& path : doomed) {
    if (::unlink(path.c_str()) != 0) {
      return Status::Error(ErrnoMessage("purge: unlink", path, errno));
    }
    if (removed) removed->push_back(path);
  }
  return Status::Ok();
}

}  // namespace zk::storage
