// Core: the single request path of a ZooKeeper server, pure and deterministic. Shells never
// call it directly: a Machine (core/machine.h — Standalone or Replica) owns it and is the one
// way in and out.
//
//   client request ──► decode once (DecodeWriteRequest) ──► Prepare (checks against tree +
//                      pending changes, next zxid, Txn; failed writes get an error Txn too)
//                  ──► Persist (Output kPersist; logged and synced, then Commit)
//                  ──► Apply (mutate the tree, fire watches) ──► Reply
//   read request   ──► one function per op (core/reads.h) ──► Reply
//
// With `apply_on_submit` (no log yet) a prepared Txn is applied at once. Reads of a session
// that has writes in flight wait behind them, so each session sees its replies in request order
// and reads its own writes. Reads of other sessions are answered at once from the tree.
//
// Inputs, each with the caller's wall-clock ms where ZooKeeper records a time:
//   every role:  OpenSession, Reattach, Touch, ConnectionClosed, AddAuth, Submit (auth packets and
//                SetWatches included), Refuse, Tick, Restore + ApplyTxn (recovery)
//   standalone / leader:  Commit (the txns up to zxid are durable), DropInFlight
//   leader:      SetRole, StartEpoch, SubmitForwarded (a learner's request)
//   learner:     SetRole, ApplyCommitted, Synced, TakeTouchedSessions
//   read-only:   SetRole(kReadOnly) — then OpenSession opens local sessions, Reattach takes
//                only those, Submit refuses writes with NOTREADONLY, Tick expires only those
//                (core/read_only.cc); SetRole away from it closes them
// No I/O, clock, threads or randomness inside. Outputs are queued and taken with
// TakeOutputs(), in the order they must be delivered. Single-threaded: one owner calls
// everything.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/core_config.h"
#include "core/pending.h"
#include "core/sessions.h"
#include "proto/codes.h"
#include "proto/records.h"
#include "tree/data_tree.h"
#include "tree/txn.h"
#include "tree/watches.h"

namespace zk {

// One client request as it came off the wire, after the RequestHeader.
struct DecodedWrite;  // core/prepare.h

struct ClientRequest {
  int64_t session_id = 0;
  int32_t xid = 0;
  OpCode op = OpCode::kPing;
  std::string body;  // the request record bytes
  // Forwarded by a learner (leader side): the learner's server id and the session's auth ids.
  int64_t origin = 0;
  std::vector<Id> auth;
};

// What the shell must do, in order.
struct Output {
  enum class Kind {
    kReply,          // send header(+body) to the session's connection
    kNotification,   // send a WatcherEvent (xid -1) to the session's connection
    kCloseSession,   // the session is gone (expired / closed): close its connection
    kPersist,        // log `body` (an encoded Txn) with `zxid`; then Commit(zxid) once synced
    kSessionOpened,  // OpenSession is durable: send the ConnectResponse (timeout_ms, passwd=body)
    kForward,        // learner: send this request (session_id, xid, op, body, auth) to the leader
    kSyncDone,       // leader: tell learner `origin` that the sync (session_id, xid) is answered
  };
  Kind kind = Kind::kReply;
  int64_t session_id = 0;
  int32_t xid = 0;
  int64_t zxid = 0;
  Err err = Err::kOk;
  std::string body;           // reply record (only when err == kOk), or encoded WatcherEvent
  bool close_after = false;   // close the connection once this reply is sent
  int32_t timeout_ms = 0;     // kSessionOpened: the negotiated timeout
  bool read_only = false;     // kSessionOpened: a read-only server's session (ConnectResponse)
  OpCode op = OpCode::kPing;  // kForward
  std::vector<Id> auth;       // kForward
  int64_t origin = 0;         // kSyncDone
};

struct OpenSessionResult {
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  std::string passwd;  // 16 bytes
};

class Core {
 public:
  explicit Core(CoreConfig config, int64_t first_session_id);

