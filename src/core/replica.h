// Replica: one ensemble member — leader election, Zab (discovery, synchronisation, broadcast)
// and the request path (Core) — as one pure, deterministic Machine (core/machine.h: the client,
// time and storage inputs, and the order in which the shell carries out a Ready).
//
// Its own inputs:  StepElection(notification)   from the election port
//                  StepZab(from_sid, packet)    from the quorum port
//                  PeerDisconnected(sid)        the quorum connection to sid closed (also
//                                               tells the election not to wait for sid's vote)
//                  Tick(now_ms)                 one replica tick (the shell's timer; e.g. 10 ms)
//                  Persisted(zxid)              the log is synced up to zxid (the leader's own
//                                               ack; a learner's ACK to its leader)
//                  StorageFailed(on_disk)       an epoch file or a snapshot could not be written
//                  StorageRecovered()           a probe write succeeded (and what was owed is
//                                               on disk)
// One rule for storage (issue 16, ZOOKEEPER-4643 / -3642): a member that cannot record an epoch
// or a snapshot does not go on in that epoch. StorageFailed leaves the role (its Zab connections
// close), forgets the epochs that did not reach the disk (`on_disk`), and stays LOOKING without
// an election: it neither votes nor answers votes, acks or leads (storage_failed()), until
// StorageRecovered starts a normal election, after which it syncs like any member that rejoins.
// The shell must not send what the Ready of the failed write held (its ACKEPOCH, NEWLEADER ACK…).
// Read-only mode (readonlymode.enabled, read_only_after_ticks > 0): LOOKING that long, the member
// serves read-only clients from its own tree (read_only(); the Core in CoreRole::kReadOnly),
// as ZooKeeper's ReadOnlyZooKeeperServer; a decided election ends it before anything else
// happens and its sessions are closed, so their clients look for a read-write server.
// State changes are reported as Ready::events (LOOKING → LEADING / FOLLOWING / OBSERVING, new
// epoch, quorum lost) for the log and the supervisor, and the election's facts (notifications
// received, own votes, decisions) as Ready::election_facts, bounded by the election's
// facts_max per TakeReady. Time is ticks; no I/O, clock, threads or
// global randomness; ordered containers only. Single-threaded: one owner calls everything.
//
// Sync (core/zab_sync.cc), as ZooKeeper's LearnerHandler.syncFollower over the leader's
// in-memory history (history_max txns): a learner whose last zxid is in it, at or below the
// commit point, gets a DIFF; one past the commit point (an old leader's proposals that no
// quorum logged, or ours not yet committed) is TRUNCed to the commit point, then DIFFed, as is
// one whose last zxid falls between two of the leader's of its own epoch (to the zxid below
// it); with send_trunc off, SNAP instead. A last zxid followed in the history by a zxid of a
// later epoch (ZooKeeper does not TRUNC across an epoch boundary) gets a SNAP. A last zxid
// older than the history gets a DIFF from the leader's on-disk log (ReplicaConfig::txn_log),
// as ZooKeeper's, when the log holds that zxid and everything up to the history within
// snapshotSizeFactor × the newest snapshot's size (core/txn_log_source.h); else a SNAP.
// A TRUNCed learner waits for its shell to cut its log and reload its state
// (Ready::truncate_zxid, Truncated()).
// Simplification against ZooKeeper, on purpose: a restarted member's in-memory history is
// the last history_max txns its recovery replayed (Start).
// A vote carries the last logged zxid; ZooKeeper's carries lastProcessedZxid, which after an
// epoch change without writes can be epoch << 32 on some members and not on others (see
// last_processed_zxid()), a timing-dependent tie-breaker zkd does not copy.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/core.h"
#include "core/election.h"
#include "core/quorum_config.h"
#include "core/machine.h"
#include "core/txn_log_source.h"
#include "core/zab_packet.h"

