// Machine: the one way into a zkd server's pure state, and the one way out (Ready). The I/O
// shells (src/server) call nothing else: client requests, time and storage progress go in
// through these inputs; everything to be done comes back from TakeReady(), in the order below.
// Two kinds: Standalone (core/standalone.h, one server on its own) and Replica
// (core/replica.h, an ensemble member, which adds its election and quorum inputs).
//
// Inputs:   Recover(load)                start-up only: `load` fills the Core from storage
//           OpenSession / Reattach       a client's ConnectRequest (new session / re-attach)
//           Touch(session)               any request or ping of the session's connection
//           ConnectionClosed(session)    its connection went away (not the session)
//           Submit(request)              every client request but ping (the shell answers it)
//           Refuse(request, err)         the shell refuses a request (e.g. NOTREADONLY
//                                        while a standalone server's log cannot be written)
//           Tick(now_ms)                 time passes (Standalone: a tickTime; Replica: its tick)
//           Persisted(zxid)              the log is synced up to zxid
//           (Replica only)               StepElection, StepZab, PeerDisconnected,
//                                        StorageFailed, StorageRecovered (replica.h)
// Outputs:  TakeReady() — in this order, the shell must:
//             1. write the epoch files (accepted, then current) if set,
//             2. install a snapshot if set (state replaced by a leader's SNAP), or
//                truncate the log past `truncate_zxid` if set (a leader's TRUNC), durably, and
//                hand the state rebuilt from storage back through Replica::Truncated(load),
//             3. append `log_appends` to the transaction log and sync it, then call
//                Persisted(last appended zxid),
//             4. close the quorum connections of `quorum_disconnects`, then send
//                `election_messages` and `zab_messages` (a message to a disconnected peer goes
//                on a new connection), once step 3's sync is done,
//             5. deliver `client_outputs` to client connections, in order, and report `events`.
//           `election_facts` (Replica only) are reports, not actions: the shell may pass them on
//           at once, ahead of everything else.
//           A reply to a write is never in a Ready before Persisted() covered its txn (and, in
//           an ensemble, a quorum logged it), so a shell may deliver client outputs without
//           waiting for this Ready's own appends; the ensemble shell keeps them behind its
//           messages all the same.
//
// Pure and deterministic: no I/O, clock, threads or global randomness; one owner calls
// everything, from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"
#include "core/election.h"
#include "core/zab_packet.h"