  // A new session (a write: takes a zxid). `client_ip` becomes the session's "ip" auth id.
  // The result is known at once; the ConnectResponse may be sent only after the
  // kSessionOpened output (immediately, with apply_on_submit).
  OpenSessionResult OpenSession(int32_t requested_timeout_ms, const std::string& client_ip,
                                int64_t now_ms);
  // Re-attach by id + password. Returns the negotiated timeout, or 0 if the session is unknown,
  // expired or the password is wrong (the caller then sends the invalid-session reply).
  int32_t Reattach(int64_t session_id, const std::string& passwd, int32_t requested_timeout_ms,
                   const std::string& client_ip);
  // Any request or ping from the session's connection.
  void Touch(int64_t session_id);
  // The connection of a session went away (not the session): drop its watches.
  void ConnectionClosed(int64_t session_id);
  // The shell authenticated the session (SASL, done outside the core: server/sasl_digest.h):
  // `id` joins its auth ids, once, as an auth packet's digest id does. Unknown session: no-op.
  void AddAuth(int64_t session_id, const Id& id);
  // Handles every opcode except ping (which the shell answers): writes go through
  // Prepare → Apply, reads straight to the tree. Produces exactly one reply per request.
  void Submit(ClientRequest req, int64_t now_ms);
  // Answers `req` with `err` and nothing else (no zxid taken), after the replies to the
  // session's earlier requests: the shell's refusals (NOTREADONLY while the log cannot be
  // written) keep the session's reply order too.
  void Refuse(const ClientRequest& req, Err err) { ReplyInOrder(req, err); }
  // One tickTime elapsed: expire silent sessions, check containers and TTL nodes.
  void Tick(int64_t now_ms);
  // Every txn up to `zxid` is durable: apply them in order and release their replies and the
  // reads waiting behind them.
  void Commit(int64_t zxid);
  // Prepared requests not yet applied (writes and the reads waiting behind them).
  size_t in_flight() const { return in_flight_.size(); }

  // ---- ensemble ----
  void SetRole(CoreRole role);
  // Leader: the next prepared txn gets makeZxid(epoch, 1); every session's timer restarts.
  void StartEpoch(int64_t epoch);
  CoreRole role() const { return config_.role; }
  // Leader: the members synced with it (itself included) for reconfig's quorum check.
  void SetSyncedMembers(std::set<int64_t> ids) { synced_members_ = std::move(ids); }
  // The membership text of a reconfig applied since the last call (it activates at commit), or
  // empty. The owner switches its membership to it.
  std::string TakeActivatedConfig() { return std::move(activated_config_); }
  // The owner's active membership is `text` after all (a replayed reconfig that was not
  // committed, or not activated): /zookeeper/config shows it again; nothing pending. `mtime`:
  // the node's, when it must equal the leader's (-1: when the config was written).
  void SetActiveConfig(const std::string& text, int64_t version, int64_t mtime = -1);
  // The same, but /zookeeper/config keeps what the applied history says (a reconfig replayed
  // from the log, not yet known committed): only the config a state rebuilt without a snapshot
  // starts from is `text`; nothing pending.
  void SetConfigBase(const std::string& text, int64_t version) {
    config_.config_text = text;
    config_.config_version = version;
    activated_config_.clear();
  }
  // Leader: a request a learner forwarded (req.origin, req.auth set). Its reply is the learner's.
  void SubmitForwarded(const ClientRequest& req, int64_t now_ms);
  // Learner: the leader committed `txn`; apply it and answer the local request it came from.
  void ApplyCommitted(const Txn& txn);
  // Learner: the leader answered a forwarded sync; everything before it has been applied.
  void Synced(int64_t session_id, int32_t xid);
  // Learner: sessions touched since the last call, with their timeouts, for the leader's PING.
  std::vector<std::pair<int64_t, int32_t>> TakeTouchedSessions();
  // The server left its role (leader lost, new election), or (standalone) the log could not be
  // synced: requests in flight will never be answered; drop them (the shell closes their
  // client connections) and forget pending changes. Their zxids are handed out again.
  void DropInFlight();

  std::vector<Output> TakeOutputs();
  // The same into *out (cleared first); the queue keeps *out's old buffer, so a caller that
  // hands the same vector back each time allocates nothing once the batches stop growing.
  void TakeOutputs(std::vector<Output>* out);

  // Read-only views for the four-letter words.
  const DataTree& tree() const { return tree_; }
  const Watches& watches() const { return watches_; }
  const SessionTable& sessions() const { return sessions_; }
  // The last applied zxid (ZooKeeper's lastProcessedZxid).
  int64_t last_zxid() const { return last_zxid_; }
  const CoreConfig& config() const { return config_; }

