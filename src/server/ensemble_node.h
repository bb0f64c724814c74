// EnsembleNode: the I/O around one ensemble member's pure Replica (src/core/replica.h).
//
// It recovers the member's state from its data directories, reads the epoch files, runs the
// PeerTransport (election and quorum ports) and a 10 ms tick timer, and carries out each Ready in
// the Replica's order: epoch files, snapshot install, log appends (synced), then the messages,
// then hands the client outputs to the client shell. Each Ready's messages, client outputs and
// events wait in a FIFO until the sync covering its appends is done (the simulator's model:
// src/sim/replica_member.cc) — except a leader's quorum messages, which leave at once, as
// ZooKeeper's leader sends a PROPOSAL while logging it. What was appended is synced once per
// loop turn, at the sync point (a uv_check after the reads, a uv_prepare before the loop
// blocks; group commit): a big batch goes to the log's own thread (LogSyncer), and the loop
// keeps stepping the Replica and appending while it is on its way. A learner's small batch —
// one client writing one request at a time — is synced on the loop itself, after the queued
// messages have left: it has nothing else to do before its ACK, and the thread's two wake-ups
// (there and back) lie on every write's path. A leader always uses the thread: its loop must
// stay free for the followers' ACKs, which commit without its own sync. Epoch
// files and a replaced state first wait for the log to be idle, so the disk changes in the
// Replica's order. State changes are logged (one line each, with the time the election took) and
// written to the supervisor's event fd.
//
// Storage (ensemble_storage.cc) has one path: every durable step's Status comes back to
// Recorded(). A failed log append or sync keeps the batch pending and retries it (nothing it
// covers is acknowledged). A failed epoch file or snapshot takes the member out of the quorum
// (Replica::StorageFailed; that Ready's messages are not sent), with one log line and one
// storage_failed event; a probe write to dataDir every second then decides when it rejoins
// (Replica::StorageRecovered: a normal election and sync). A SNAP whose snapshot did not reach
// the disk leaves the log files alone (ZOOKEEPER-3642) and is written before the member rejoins.
//
// Owned by main; the ClientServer borrows machine() for the client inputs and pulls client
// outputs through TakeClientOutputs(). Loop thread only.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/replica.h"
#include "server/auto_purge.h"
#include "server/config.h"
#include "server/event_writer.h"
#include "server/four_letter.h"
#include "server/log_source.h"
#include "server/log_syncer.h"
#include "server/peer_transport.h"
#include "server/snapshot_child.h"
#include "storage/snapshot.h"
#include "storage/snapshot_codec.h"
#include "storage/txn_log.h"

namespace zk {

// The membership as ZooKeeper 3.8 keeps it in /zookeeper/config and prints it in `conf`: one
// "server.N=host:quorumPort:electionPort:participant|observer[;clientHost:clientPort]" line per
// member by id, then "version=0" (a static config's version), without a final newline.
std::string MembershipText(const ServerConfig& config);

class EnsembleNode {
 public:
  EnsembleNode(uv_loop_t* loop, const ServerConfig& config, EventWriter* events,
               int64_t first_session_id);
  ~EnsembleNode();
  EnsembleNode(const EnsembleNode&) = delete;
  EnsembleNode& operator=(const EnsembleNode&) = delete;

  // Recovery, epoch files, ports, then the first election. An error line on failure.
  std::string Start();
  void Stop();

  Machine* machine() { return replica_.get(); }
  const Replica& replica() const { return *replica_; }
  bool serving() const { return replica_ && replica_->serving(); }
  bool read_only() const { return replica_ && replica_->read_only(); }
  // srvr's Mode: leader / follower / observer / read-only (or "looking")
  std::string mode() const;
  // The ensemble's part of the four-letter words (quorum lines, leader gauges, counters).
  void FillStats(StatsSnapshot* s) const;

  // Carries out what the Replica produced and hands its released client outputs over in *out
  // (replaced), in order.
  void TakeClientOutputs(std::vector<Output>* out);
  // Called after every input the node handles itself (peer messages, ticks), so the client
  // shell delivers their outputs; and when the member stops serving (it closes its clients).
  std::function<void()> on_outputs;
  std::function<void()> on_stopped_serving;
  std::function<void()> on_serving_read_only;  // read-only mode began (readonlymode.enabled)