namespace zk {

// A state change of a Replica (LOOKING → LEADING / FOLLOWING / OBSERVING, new epoch, quorum
// lost), for the log and the supervisor.
struct ReplicaEvent {
  PeerState state = PeerState::kLooking;
  int64_t epoch = 0;
  int64_t zxid = 0;
  int64_t leader = 0;
  int64_t election_ticks = 0;  // LOOKING → this state
  std::string what;            // "state", "serving", "quorum_lost", "left", "gave_up <why>"
};

struct Ready {
  std::optional<int64_t> accepted_epoch;
  std::optional<int64_t> current_epoch;
  std::optional<int64_t> snapshot_zxid;  // state replaced: snapshot it, discard later log
  // A leader's TRUNC: this learner logged proposals past this zxid that were never committed.
  // Drop them from the log (and any snapshot past it) durably, rebuild the state from storage
  // (newest snapshot at or below it, then the log) and hand it back (Replica::Truncated). The
  // Replica holds the leader's later packets until then. Never together with log_appends.
  std::optional<int64_t> truncate_zxid;
  struct Append {
    int64_t zxid = 0;
    std::string txn;         // an encoded Txn
    int64_t session_id = 0;  // Standalone: the session the txn answers (0: none or unknown)
  };
  std::vector<Append> log_appends;
  std::vector<OutgoingNotification> election_messages;
  // Peers whose quorum connections (both directions) must close before any message is sent: this
  // server left the Zab relationship with them — a learner its leader, a leader a learner it
  // dropped, or all of its learners when it stops leading. The peer then notices at once
  // (PeerDisconnected) instead of after syncLimit, and nothing sent before can arrive after:
  // a later message opens a new connection. What this Ready held for them before is removed.
  std::vector<int64_t> quorum_disconnects;
  std::vector<std::pair<int64_t, ZabPacket>> zab_messages;
  std::vector<Output> client_outputs;
  std::vector<ReplicaEvent> events;
  // A reconfig activated (its /zookeeper/config text, "version=<hex>" last): the shell
  // rewrites the dynamic config file and learns the new members' addresses.
  std::string activated_config;
  // Leader: how a learner was brought up, one per sync (a report for the log, not an action).
  struct SyncReport {
    int64_t learner = 0;
    ZabType how = ZabType::kDiff;  // kDiff, kTrunc (then a DIFF) or kSnap
    int64_t txns = 0;              // proposals sent after it
    int64_t from_zxid = 0;         // the learner's last zxid (TRUNC: the zxid truncated to)
    int64_t to_zxid = 0;           // the last zxid sent
    int64_t log_txns = 0;          // DIFF: how many of `txns` were read from the on-disk log
    std::string note;              // SNAP: why the log could not serve a DIFF (empty: not tried)
  };
  std::vector<SyncReport> syncs;
  // What the election saw and did, for the supervisor's vote timeline, oldest first; and how
  // many facts were dropped (the election's bound) since the last Ready.
  std::vector<ElectionFact> election_facts;
  int64_t election_facts_dropped = 0;
  bool empty() const;
  // Empties every part, keeping the vectors' buffers for the next Ready.
  void Clear();
};

class Machine {
 public:
  virtual ~Machine() = default;
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Start-up only, before any other input: `load(Core&)` fills the Core from storage (the
  // newest snapshot, then the log: storage::Recover). Returns what `load` returns.
  template <typename Load>
  auto Recover(Load&& load) {
    return load(core_);
  }

  // ---- clients ----
  // A new session (a write: takes a zxid). The result is known at once; the ConnectResponse
  // goes out with the kSessionOpened client output.
  OpenSessionResult OpenSession(int32_t requested_timeout_ms, const std::string& client_ip,
                                int64_t now_ms) {
    return core_.OpenSession(requested_timeout_ms, client_ip, now_ms);
  }
  // Re-attach by id + password: the negotiated timeout, or 0 (unknown, expired, wrong password).
  int32_t Reattach(int64_t session_id, const std::string& passwd, int32_t requested_timeout_ms,
                   const std::string& client_ip) {
    return core_.Reattach(session_id, passwd, requested_timeout_ms, client_ip);
  }
  void Touch(int64_t session_id) { core_.Touch(session_id); }
  void ConnectionClosed(int64_t session_id) { core_.ConnectionClosed(session_id); }
  void AddAuth(int64_t session_id, const Id& id) { core_.AddAuth(session_id, id); }
  // Exactly one reply per request, in the session's request order.
  void Submit(ClientRequest req, int64_t now_ms) { core_.Submit(std::move(req), now_ms); }
  void Refuse(const ClientRequest& req, Err err) { core_.Refuse(req, err); }

  // ---- time and storage ----
  virtual void Tick(int64_t now_ms) = 0;
  virtual void Persisted(int64_t zxid) = 0;

  // ---- output ----
  // Everything to carry out since the last call, into *out (cleared first; its buffers are
  // reused, so a shell that hands the same Ready back allocates nothing once batches stop
  // growing).
  virtual void TakeReady(Ready* out) = 0;
  Ready TakeReady() {
    Ready r;
    TakeReady(&r);
    return r;
  }

  // ---- views, for the four-letter words, snapshots and tests ----
  const Core& core() const { return core_; }
  // Accepts new sessions and requests (Standalone: always; Replica: synced with a leader).
  virtual bool serving() const = 0;
  // Serves read-only clients only (Replica: cut off from its quorum with readonlymode.enabled;
  // see CoreRole::kReadOnly). The shell then accepts only ConnectRequests that say readOnly,
  // and answers with readOnly set; the Machine refuses the writes itself.
  virtual bool read_only() const { return false; }
  // The zxid the four-letter words show (ZooKeeper's DataTree.lastProcessedZxid): the last
  // applied txn; a Replica raises it to its epoch's zxid 0 as ZooKeeper does (replica.h).
  virtual int64_t last_processed_zxid() const { return core_.last_zxid(); }

 protected:
  Machine(CoreConfig config, int64_t first_session_id)
      : core_(std::move(config), first_session_id) {}

  Core core_;
};

}  // namespace zk