namespace zk {

// Turns the Core's state into bytes and back, for SNAP. In-memory only.
class StateCodec {
 public:
  virtual ~StateCodec() = default;
  virtual std::string Encode(const Core& core) = 0;
  virtual bool Decode(std::string_view bytes, DataTree* tree,
                      std::map<int64_t, int32_t>* sessions) = 0;
};

struct ReplicaConfig {
  int64_t my_id = 0;
  Membership membership;
  int32_t tick_ms = 10;               // one replica tick, for event times
  int32_t ticks_per_tick_time = 200;  // tickTime / tick_ms
  int32_t init_limit = 10;            // in tickTime units (zoo.cfg initLimit)
  int32_t sync_limit = 5;             // in tickTime units (zoo.cfg syncLimit)
  int32_t ping_interval_ticks = 0;    // 0 = tickTime / 2
  size_t history_max = 10'000;        // committed txns kept in memory for DIFF
  ElectionConfig election;            // my_id and membership are filled in
  // readonlymode.enabled: serve read-only clients after this many ticks LOOKING (ZooKeeper
  // waits max(2000 ms, tickTime)); 0 = never.
  int64_t read_only_after_ticks = 0;
  // TEST ONLY, UNSAFE: the leader commits (and so answers the client) once it has logged a
  // proposal itself, without waiting for a quorum. A planted bug for the chaos run to catch
  // (issue 15); the shell sets it only when ZKD_TEST_UNSAFE_EARLY_ACK=1.
  bool unsafe_early_ack = false;
  // Leader: bring a learner with proposals it never committed down by TRUNC + DIFF where
  // ZooKeeper would, instead of SNAP. Only for a shell that carries out Ready::truncate_zxid.
  bool send_trunc = true;
  // TEST ONLY: the leader TRUNCs one zxid too low (a planted bug the simulator must catch).
  bool planted_trunc_too_low = false;
  // zookeeper.snapshotSizeFactor: a DIFF from the on-disk log only while the log to send is
  // at most this × the newest snapshot's size; negative: never (core/txn_log_source.h).
  double snapshot_size_factor = kDefaultSnapshotSizeFactor;
  // The leader's own log, for that DIFF; borrowed, outlives the Replica. Null: none.
  TxnLogSource* txn_log = nullptr;
};

struct DurableState {
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;
};

class Replica final : public Machine {
 public:
  Replica(ReplicaConfig config, CoreConfig core_config, DurableState durable,
          int64_t first_session_id, StateCodec* codec);

  // Recovery loaded the durable state into the Core first (Machine::Recover); then Start()
  // begins an election. `recent`: the last txns recovery replayed (zxid, encoded txn), oldest
  // first, ending at the Core's last zxid, and `recent_base` the zxid just before them: the
  // history this member can DIFF from if it leads (the last history_max are kept).
  void Start() { Start({}, 0); }
  void Start(std::deque<std::pair<int64_t, std::string>> recent, int64_t recent_base);
  // Recovery read the epoch files after construction.
  void SetDurable(const DurableState& durable) { durable_ = durable; }

  // `config`: the membership text the sender has in force, if its notification carried one; a
  // newer one than ours is taken while LOOKING (replica_history_config.cc).
  void StepElection(const Notification& n, const std::string& config = {});
  void StepZab(int64_t from, const ZabPacket& p);
  void PeerDisconnected(int64_t sid);
  // See the storage rule above (core/replica_storage.cc).
  void StorageFailed(const DurableState& on_disk);
  void StorageRecovered();
  bool storage_failed() const { return storage_failed_; }
  // A reconfig changed this member's role, which it keeps until the next tick (a leader handing
  // over: until the designated leader takes over): a leader that no longer votes, or a learner
  // whose learner type (observer / participant, core/replica_reconfig.cc) changed.
  bool role_change_pending() const {
    if (state_ == PeerState::kLeading) return !config_.membership.IsVoter(config_.my_id);
    return state_ != PeerState::kLooking && LearnerTypeChanged();
  }
  // The shell carried out Ready::truncate_zxid: `load(Core&)` refilled the Core from storage
  // (newest snapshot at or below it, then the cut log). Then the packets held since the TRUNC
  // are taken in order. Ignored when no truncation waits.
  template <typename Load>
  void Truncated(Load&& load) {
    if (truncate_to_ < 0) return;
    core_.DropInFlight();
    load(core_);
    FinishTruncate();
  }
  bool truncating() const { return truncate_to_ >= 0; }
  // One replica tick (the shell's timer; e.g. 10 ms), with the wall clock that txn headers record.
  void Tick(int64_t now_ms) override;
  // The log is synced up to zxid (the leader's own ack; a learner's ACK to its leader).
  void Persisted(int64_t zxid) override;
  void TakeReady(Ready* out) override;
  using Machine::TakeReady;