 private:
  // Snapshot + log into the Replica's Core, then the epoch files. An error line on failure.
  std::string RecoverState(DurableState* durable);
  // The transport's error, or — when this member's own server.N ports are taken although its
  // client port was free — the duplicate myid that almost always is the cause.
  // "LEADING - LEADER ELECTION TOOK - 12 MS" and the like, for a state `e` reports.
  void LogElectionTook(const ReplicaEvent& e, int64_t election_ms) const;
  // A reconfig activated (ensemble_reconfig.cc): the new members, the dynamic file, the peers.
  void ActivateConfig(const std::string& text);
  std::string PeerListenError(const ServerSpec& me, const std::string& error) const;
  static void OnTick(uv_timer_t* timer);
  // After an input the node handled itself: the client shell takes and delivers the outputs.
  void HandOver();
  void Carry(Ready& ready);
  // The rest of a Ready once the sync covering its appends is done, in order.
  void Release();
  bool SendsAtOnce() const;  // a leader's quorum messages leave ahead of its own log sync
  // After the reads and before the loop blocks: syncs what was appended (ensemble_storage.cc).
  static void OnSyncCheck(uv_check_t* check);
  static void OnSyncPrepare(uv_prepare_t* prepare);
  void SyncPoint();
  void SyncFinished(storage::SyncJob& job);
  // Ends a finished batch: on success the replica hears what is on disk. False if it failed.
  bool EndBatch(storage::SyncJob& job);
  void AfterSync();
  // Everything appended is durable and released (blocks the loop; rare: epochs, SNAP, roll).
  void FlushLog();
  void MaybeRoll();
  // ---- the one storage path (ensemble_storage.cc) ----
  // The Ready's epoch files, snapshot and log appends, in the Replica's order. False when an
  // epoch or the snapshot could not be written: the Replica has been told, and the Ready's
  // election and Zab messages must not go out.
  bool CarryDurable(Ready& ready);
  // Where every durable step's result goes; applies the rule above. True if `s` is ok. A log
  // sync goes to LogSynced: a failed batch is retried, the member stays.
  bool Recorded(const char* what, const storage::Status& s);
  bool LogSynced(const storage::Status& s);
  // ---- snapshots every snapCount txns (ensemble_snapshot.cc) ----
  // Written by a fork()ed child from its copy of the tree (SnapshotChild): the loop only pays
  // for the fork, so a 1M-znode snapshot does not hold up the requests.
  void StartSnapshot();
  void SnapshotDone(const storage::Status& s, int64_t zxid);
  // The Replica's tree is about to be replaced (a SNAP): a snapshot being written is dropped.
  void AbortSnapshot();
  void StopSnapshots();
  // A leader's SNAP: the state is saved as a snapshot, then (only then) the log files go.
  storage::Status InstallSnapshot(int64_t zxid);
  // A leader's TRUNC (Ready::truncate_zxid): cut the history on disk after `zxid` and rebuild
  // the state from it (ensemble_storage.cc). Where the cut would leave nothing to rebuild
  // from (a snapshot past it, none older), nothing is cut and the Replica asks for a SNAP; a
  // disk that fails half-way ends the process, as ZooKeeper's learner does.
  void Truncate(int64_t zxid);
  // Leader: one log line per learner sync (DIFF, TRUNC + DIFF or SNAP).
  static void LogSyncs(const Ready& ready);
  // Out of the quorum: a small write to dataDir; once it (and an owed snapshot) succeeds, the
  // member rejoins.
  void ProbeStorage();
  void ReportEvent(const ReplicaEvent& e);
  // Writes the election's facts to the supervisor's event pipe, and empties them from `ready`.
  void ReportElectionFacts(Ready& ready);
  void PeerUnreachable(int64_t sid);
  int64_t TickMs() const { return 10; }

  uv_loop_t* loop_;
  ServerConfig config_;
  EventWriter* events_;
  storage::SnapshotCodec codec_;
  DiskLogSource log_source_;  // the Replica's way to our log, for a DIFF from it
  std::unique_ptr<Replica> replica_;
  std::unique_ptr<PeerTransport> transport_;
  std::unique_ptr<AutoPurge> purge_;  // autopurge.* of zoo.cfg, as a standalone zkd
  std::unique_ptr<storage::TxnLog> log_;
  LogSyncer syncer_;
  int64_t rolls_ = 0;  // log rolls so far
  int64_t roll_after_entries_;
  struct Held {
    Ready ready;
    int64_t barrier = 0;              // released once the log is synced up to here (0: no appends)
    std::vector<int64_t> connection;  // per zab message: its peer's quorum_generation_ then
  };
  std::deque<Held> held_;
  // The last txns recovery replayed, for the Replica's history at Start (replica.h).
  std::deque<std::pair<int64_t, std::string>> recovered_recent_;
  int64_t recovered_recent_base_ = 0;
  // Bumped when a Ready closes the quorum connection to a peer: messages that earlier Readies
  // still hold for it behind a sync belonged to the closed connection and are dropped.
  std::map<int64_t, int64_t> quorum_generation_;
  uv_timer_t tick_timer_{};
  bool timer_started_ = false;
  uv_check_t sync_check_{};
  uv_prepare_t sync_prepare_{};
  bool sync_point_started_ = false;
  std::vector<Output> client_outputs_;
  bool was_serving_ = false;
  // Failed quorum dials per peer since it last sent us anything (see PeerUnreachable).
  std::map<int64_t, int> dial_failures_;
  bool stopped_ = false;
  // The epoch files as on disk: what the Replica falls back to when a later write fails.
  DurableState recorded_;
  struct StorageFault {
    bool failed = false;         // out of the quorum until a probe succeeds
    bool snapshot_owed = false;  // a SNAP's state is only in memory: save it before rejoining
    int64_t next_probe_ms = 0;   // monotonic
  };
  StorageFault fault_;
  SnapshotChild snapshot_child_{loop_};
  // ZKD_TEST_LEAK_BYTES_PER_TXN=N: a planted leak of N bytes per txn logged, for the soak's
  // memory check to catch (issue 16); 0 outside that test.
  size_t test_leak_bytes_per_txn_ = 0;

  // For the four-letter words. Proposal sizes and uptime belong to one leadership term, as
  // ZooKeeper keeps them in its Leader object.
  int64_t leading_since_ms_ = 0;  // monotonic; 0 while not leading
  int64_t last_proposal_size_ = -1;
  int64_t min_proposal_size_ = -1;
  int64_t max_proposal_size_ = -1;
  int64_t proposal_count_ = 0;
  int64_t looking_count_ = 0;
};

}  // namespace zk
