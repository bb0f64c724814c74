// Core's requests: restore and configuration, submit (reads answered, writes prepared into
// txns), forwarded requests on a leader, applying a txn and the outputs it makes. The in-flight
// queue is core_in_flight.cc, sessions core_sessions.cc.
#include "core/core.h"

#include <algorithm>
#include <cassert>

#include "core/invariant.h"

#include "core/prepare.h"
#include "core/reads.h"
#include "core/reconfig.h"
#include "tree/acl.h"

namespace zk {

Core::Core(CoreConfig config, int64_t first_session_id)
    : config_(std::move(config)),
      sessions_(config_.tick_ms),
      pending_(tree_),
      next_session_id_(first_session_id) {
  watches_.set_limit(config_.watches_max);
  if (!config_.config_text.empty()) {
    tree_.SetConfig(config_.config_text, config_.config_version, config_.config_written_ms);
  }
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
  const Node* snap_config = tree_.Find(kConfigPath);
  if (config_.reconfig_enabled && snap_config != nullptr && !snap_config->data.empty()) {
    // A leader's SNAP carries the leader's membership, which this member takes whatever it had
    // (a reconfig it missed, or one it logged that was never committed); the owner activates
    // it. (At start-up the owner keeps its config file's instead: Replica::Start.)
    activated_config_ = config_.config_text = snap_config->data;
    config_.config_version = snap_config->stat.mzxid;
  } else if (!config_.config_text.empty()) {
    tree_.SetConfig(config_.config_text, config_.config_version, config_.config_written_ms);
  }
}

void Core::SetActiveConfig(const std::string& text, int64_t version, int64_t mtime) {
  config_.config_text = text;
  config_.config_version = version;
  activated_config_.clear();
  tree_.SetConfig(text, version, mtime >= 0 ? mtime : config_.config_written_ms);
}

void Core::SetRole(CoreRole role) {
  DropInFlight();
  if (config_.role == CoreRole::kReadOnly && role != CoreRole::kReadOnly) DropLocalSessions();
  config_.role = role;
  if (role != CoreRole::kStandalone) config_.apply_on_submit = false;
}

void Core::StartEpoch(int64_t epoch) {
  last_prepared_zxid_ = std::max(last_zxid_, MakeZxid(epoch, 0));
  for (const auto& [sid, session] : sessions_.all()) sessions_.Touch(sid);
}

void Core::TakeOutputs(std::vector<Output>* out) {
  out->clear();
  out->swap(outputs_);
}

std::vector<Output> Core::TakeOutputs() {
  std::vector<Output> out;
  out.swap(outputs_);
  // The next batch is usually as large: one allocation instead of growing from empty.
  outputs_.reserve(out.size());
  return out;
}

void Core::Read(const ClientRequest& req) {
  // A read sees the applied state and nothing prepared but uncommitted (the tree holds only
  // applied txns; prepared changes live in pending_).
  ZK_ASSERT(tree_.last_processed_zxid() == last_zxid_ && last_zxid_ <= last_prepared_zxid_);
  ReadFn serve = FindRead(req.op);
  if (!serve) {
    Reply(req, Err::kUnimplemented, {}, /*close_after=*/true);
    return;
  }
  Session* session = sessions_.Find(req.session_id);
  static const std::vector<Id> kNoAuth;
  ReadContext c{config_, tree_, watches_, session, session ? session->auth : kNoAuth,
                req.session_id, req.op, req.body, {}};
  JuteReader r(req.body);
  ReadReply reply = serve(c, r);
  Notify(c.fire);
  Reply(req, reply.err, std::move(reply.body), reply.close_after);
  if (reply.zero_zxid) outputs_.back().zxid = 0;
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
  std::vector<Trigger>& triggers = triggers_;
  triggers.clear();
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
  } else if (txn.header.type == ToInt(OpCode::kReconfig) && result.err == Err::kOk) {
    // The new membership activates at commit, on every member (ZooKeeper's COMMITANDACTIVATE).
    activated_config_ = config_.config_text = txn.op.data;
    config_.config_version = txn.header.zxid;
  }
  for (const auto& t : triggers) Notify(watches_.Trigger(t.path, t.type));
  return result;
}

