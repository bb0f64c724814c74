// Core's in-flight queue: every request that must wait its turn (writes for their commit,
// reads and replies behind a write of the same session, syncs) in order; commits and committed
// txns (learners) that release it; and Finish, the reply a finished write gets.
#include <algorithm>
#include <cassert>

#include "core/core.h"
#include "core/reads.h"

namespace zk {

bool Core::Writes(const InFlight& f) const {
  switch (f.what) {
    case InFlight::What::kRead:
    case InFlight::What::kReply:
    case InFlight::What::kForwardedSync:
      return false;
    default:
      return true;  // takes a zxid, or (learner) waits for the leader like one
  }
}

void Core::Enqueue(InFlight f) {
  const bool learner = config_.role == CoreRole::kLearner;
  if (Writes(f)) ++writes_in_flight_[f.req.session_id];
  if (learner && (f.what == InFlight::What::kWrite || f.what == InFlight::What::kSync ||
                  f.what == InFlight::What::kOpenSession)) {
    Output o;
    o.kind = Output::Kind::kForward;
    o.session_id = f.req.session_id;
    o.xid = f.req.xid;
    o.op = f.req.op;
    o.body = f.req.body;
    if (const Session* s = sessions_.Find(f.req.session_id)) o.auth = s->auth;
    outputs_.push_back(std::move(o));
    in_flight_.push_back(std::move(f));
    return;
  }
  bool txn = Writes(f);
  if (txn && !config_.apply_on_submit) {
    Output o;
    o.kind = Output::Kind::kPersist;
    o.session_id = f.req.session_id;
    o.zxid = f.txn.header.zxid;
    o.body = f.txn.Encode();
    outputs_.push_back(std::move(o));
  }
  int64_t zxid = f.txn.header.zxid;
  in_flight_.push_back(std::move(f));
  if (config_.apply_on_submit) {
    Commit(txn ? zxid : last_zxid_);
  } else if (!txn) {
    Commit(last_zxid_);  // nothing to wait for unless writes are ahead of it
  }
}

void Core::Commit(int64_t zxid) {
  assert(config_.role != CoreRole::kLearner);
  while (!in_flight_.empty()) {
    InFlight& front = in_flight_.front();
    if (Writes(front) && front.txn.header.zxid > zxid) break;
    InFlight f = std::move(front);
    in_flight_.pop_front();
    if (f.what == InFlight::What::kRead || f.what == InFlight::What::kReply) {
      ServeWaiting(f);
    } else if (f.what == InFlight::What::kForwardedSync) {
      Output o;
      o.kind = Output::Kind::kSyncDone;
      o.session_id = f.req.session_id;
      o.xid = f.req.xid;
      o.origin = f.req.origin;
      outputs_.push_back(std::move(o));
    } else {
      Finish(f, ApplyTxn(f.txn));
    }
  }
}

void Core::ApplyCommitted(const Txn& txn) {
  assert(config_.role == CoreRole::kLearner);
  ApplyResult result = ApplyTxn(txn);
  bool finished = false;
  if (!in_flight_.empty()) {
    InFlight& f = in_flight_.front();
    bool mine = f.req.session_id == txn.header.client_id &&
                (f.what == InFlight::What::kOpenSession
                     ? txn.header.type == ToInt(OpCode::kCreateSession)
                     : f.what == InFlight::What::kWrite && f.req.xid == txn.header.cxid);
    if (mine) {
      InFlight done = std::move(f);
      in_flight_.pop_front();
      done.txn.header = txn.header;
      Finish(done, result);
      finished = true;
    }
  }
  if (!finished && txn.header.type == ToInt(OpCode::kCloseSession)) {
    Output o;
    o.kind = Output::Kind::kCloseSession;
    o.session_id = txn.header.client_id;
    outputs_.push_back(std::move(o));
  }
  DrainReads();
}

void Core::Synced(int64_t session_id, int32_t xid) {
  if (in_flight_.empty()) return;
  InFlight& f = in_flight_.front();
  if (f.what != InFlight::What::kSync || f.req.session_id != session_id || f.req.xid != xid) {
    return;
  }
  InFlight done = std::move(f);
  in_flight_.pop_front();
  Finish(done, ApplyResult{});
  DrainReads();
}

void Core::DrainReads() {
  while (!in_flight_.empty() && (in_flight_.front().what == InFlight::What::kRead ||
                                 in_flight_.front().what == InFlight::What::kReply)) {
    InFlight f = std::move(in_flight_.front());
    in_flight_.pop_front();
    ServeWaiting(f);
  }
}

bool Core::Waiting(int64_t session_id) const {
  return writes_in_flight_.count(session_id) > 0 || reads_waiting_.count(session_id) > 0;
}

void Core::ReplyInOrder(const ClientRequest& req, Err err, bool close_after, bool unknown_op) {
  if (!Waiting(req.session_id)) {
    Reply(req, err, {}, close_after);
    if (unknown_op) outputs_.back().zxid = -1;  // as ZooKeeper answers an unknown opcode
    return;
  }
  InFlight f;
  f.what = InFlight::What::kReply;
  f.req = req;
  f.err = err;
  f.close_after = close_after;
  f.unknown_op = unknown_op;
  ++reads_waiting_[req.session_id];
  in_flight_.push_back(std::move(f));
}

void Core::ServeWaiting(InFlight& f) {
  if (auto it = reads_waiting_.find(f.req.session_id);
      it != reads_waiting_.end() && --it->second <= 0) {
    reads_waiting_.erase(it);
  }
  if (f.what == InFlight::What::kRead) {
    Read(f.req);
    return;
  }
  Reply(f.req, f.err, {}, f.close_after);
  if (f.unknown_op) outputs_.back().zxid = -1;
}

void Core::DropInFlight() {
  // A dropped close never happened: the session may be closed (or expire) again later.
  for (const InFlight& f : in_flight_) {
    if (f.req.op != OpCode::kCloseSession || f.what == InFlight::What::kRead) continue;
    if (Session* s = sessions_.Find(f.req.session_id)) s->closing = false;
  }
  in_flight_.clear();
  writes_in_flight_.clear();
  reads_waiting_.clear();
  pending_.Clear();
  last_prepared_zxid_ = last_zxid_;
}

void Core::Finish(InFlight& f, const ApplyResult& result) {
  int64_t sid = f.req.session_id;
  if (auto it = writes_in_flight_.find(sid); it != writes_in_flight_.end() && --it->second <= 0) {
    writes_in_flight_.erase(it);
  }
  switch (f.what) {
    case InFlight::What::kWrite:
      ReplyToWrite(f.req, f.multi_ops, result);
      return;
    case InFlight::What::kSync: {
      JuteReader r(f.req.body);
      JuteWriter w;
      w.String(r.String());
      Reply(f.req, Err::kOk, w.Take());
      return;
    }
    case InFlight::What::kOpenSession: {
      if (Session* s = sessions_.Find(sid)) s->auth = {Id{"ip", f.client_ip}};
      Output o;
      o.kind = Output::Kind::kSessionOpened;
      o.session_id = sid;
      o.zxid = f.txn.header.zxid;
      o.timeout_ms = f.txn.op.timeout_ms;
      o.body = SessionPassword(sid);
      outputs_.push_back(std::move(o));
      return;
    }
    default:
      break;
  }
  if (f.txn.header.type == ToInt(OpCode::kCloseSession)) {
    // Expired, or closed through another server: close the connection if it is here.
    Output o;
    o.kind = Output::Kind::kCloseSession;
    o.session_id = sid;
    outputs_.push_back(std::move(o));
  }
}

}  // namespace zk