  PeerState state() const { return state_; }
  // The election's decision behind the current role (nullopt while LOOKING); by kReconfig after
  // a hand-over.
  const std::optional<Decision>& decision() const { return election_.decision(); }
  bool serving() const override { return serving_; }
  bool read_only() const override { return read_only_; }
  int64_t leader() const { return leader_; }
  int64_t epoch() const { return durable_.current_epoch; }
  const DurableState& durable() const { return durable_; }
  const ReplicaConfig& config() const { return config_; }
  // The config in force (/zookeeper/config text, with its version line) and its version.
  const std::string& active_config_text() const { return active_config_text_; }
  int64_t active_config_version() const { return active_config_version_; }
  // Leader: learners connected, and those synced (UPTODATE sent).
  size_t learner_count() const { return learners_.size(); }
  size_t synced_follower_count() const;
  size_t synced_observer_count() const;
  size_t pending_syncs() const;
  // The last zxid in this server's log (committed or not).
  int64_t last_logged_zxid() const { return last_logged_; }
  // What `srvr` shows, as ZooKeeper's DataTree.lastProcessedZxid: the last applied txn, raised to
  // the new epoch's zxid 0 (epoch << 32) when a leader starts serving — ZooKeeper's leader sets
  // it so once a quorum has acked NEWLEADER — and on a learner to the leader's value at the
  // moment it synced that learner (ZooKeeper's DIFF / SNAP zxid; zkd's NEWLEADER carries it),
  // so a learner synced before the leader had its quorum shows the leader's old zxid. Reporting
  // only: votes and sync use last_logged_zxid() (ZooKeeper votes with this value; see below).
  int64_t last_processed_zxid() const override {
    return std::max(processed_floor_, core_.last_zxid());
  }

 private:
  enum class Phase { kElection, kDiscovery, kSync, kBroadcast };
  struct LearnerState {
    bool observer = false;
    bool info = false;  // FOLLOWERINFO / OBSERVERINFO received
    int64_t accepted_epoch = 0;
    bool acked_epoch = false;
    int64_t current_epoch = 0;
    int64_t last_zxid = 0;
    bool forwarding = false;  // sync stream sent; gets proposals from now on
    bool acked_newleader = false;
    bool uptodate = false;
    int64_t last_heard_tick = 0;
  };

