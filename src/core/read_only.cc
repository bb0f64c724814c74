// The Core in the read-only role (CoreRole::kReadOnly): what ZooKeeper 3.8's
// ReadOnlyZooKeeperServer does for a member cut off from its quorum with readonlymode.enabled.
// Reads are served from this member's tree as it stands; nothing here takes a zxid or reaches
// the log. Sessions are local, as in a ZooKeeper read-only server with local sessions: they
// exist on this server only, so they can never be confused with a session the quorum owns.
#include <cassert>

#include "core/core.h"

namespace zk {
namespace {

// The requests ZooKeeper's ReadOnlyRequestProcessor answers with NOTREADONLY before looking at
// them. A lone check and a multi (even one holding only checks) are refused; so is sync, which
// would need a leader.
bool RefusedWhenReadOnly(OpCode op) {
  switch (op) {
    case OpCode::kSync:
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer:
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
    case OpCode::kSetData:
    case OpCode::kReconfig:
    case OpCode::kSetAcl:
    case OpCode::kMulti:
    case OpCode::kCheck:
      return true;
    default:
      return false;
  }
}

}  // namespace

OpenSessionResult Core::OpenLocalSession(int32_t timeout_ms, const std::string& client_ip) {
  assert(config_.role == CoreRole::kReadOnly);
  int64_t sid = next_session_id_++;
  Session& s = sessions_.Add(sid, timeout_ms);
  s.local = true;
  s.auth = {Id{"ip", client_ip}};
  // Nothing to make durable: the ConnectResponse may go at once.
  Output o;
  o.kind = Output::Kind::kSessionOpened;
  o.session_id = sid;
  o.zxid = last_zxid_;
  o.timeout_ms = timeout_ms;
  o.body = SessionPassword(sid);
  o.read_only = true;
  OpenSessionResult opened{sid, timeout_ms, o.body};
  outputs_.push_back(std::move(o));
  return opened;
}

void Core::SubmitReadOnly(const ClientRequest& req) {
  if (RefusedWhenReadOnly(req.op)) {
    ReplyInOrder(req, Err::kNotReadOnly);
    return;
  }
  if (req.op == OpCode::kCloseSession) {
    const Session* s = sessions_.Find(req.session_id);
    if (s == nullptr || !s->local) {
      // Closing a session the quorum owns is a write.
      ReplyInOrder(req, Err::kNotReadOnly);
      return;
    }
    CloseLocalSession(req.session_id);
    ReplyInOrder(req, Err::kOk, /*close_after=*/true);
    return;
  }
  Read(req);
}

void Core::ExpireLocalSessions(const std::vector<int64_t>& expired) {
  for (int64_t sid : expired) {
    const Session* s = sessions_.Find(sid);
    if (s == nullptr || !s->local) continue;  // the quorum's sessions expire at its leader
    CloseLocalSession(sid);
    Output o;
    o.kind = Output::Kind::kCloseSession;
    o.session_id = sid;
    outputs_.push_back(std::move(o));
  }
}

void Core::CloseLocalSession(int64_t session_id) {
  sessions_.Remove(session_id);
  watches_.RemoveSession(session_id);
}

void Core::DropLocalSessions() {
  std::vector<int64_t> local;
  for (const auto& [sid, s] : sessions_.all()) {
    if (s.local) local.push_back(sid);
  }
  // Their clients must find a read-write server and start over there.
  ExpireLocalSessions(local);
}

}  // namespace zk
