// Core's sessions: opening one (a createSession txn, and the password ZooKeeper derives from the
// id), re-attaching, touches, auth ids, expiry on the tick, and the tick's container and TTL
// sweep. The session table itself is sessions.h.
#include <algorithm>

#include "core/core.h"
#include "core/prepare.h"

namespace zk {
namespace {

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

}  // namespace

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
  if (config_.role == CoreRole::kReadOnly) return OpenLocalSession(timeout, client_ip);
  int64_t sid = next_session_id_++;
  InFlight f;
  f.what = InFlight::What::kOpenSession;
  f.req.session_id = sid;
  f.req.op = OpCode::kCreateSession;
  if (config_.role != CoreRole::kLearner) {
    f.txn.header = {sid, 0, NextZxid(), now_ms, ToInt(OpCode::kCreateSession)};
  }
  f.txn.op.type = OpCode::kCreateSession;
  f.txn.op.timeout_ms = timeout;
  f.client_ip = client_ip;
  JuteWriter body;
  body.Int(timeout);
  f.req.body = body.Take();
  Enqueue(std::move(f));
  return {sid, timeout, SessionPassword(sid)};
}

std::vector<std::pair<int64_t, int32_t>> Core::TakeTouchedSessions() {
  std::vector<std::pair<int64_t, int32_t>> out;
  for (int64_t sid : touched_) {
    if (const Session* s = sessions_.Find(sid)) out.emplace_back(sid, s->timeout_ms);
  }
  touched_.clear();
  return out;
}

int32_t Core::Reattach(int64_t session_id, const std::string& passwd, int32_t requested_timeout_ms,
                       const std::string& client_ip) {
  Session* s = sessions_.Find(session_id);
  if (!s || s->closing || passwd != SessionPassword(session_id)) return 0;
  // A read-only server cannot vouch for a session its quorum owns (ZooKeeper refuses to renew
  // it there); the client is told to start a session of its own.
  if ((config_.role == CoreRole::kReadOnly) != s->local) return 0;
  int32_t timeout = std::clamp(requested_timeout_ms, config_.min_session_timeout_ms,
                               config_.max_session_timeout_ms);
  s->timeout_ms = timeout;
  s->auth = {Id{"ip", client_ip}};  // auth belongs to a connection; clients re-send it
  sessions_.Touch(session_id);
  return timeout;
}

void Core::Touch(int64_t session_id) {
  sessions_.Touch(session_id);
  if (config_.role == CoreRole::kLearner) touched_.insert(session_id);
}

void Core::ConnectionClosed(int64_t session_id) { watches_.RemoveSession(session_id); }

void Core::AddAuth(int64_t session_id, const Id& id) {
  Session* session = sessions_.Find(session_id);
  if (session == nullptr) return;
  std::vector<Id>& ids = session->auth;
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

void Core::ExpireSession(int64_t session_id, int64_t now_ms) {
  Session* s = sessions_.Find(session_id);
  if (!s || s->closing) return;
  InFlight f;
  f.what = InFlight::What::kExpire;
  f.req.session_id = session_id;
  f.req.op = OpCode::kCloseSession;
  f.txn = Prepare(f.req, now_ms, DecodedWrite{});
  s->closing = true;
  Enqueue(std::move(f));
}

void Core::Tick(int64_t now_ms) {
  ++ticks_;
  std::vector<int64_t> expired = sessions_.Advance();
  if (config_.role == CoreRole::kReadOnly) {
    ExpireLocalSessions(expired);
    return;
  }
  if (config_.role == CoreRole::kLearner) return;  // the leader decides expiry
  for (int64_t sid : expired) ExpireSession(sid, now_ms);
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
    DecodedWrite w;
    w.single.op = OpCode::kDeleteContainer;
    w.single.raw_path = path;
    f.txn = Prepare(f.req, now_ms, w);
    Enqueue(std::move(f));
  }
}

}  // namespace zk