  // election
  void StartElection();
  // LOOKING, no role, no leader: what an election and a hand-over both start from.
  void EnterLooking();
  void OnDecision(const Decision& d);
  void ActOnDecision();  // OnDecision if the election has decided and no pause holds it
  void VersionInitialConfig();
  std::optional<QuorumConfig> NodeConfig() const;  // the config node's, parsed
  void RefreshConfigNode();
  void TakeEstablishedConfig();
  void MaybeGiveUpLead(const Notification& n);
  void LeaveRole(const std::string& why);
  void Event(const std::string& what);
  void MaybeServeReadOnly();
  void EndReadOnly();
  // leader
  void LeadStep(int64_t from, const ZabPacket& p);
  void LeadLearnerInfo(int64_t from, const ZabPacket& p);
  void LeadAckEpoch(int64_t from, LearnerState& l, const ZabPacket& p);
  void LeadAck(int64_t from, LearnerState& l, const ZabPacket& p);
  void MaybeProposeEpoch();
  void MaybeEstablishEpoch();
  void SyncLearner(int64_t sid, LearnerState& l);
  // How SyncLearner brings up a learner whose last zxid is `from`.
  struct SyncPlan {
    ZabType how = ZabType::kSnap;
    int64_t from = 0;  // DIFF: the learner's zxid; TRUNC: the zxid it is cut to
    bool older_than_history = false;  // SNAP unless the on-disk log can serve a DIFF
  };
  SyncPlan PlanSync(int64_t from) const;
  // `older`: txns read from the log, sent before the history (a DIFF from the log).
  void SendDiff(int64_t sid, int64_t from, ZabType how, const LogDiff* older = nullptr);
  void SendSnap(int64_t sid, std::string why_not_diff);
  void MaybeStartServing();
  void Propose(int64_t zxid, std::string txn);
  void MaybeCommit();
  void LeaderTick();
  bool HasQuorumOfSynced() const;
  // learner
  void LearnStep(const ZabPacket& p);
  void LearnLeaderInfo(const ZabPacket& p);
  void LearnSnap(const ZabPacket& p);
  void LearnTrunc(const ZabPacket& p);
  void FinishTruncate();
  void LearnProposal(const ZabPacket& p);  // PROPOSAL, or INFORM to an observer
  void LearnNewLeader(const ZabPacket& p);
  void LearnerApply(int64_t zxid);
  void LearnerTick();
  // reconfig (core/replica_reconfig.cc)
  void ActivateConfig(const std::string& text);
  // A learner: it observes, but the config in force does not name it an observer, or the
  // other way round (a participant the config leaves out is a non-voting follower).
  bool LearnerTypeChanged() const {
    return (state_ == PeerState::kObserving) != config_.membership.IsObserver(config_.my_id);
  }
  // Leader: the COMMITANDACTIVATE / INFORMANDACTIVATE of reconfig `zxid` to the learners, and
  // the designated leader it names (core/handover.h).
  int64_t CommitAndActivate(int64_t zxid, const std::set<int64_t>& ackers, const std::string& txn);
  void LearnCommitAndActivate(const ZabPacket& p);
  // A learner takes the membership its new leader's NEWLEADER carries (and its config node's
  // mtime, so both trees stay the same).
  void AdoptLeaderConfig(std::string_view text, int64_t mtime);
  // Goes straight to LEADING / FOLLOWING / OBSERVING handover_to_, without an election.
  void HandOver();
  // After LeaveRole: hand over when a committed reconfig named a leader, else elect.
  void ElectOrHandOver();
  void MaybeActivate();  // a committed reconfig (or a SNAP) applied: activate it
  void UpdateSyncedMembers();
  // The voters a proposed reconfig txn would install, or nothing for any other txn.
  std::optional<Membership> ReconfigTarget(const std::string& txn) const;
  // The config the applied history ends in when other than the one in force
  // (core/replica_history_config.cc); activated once that history is known committed.
  std::optional<QuorumConfig> HistoryConfig() const;
  bool HistoryConfigHasQuorum(const std::set<int64_t>& acks) const;  // true if none
  void ActivateHistoryConfig();
  void ActivateAtCommit();
  bool ActivationWaits() const;  // a syncing learner: configs activate at UPTODATE  // leader: MaybeActivate, then learners whose stream changed resync
  void LearnConfigFromVote(const std::string& text);
  // both
  void DrainCore();
  void DrainCoreOutputs();
  void RecordHistory(int64_t zxid, const std::string& txn);
  void SendZab(int64_t to, ZabType type, int64_t zxid, std::string data = {});
  void Disconnect(int64_t sid);
  void SetAccepted(int64_t epoch);
  void SetCurrent(int64_t epoch);
  // The phase invariants (zab_invariants.cc); aborts on a broken one. After every input.
  void CheckInvariants() const;

  ReplicaConfig config_;
  Election election_;
  DurableState durable_;
  StateCodec* codec_;
  Ready ready_;

