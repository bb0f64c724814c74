// Replica's election and roles: entering LOOKING, acting on the election's decision, and
// leaving a role (replica.h).
#include "core/replica.h"

#include "core/invariant.h"

namespace zk {

void Replica::EnterLooking() {
  EndReadOnly();
  state_ = PeerState::kLooking;
  phase_ = Phase::kElection;
  serving_ = false;
  leader_ = 0;
  election_start_tick_ = ticks_;
  phase_start_tick_ = ticks_;
  core_.SetRole(CoreRole::kLearner);  // no expiry, no prepare while nobody leads
}

void Replica::StartElection() {
  handover_to_ = 0;  // an election replaces any hand-over
  EnterLooking();
  if (storage_failed_) {
    Event("state");
    Event("storage_failed");
    return;  // no election: it neither votes nor answers votes until StorageRecovered()
  }
  if (truncate_to_ >= 0) {
    Event("state");
    return;  // no election with a state still to be rebuilt: FinishTruncate() starts it
  }
  election_.Start(last_logged_, durable_.current_epoch);
  Event("state");
  for (auto& m : election_.TakeMessages()) ready_.election_messages.push_back(std::move(m));
  ActOnDecision();
}

void Replica::StepElection(const Notification& n, const std::string& config) {
  if (storage_failed_) return;  // out of the quorum: its vote must not count
  if (truncate_to_ >= 0) return;  // no vote from a state still to be rebuilt (a TRUNC)
  if (!config.empty()) LearnConfigFromVote(config);
  election_.Step(n);
  for (auto& m : election_.TakeMessages()) ready_.election_messages.push_back(std::move(m));
  if (phase_ == Phase::kElection) {
    ActOnDecision();
  } else {
    MaybeGiveUpLead(n);
  }
  CheckInvariants();
}

void Replica::MaybeGiveUpLead(const Notification& n) {
  // A leader is decided on the votes it has when its round's finalize wait ends; a better vote
  // of the same round that comes later moves voters on to another candidate (15 members
  // starting together: 14 decided on 8 votes, then 15's vote came and most took it). They
  // follow that one, and this leader would wait out initLimit (20 s) for a quorum of
  // FOLLOWERINFO that cannot come. While it has not got that quorum, a voter whose vote of
  // its round is for a better candidate (when it decided, or heard since: a LOOKING voter
  // sends its new vote to every voter) will not follow it; once too few voters are left for a
  // quorum, it looks again (its learners with it), as it would after initLimit. ZooKeeper
  // leaves this to initLimit: its finalize wait of 200 ms makes the race rarer than zkd's.
  const std::optional<Decision>& d = election_.decision();
  if (state_ != PeerState::kLeading || epoch_proposed_ || !d || n.state != PeerState::kLooking ||
      n.election_epoch != d->election_epoch || !config_.membership.IsVoter(n.sid) ||
      !VoteBeats(config_.membership, n.leader, n.zxid, n.peer_epoch, config_.my_id, d->zxid,
                 d->peer_epoch)) {
    return;
  }
  moved_on_.insert(n.sid);
  std::set<int64_t> may_follow;
  for (int64_t sid : config_.membership.voters()) {
    if (moved_on_.count(sid) == 0) may_follow.insert(sid);
  }
  if (!config_.membership.IsQuorum(may_follow)) LeaveRole("supporters_moved_on");
}

void Replica::OnDecision(const Decision& d) {
  misdirected_since_.clear();
  ZK_ASSERT(state_ == PeerState::kLooking && phase_ == Phase::kElection && !serving_);
  ZK_ASSERT(config_.membership.IsVoter(d.leader));
  ZK_ASSERT((d.state == PeerState::kLeading) == (d.leader == config_.my_id));
  EndReadOnly();
  // A new role, taken with the membership in force now: a change pending for the old one
  // (the tick after a reconfig activated) is moot.
  role_change_.clear();
  leader_ = d.leader;
  phase_ = Phase::kDiscovery;
  phase_start_tick_ = ticks_;
  if (d.state == PeerState::kLeading) {
    state_ = PeerState::kLeading;
    learners_.clear();
    moved_on_ = d.voting_better;
    epoch_proposed_ = epoch_established_ = false;
    newleader_acks_.clear();
    acks_.clear();
    outstanding_.clear();
    reconfig_next_.clear();
    allowed_to_commit_ = true;
    self_persisted_ = last_logged_;
    last_committed_ = last_logged_;
    Event("state");
    MaybeProposeEpoch();
    MaybeEstablishEpoch();
    MaybeStartServing();
  } else {
    state_ = d.state;
    leader_heard_tick_ = ticks_;
    unapplied_.clear();
    Event("state");
    SendZab(leader_,
            state_ == PeerState::kObserving ? ZabType::kObserverInfo : ZabType::kFollowerInfo,
            MakeZxid(durable_.accepted_epoch, 0), EncodeLong(config_.my_id));
  }
}

void Replica::ActOnDecision() {
  if (ticks_ < act_not_before_tick_) return;  // Tick() acts on it
  if (const std::optional<Decision>& d = election_.decision()) OnDecision(*d);
}

void Replica::LeaveRole(const std::string& why) {
  // End the Zab relationships of the role being left, so the other ends know at once.
  // A leader handing over leaves that to its learners (ZooKeeper's rule: each closes once it
  // has the COMMITANDACTIVATE; closing first could drop it on the way).
  const bool handing_over = handover_to_ != 0 && !storage_failed_;
  if (state_ == PeerState::kLeading) {
    if (!handing_over) {
      for (const auto& [sid, l] : learners_) Disconnect(sid);
    }
  } else if (state_ != PeerState::kLooking && leader_ != 0) {
    Disconnect(leader_);
  }
  // Bring memory up to the log, as a restart would: logged txns are part of this server's
  // history until a leader says otherwise (by SNAP).
  core_.DropInFlight();
  core_.SetRole(CoreRole::kLearner);
  auto apply = [&](const std::string& bytes) {
    Txn txn;
    if (Txn::Decode(bytes, &txn) && txn.header.zxid > core_.last_zxid()) core_.ApplyTxn(txn);
  };
  for (const auto& [zxid, txn] : outstanding_) apply(txn);
  for (const auto& [zxid, txn] : unapplied_) apply(txn);
  // A logged reconfig is not committed: it does not activate (the next leader's sync decides:
  // replica_history_config.cc).
  core_.SetConfigBase(active_config_text_, active_config_version_);
  outstanding_.clear();
  acks_.clear();
  reconfig_next_.clear();
  unapplied_.clear();
  learners_.clear();
  truncate_held_.clear();
  established_config_.clear();
  bool was_serving = serving_;
  serving_ = false;
  if (was_serving || why == "quorum_lost") {
    Event(why == "quorum_lost" ? "quorum_lost" : "left");
  } else if (state_ != PeerState::kLooking) {
    Event("gave_up " + why);  // a role left before it served: the log says why
  }
  ElectOrHandOver();
  // Nothing of the old role survives: no learners, no outstanding proposals, no serving.
  ZK_ASSERT(learners_.empty() && acks_.empty() && outstanding_.empty() && unapplied_.empty());
  ZK_ASSERT(core_.last_zxid() <= last_logged_ || truncate_to_ >= 0);
}

}  // namespace zk