  // Recovery: replaces the state with a loaded snapshot (tree + sessions as id → timeout) taken
  // at `zxid`; then replay the log through ApplyTxn. Restored sessions get a full timeout.
  void Restore(DataTree tree, const std::map<int64_t, int32_t>& sessions, int64_t zxid);
  // Session ids continue after the highest restored one.
  int64_t next_session_id() const { return next_session_id_; }

  // Applies a Txn prepared here or elsewhere (log replay, a leader's proposal).
  ApplyResult ApplyTxn(const Txn& txn);
  // Recomputable session password (same rule as ZooKeeper: java.util.Random seeded with
  // sessionId ^ 0xB3415C00, 16 bytes).
  static std::string SessionPassword(int64_t session_id);

 private:
  struct InFlight {
    enum class What {
      kWrite,          // a local client's write (learner: forwarded, awaiting the commit)
      kRead,           // a local read waiting behind its session's earlier requests
      kReply,          // an error answer (no zxid) waiting behind its session's earlier requests
      kOpenSession,    // a local new session
      kExpire,         // the leader closing an expired session
      kInternal,       // the container / TTL checker
      kForwarded,      // leader: a learner's request; no local reply
      kForwardedSync,  // leader: answer a learner's sync once everything before it is applied
      kSync,           // learner: a local sync awaiting the leader's answer
    };
    What what = What::kWrite;
    ClientRequest req;
    std::vector<OpCode> multi_ops;
    Txn txn;
    std::string client_ip;  // kOpenSession
    Err err = Err::kOk;     // kReply
    bool close_after = false;
    bool unknown_op = false;  // kReply to an unknown op code: zxid -1, as ZooKeeper
  };
  // Checks a decoded write against the tree and the pending changes and makes its Txn (an error
  // Txn if it fails; every write takes a zxid).
  Txn Prepare(const ClientRequest& req, int64_t now_ms, const DecodedWrite& decoded);
  void Enqueue(InFlight f);
  void Finish(InFlight& f, const ApplyResult& result);
  void DrainReads();
  // Replies to a session come out in the order of its requests: a read or an error answer
  // waits while anything of its session is in flight (a write, or an earlier waiting read).
  bool Waiting(int64_t session_id) const;
  void ReplyInOrder(const ClientRequest& req, Err err, bool close_after = false,
                    bool unknown_op = false);
  void ServeWaiting(InFlight& f);
  bool Writes(const InFlight& f) const;
  void ReplyToWrite(const ClientRequest& req, const std::vector<OpCode>& multi_ops,
                    const ApplyResult& result);
  void Read(const ClientRequest& req);
  void Reply(const ClientRequest& req, Err err, std::string body = {}, bool close_after = false);
  void Notify(const std::vector<WatchEvent>& events);
  void ExpireSession(int64_t session_id, int64_t now_ms);
  int64_t NextZxid() { return ++last_prepared_zxid_; }
  // Read-only role (core/read_only.cc).
  OpenSessionResult OpenLocalSession(int32_t timeout_ms, const std::string& client_ip);
  void SubmitReadOnly(const ClientRequest& req);
  void ExpireLocalSessions(const std::vector<int64_t>& expired);
  void CloseLocalSession(int64_t session_id);
  void DropLocalSessions();

  CoreConfig config_;
  DataTree tree_;
  std::set<int64_t> synced_members_;  // leader, for reconfig
  std::string activated_config_;     // see TakeActivatedConfig
  Watches watches_;
  SessionTable sessions_;
  PendingView pending_;
  std::deque<InFlight> in_flight_;
  std::map<int64_t, int32_t> writes_in_flight_;  // per session
  std::map<int64_t, int32_t> reads_waiting_;     // per session: kRead and kReply entries
  std::set<int64_t> touched_;                    // learner: since the last PING
  int64_t last_zxid_ = 0;                        // applied
  int64_t last_prepared_zxid_ = 0;               // handed out
  int64_t next_session_id_;
  int64_t ticks_ = 0;
  std::vector<Output> outputs_;
  std::vector<Trigger> triggers_;  // ApplyTxn's, kept to reuse its capacity
};

}  // namespace zk