  PeerState state_ = PeerState::kLooking;
  Phase phase_ = Phase::kElection;
  bool serving_ = false;
  bool read_only_ = false;
  bool storage_failed_ = false;  // out of the quorum until StorageRecovered()
  int64_t leader_ = 0;
  int64_t new_epoch_ = 0;  // the epoch being established / established
  int64_t ticks_ = 0;
  int64_t now_ms_ = 0;
  int64_t phase_start_tick_ = 0;
  int64_t election_start_tick_ = 0;
  int64_t last_logged_ = 0;      // last zxid appended to the log (durable or about to be)
  int64_t processed_floor_ = 0;  // see last_processed_zxid()

  // recent txns (committed, or logged by this server) for DIFF, in zxid order
  std::deque<std::pair<int64_t, std::string>> history_;
  int64_t history_base_ = 0;     // the zxid just before history_.front()
  int64_t diff_committed_ = -1;  // learner: the leader's commit point its DIFF named (-1: none)

  // leader
  std::map<int64_t, LearnerState> learners_;
  bool epoch_proposed_ = false;
  bool epoch_established_ = false;
  std::set<int64_t> newleader_acks_;
  std::map<int64_t, std::set<int64_t>> acks_;   // outstanding zxid → ackers
  std::map<int64_t, std::string> outstanding_;  // outstanding zxid → txn
  std::map<int64_t, Membership> reconfig_next_;  // outstanding reconfig zxid → its new voters
  std::string role_change_;  // set by ActivateConfig: leave the role at the next tick, and why
  // The designated leader a committed reconfig named, to go to when this role ends (0: none;
  // ZooKeeper's reconfigFlag), and that reconfig's zxid, for the vote.
  int64_t handover_to_ = 0;
  // Learners that said FOLLOWERINFO / OBSERVERINFO to us while we follow another, and since
  // which tick (StepZab); cleared when our role changes, and for one learner when its
  // connection closes.
  std::map<int64_t, int64_t> misdirected_since_;
  // A learner whose leader's connection closed before it was synced acts on its next decision
  // no sooner than this tick (PeerDisconnected).
  int64_t act_not_before_tick_ = 0;
  // Leader before its quorum of FOLLOWERINFO: voters of its round known to vote for a better
  // candidate (MaybeGiveUpLead).
  std::set<int64_t> moved_on_;
  int64_t handover_zxid_ = 0;
  // The initial config (version 0) with the version the NEWLEADER of this epoch gives it
  // (ZooKeeper's ZOOKEEPER-1783), and the config node's mtime to take with it; empty otherwise.
  // A leader makes it and sends it with NEWLEADER, a learner gets it there; each takes it once
  // the version is agreed (TakeEstablishedConfig): the leader when a quorum acked, the learner
  // at UPTODATE.
  std::string established_config_;
  int64_t established_mtime_ = -1;
  // Leader: false once it committed a reconfig that hands over to another (ZooKeeper's
  // allowedToCommit): what it proposed after it is the designated leader's to commit.
  bool allowed_to_commit_ = true;
  // The membership in force (the config file's, then each activated reconfig's), as text.
  std::string active_config_text_;
  int64_t active_config_version_ = 0;
  int64_t self_persisted_ = 0;
  int64_t last_committed_ = 0;
  int64_t next_ping_tick_ = 0;

  // learner
  std::map<int64_t, std::string> unapplied_;  // logged, not yet committed: zxid → txn
  int64_t leader_heard_tick_ = 0;
  bool newleader_seen_ = false;
  // A TRUNC waits for the shell (Truncated()): the zxid to cut to (-1: none), and the leader's
  // packets held meanwhile (bounded: past truncate_held_max the learner starts over).
  int64_t truncate_to_ = -1;
  std::deque<ZabPacket> truncate_held_;
  // A TRUNC could not be carried out: the next ACKEPOCH asks for a SNAP (zxid -1).
  bool snap_wanted_ = false;
};

}  // namespace zk