Txn Core::Prepare(const ClientRequest& req, int64_t now_ms, const DecodedWrite& w) {
  Txn txn;
  txn.header = {req.session_id, req.xid, NextZxid(), now_ms, ToInt(req.op)};
  // Only a server that orders writes stamps them, each above everything applied.
  ZK_ASSERT(config_.role == CoreRole::kLeader || config_.role == CoreRole::kStandalone);
  ZK_ASSERT(txn.header.zxid > last_zxid_);
  const Session* session = sessions_.Find(req.session_id);
  static const std::vector<Id> kNoAuth;
  const std::vector<Id>& auth = req.origin != 0 ? req.auth : session ? session->auth : kNoAuth;
  PrepareContext ctx{config_, req.session_id, txn.header.zxid, auth, pending_};

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
      for (const WriteRequest& sub : w.multi) {
        TxnOp out;
        if (failed) {
          out = ErrorOp(Err::kRuntimeInconsistency);
        } else if (Err e = PrepareWrite(ctx, sub, &out); e != Err::kOk) {
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
    case OpCode::kReconfig: {
      ReconfigContext rc{config_, tree_, pending_, auth, txn.header.zxid, synced_members_};
      if (Err e = PrepareReconfig(rc, w.reconfig, &txn.op); e != Err::kOk) return fail(e);
      return txn;  // header type stays kReconfig, as ZooKeeper logs it
    }
    default: {
      if (Err e = PrepareWrite(ctx, w.single, &txn.op); e != Err::kOk) return fail(e);
      txn.header.type = ToInt(txn.op.type);
      return txn;
    }
  }
}

void Core::Submit(ClientRequest req, int64_t now_ms) {
  Touch(req.session_id);
  // A read-only server refuses deleteContainer with the other writes, before asking who may
  // send it.
  if (config_.role == CoreRole::kReadOnly && IsKnownClientOp(req.op)) {
    SubmitReadOnly(req);
    return;
  }
  if (!IsKnownClientOp(req.op) || req.op == OpCode::kDeleteContainer) {
    ReplyInOrder(req, Err::kUnimplemented, /*close_after=*/true, /*unknown_op=*/true);
    return;
  }
  if (req.op == OpCode::kSync && config_.role == CoreRole::kLearner) {
    InFlight f;
    f.what = InFlight::What::kSync;
    f.req = std::move(req);
    Enqueue(std::move(f));
    return;
  }
  if (!IsWriteOp(req.op)) {
    if (Waiting(req.session_id)) {
      // Wait behind this session's writes (and reads already waiting): replies stay in order
      // and reads see the writes.
      InFlight f;
      f.what = InFlight::What::kRead;
      ++reads_waiting_[req.session_id];
      f.req = std::move(req);
      in_flight_.push_back(std::move(f));
    } else {
      Read(req);
    }
    return;
  }
  // Refuse malformed requests before they take a zxid; the one decode, handed to Prepare.
  DecodedWrite decoded;
  if (!DecodeWriteRequest(req.op, req.body, &decoded)) {
    ReplyInOrder(req, Err::kMarshallingError);  // as ZooKeeper: header-only -5, connection kept
    return;
  }

  if (in_flight_.size() >= config_.in_flight_max) {
    ReplyInOrder(req, Err::kThrottledOp);
    return;
  }
  InFlight f;
  f.what = InFlight::What::kWrite;
  f.multi_ops = decoded.MultiOps();
  if (config_.role != CoreRole::kLearner) f.txn = Prepare(req, now_ms, decoded);
  if (req.op == OpCode::kCloseSession) {
    if (Session* s = sessions_.Find(req.session_id)) s->closing = true;
  }
  f.req = std::move(req);
  Enqueue(std::move(f));
}

void Core::SubmitForwarded(const ClientRequest& req, int64_t now_ms) {
  assert(config_.role == CoreRole::kLeader);
  sessions_.Touch(req.session_id);
  InFlight f;
  f.req = req;
  if (req.op == OpCode::kSync) {
    f.what = InFlight::What::kForwardedSync;
    Enqueue(std::move(f));
    return;
  }
  f.what = InFlight::What::kForwarded;
  if (req.op == OpCode::kCreateSession) {
    JuteReader r(req.body);
    int32_t timeout =
        std::clamp(r.Int(), config_.min_session_timeout_ms, config_.max_session_timeout_ms);
    f.txn.header = {req.session_id, 0, NextZxid(), now_ms, ToInt(OpCode::kCreateSession)};
    f.txn.op.type = OpCode::kCreateSession;
    f.txn.op.timeout_ms = timeout;
  } else {
    // Every forwarded request must produce a txn: the learner waits for its commit.
    DecodedWrite decoded;
    if (IsWriteOp(req.op) && DecodeWriteRequest(req.op, req.body, &decoded)) {
      f.txn = Prepare(req, now_ms, decoded);
    } else {
      f.txn.header = {req.session_id, req.xid, NextZxid(), now_ms, ToInt(OpCode::kError)};
      f.txn.op = ErrorOp(Err::kMarshallingError);
    }
    if (req.op == OpCode::kCloseSession) {
      if (Session* s = sessions_.Find(req.session_id)) s->closing = true;
    }
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
        // Inside a multi a check's result has no body (a lone check answers with a Stat).
        if (multi_ops[i] != OpCode::kCheck) WriteResultRecord(w, multi_ops[i], sub);
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
  if (req.op == OpCode::kReconfig) {
    // ZooKeeper answers with a GetDataResponse: the new config and the Stat of its node, just
    // applied.
    const Node* n = tree_.Find(kConfigPath);
    w.Buffer(n->data);
    ClientStat(n->stat).Write(w);
    Reply(req, Err::kOk, w.Take());
    return;
  }
  WriteResultRecord(w, req.op, result);
  Reply(req, Err::kOk, w.Take());
}

}  // namespace zk
