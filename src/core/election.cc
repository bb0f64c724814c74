#include "core/election.h"

#include <algorithm>
#include <cassert>

#include "core/invariant.h"

namespace zk {

const char* PeerStateName(PeerState s) {
  switch (s) {
    case PeerState::kLooking:
      return "LOOKING";
    case PeerState::kFollowing:
      return "FOLLOWING";
    case PeerState::kLeading:
      return "LEADING";
    case PeerState::kObserving:
      return "OBSERVING";
  }
  return "UNKNOWN";
}

const char* DecidedByName(DecidedBy d) {
  switch (d) {
    case DecidedBy::kLookingQuorum:
      return "looking-quorum";
    case DecidedBy::kLookingAll:
      return "looking-all";
    case DecidedBy::kRoundFollow:
      return "round-follow";
    case DecidedBy::kOutOfElection:
      return "out-of-election";
    case DecidedBy::kReconfig:
      return "reconfig";
  }
  return "unknown";
}

const char* VoteChangeName(VoteChange c) {
  switch (c) {
    case VoteChange::kStart:
      return "start";
    case VoteChange::kBetterVote:
      return "better_vote";
    case VoteChange::kNewRound:
      return "new_round";
  }
  return "unknown";
}

// ---- Membership ----

Membership::Membership(std::set<int64_t> voters, std::set<int64_t> observers)
    : voters_(std::move(voters)), observers_(std::move(observers)) {}

bool Membership::IsQuorum(const std::set<int64_t>& acks) const {
  size_t n = 0;
  for (int64_t sid : acks) n += IsVoter(sid) ? 1 : 0;
  return n > voters_.size() / 2;
}

std::string Membership::Validate() const {
  if (voters_.empty()) return "the ensemble has no voters; at least 1 is needed";
  for (int64_t sid : voters_) {
    if (observers_.count(sid))
      return "server " + std::to_string(sid) + " is both voter and observer";
    if (sid < 0 || sid == kNoVote) return "server id " + std::to_string(sid) + " is out of range";
  }
  for (int64_t sid : observers_) {
    if (sid < 0) return "server id " + std::to_string(sid) + " is out of range";
  }
  return {};
}

// ---- votes ----

bool VotesAgree(const Vote& a, const Vote& b) {
  if (a.state == PeerState::kLooking || b.state == PeerState::kLooking) {
    return a.leader == b.leader && a.zxid == b.zxid && a.election_epoch == b.election_epoch &&
           a.peer_epoch == b.peer_epoch;
  }
  return a.leader == b.leader && a.peer_epoch == b.peer_epoch;
}

bool VoteBeats(const Membership& m, int64_t new_leader, int64_t new_zxid, int64_t new_peer_epoch,
               int64_t cur_leader, int64_t cur_zxid, int64_t cur_peer_epoch) {
  if (!m.IsVoter(new_leader)) return false;  // weight 0
  if (new_peer_epoch != cur_peer_epoch) return new_peer_epoch > cur_peer_epoch;
  if (new_zxid != cur_zxid) return new_zxid > cur_zxid;
  return new_leader > cur_leader;
}

// ---- Election ----

Election::Election(ElectionConfig config) : config_(std::move(config)) {
  // With reconfig the config may leave this server out: it is then a non-voting follower
  // (core/replica_reconfig.cc), which votes for nobody, as an observer does.
  assert(config_.membership.Validate().empty());
  assert(config_.finalize_wait_ticks >= 1);
  assert(config_.min_notification_ticks >= 1);
  assert(config_.max_notification_ticks >= config_.min_notification_ticks);
}

void Election::SetMembership(Membership m) {
  ZK_ASSERT(m.Validate().empty());
  config_.membership = std::move(m);
}

Vote Election::Proposal() const {
  return Vote{proposed_leader_, proposed_zxid_, logical_clock_, proposed_epoch_,
              PeerState::kLooking};
}

Vote Election::current_vote() const {
  if (decision_) {
    return Vote{decision_->leader, decision_->zxid, decision_->election_epoch,
                decision_->peer_epoch, decision_->state};
  }
  return Proposal();
}

void Election::Start(int64_t last_zxid, int64_t current_epoch) {
  started_ = true;
  decision_.reset();
  recvset_.clear();
  outofelection_.clear();
  finalize_ticks_left_ = 0;
  round_ticks_ = 0;
  notification_interval_ticks_ = config_.min_notification_ticks;
  ++logical_clock_;
  if (NonVoterSelf()) {
    init_zxid_ = kNoVote;
    init_epoch_ = kNoVote;
    UpdateProposal(kNoVote, kNoVote, kNoVote);
  } else {
    init_zxid_ = last_zxid;
    init_epoch_ = current_epoch;
    UpdateProposal(config_.my_id, last_zxid, current_epoch);
    RecordVote(VoteChange::kStart, nullptr);
  }
  SendNotifications();
  CheckLookingQuorum();  // our own notification (a 1-voter ensemble decides on it)
}

void Election::UpdateProposal(int64_t leader, int64_t zxid, int64_t peer_epoch) {
  proposed_leader_ = leader;
  proposed_zxid_ = zxid;
  proposed_epoch_ = peer_epoch;
}

std::set<int64_t> Election::Agreeing(const std::map<int64_t, Vote>& votes,
                                     const Vote& target) const {
  std::set<int64_t> acks;
  for (const auto& [sid, v] : votes) {
    if (VotesAgree(v, target)) acks.insert(sid);
  }
  return acks;
}

bool Election::CheckLeader(const std::map<int64_t, Vote>& votes, int64_t leader,
                           int64_t election_epoch) const {
  // If everyone else thinks I lead, I lead — but only in my own round. Otherwise the leader
  // itself must have told me that it is LEADING.
  if (leader != config_.my_id) {
    auto it = votes.find(leader);
    return it != votes.end() && it->second.state == PeerState::kLeading;
  }
  return logical_clock_ == election_epoch;
}

void Election::Decide(int64_t leader, int64_t zxid, int64_t peer_epoch, DecidedBy by,
                      const std::map<int64_t, Vote>& votes, const std::set<int64_t>& acks) {
  assert(config_.membership.IsVoter(leader));
  Decision d;
  if (leader == config_.my_id) {
    d.state = PeerState::kLeading;
  } else {
    // ZooKeeper's learningState(): by learner type, not by vote. A participant without a vote
    // (the config leaves it out) follows.
    d.state = config_.membership.IsObserver(config_.my_id) ? PeerState::kObserving
                                                           : PeerState::kFollowing;
  }
  assert(!(NonVoterSelf() && d.state == PeerState::kLeading));
  d.leader = leader;
  d.zxid = zxid;
  d.election_epoch = logical_clock_;
  d.peer_epoch = peer_epoch;
  d.by = by;
  for (int64_t sid : acks) d.supporters[sid] = votes.at(sid).state;
  for (const auto& [sid, v] : votes) {
    if (v.election_epoch == logical_clock_ && config_.membership.IsVoter(sid) &&
        VoteBeats(config_.membership, v.leader, v.zxid, v.peer_epoch, leader, zxid, peer_epoch)) {
      d.voting_better.insert(sid);
    }
  }
  d.ticks_taken = round_ticks_;
  ElectionFact fact;
  fact.kind = ElectionFact::Kind::kDecision;
  fact.my_state = d.state;
  fact.decision = d;
  fact.voters = config_.membership.voters().size();
  Record(std::move(fact));
  decision_ = std::move(d);
  recvset_.clear();
  outofelection_.clear();
  finalize_ticks_left_ = 0;
}

void Election::Step(const Notification& n) {
  if (!started_) return;
  const Membership& m = config_.membership;
  if (n.sid == config_.my_id) return;
  int32_t raw_state = static_cast<int32_t>(n.state);
  if (raw_state < 0 || raw_state > 3) return;
  lost_.erase(n.sid);  // it speaks: it can send a better vote again
  ElectionFact fact;
  fact.kind = ElectionFact::Kind::kNotification;
  fact.notification = n;
  fact.my_state = state();
  Record(std::move(fact));

  if (!m.IsVoter(n.sid)) {
    AnswerNonVoter(n);  // and it never enters the election
    return;
  }
  if (decision_) {
    AnswerOutOfElection(n);
    return;
  }
  AnswerLooking(n);
  if (!m.IsVoter(n.leader)) return;  // a vote for a non-voter is not a vote

  if (finalize_ticks_left_ > 0) {
    // finalizeWait: only a better vote interrupts it; anything else is consumed and dropped —
    // except a LOOKING vote of our round that agrees: kept, it may be the last one waited for.
    if (!VoteBeats(m, n.leader, n.zxid, n.peer_epoch, proposed_leader_, proposed_zxid_,
                   proposed_epoch_)) {
      Vote v{n.leader, n.zxid, n.election_epoch, n.peer_epoch, PeerState::kLooking};
      if (n.state == PeerState::kLooking && VotesAgree(v, Proposal())) {
        recvset_[n.sid] = v;
        DecideIfAllAgree();  // the wait itself goes on otherwise, as in ZooKeeper
      }
      return;
    }
    finalize_ticks_left_ = 0;
  }

  switch (n.state) {
    case PeerState::kLooking:
      HandleLooking(n);
      break;
    case PeerState::kFollowing:
    case PeerState::kLeading:
      HandleOutOfElection(n);
      break;
    case PeerState::kObserving:
      break;  // observers' notifications carry nothing for us
  }
}

void Election::HandleLooking(const Notification& n) {
  const Membership& m = config_.membership;
  if (n.election_epoch > logical_clock_) {
    // A newer round: join it, starting again from the better of its vote and our own.
    logical_clock_ = n.election_epoch;
    recvset_.clear();
    if (VoteBeats(m, n.leader, n.zxid, n.peer_epoch, NonVoterSelf() ? kNoVote : config_.my_id,
                  init_zxid_, init_epoch_)) {
      UpdateProposal(n.leader, n.zxid, n.peer_epoch);
    } else {
      UpdateProposal(NonVoterSelf() ? kNoVote : config_.my_id, init_zxid_, init_epoch_);
    }
    RecordVote(VoteChange::kNewRound, &n);
    SendNotifications();
  } else if (n.election_epoch < logical_clock_) {
    return;  // an older round (answered above)
  } else if (VoteBeats(m, n.leader, n.zxid, n.peer_epoch, proposed_leader_, proposed_zxid_,
                       proposed_epoch_)) {
    UpdateProposal(n.leader, n.zxid, n.peer_epoch);
    RecordVote(VoteChange::kBetterVote, &n);
    SendNotifications();
  }

  recvset_[n.sid] = Vote{n.leader, n.zxid, n.election_epoch, n.peer_epoch, PeerState::kLooking};
  CheckLookingQuorum();
}

void Election::CheckLookingQuorum() {
  if (DecideIfAllAgree()) return;
  if (!config_.membership.IsVoter(proposed_leader_)) return;
  if (config_.membership.IsQuorum(Agreeing(recvset_, Proposal()))) {
    // Wait for a better vote before settling (a fresh wait each time the quorum is re-reached).
    finalize_ticks_left_ = config_.finalize_wait_ticks;
  }
}

bool Election::DecideIfAllAgree() {
  // finalizeWait only gives a late, better vote its chance; when every voter that could still
  // send one has voted with us, none can come. Skipping the wait is safe because safety never
  // rested on it: a voter only ever agrees with a proposal at least as recent as its own history
  // (it starts from itself and moves only to better votes), so a quorum agreeing on a leader
  // means that leader holds every txn a quorum logged; and the leader's discovery still refuses
  // to lead when a learner turns out to be ahead (Replica::LeadAckEpoch). A peer wrongly thought
  // lost costs at most a leader that is not the best one, as an expired finalizeWait does.
  if (!config_.membership.IsVoter(proposed_leader_)) return false;
  std::set<int64_t> acks = Agreeing(recvset_, Proposal());
  if (!config_.membership.IsQuorum(acks) || !AllReachableAgree()) return false;
  Decide(proposed_leader_, proposed_zxid_, proposed_epoch_, DecidedBy::kLookingAll, recvset_, acks);
  return true;
}

bool Election::AllReachableAgree() const {
  const Vote mine = Proposal();
  for (int64_t sid : config_.membership.voters()) {
    if (lost_.count(sid) > 0) continue;
    auto it = recvset_.find(sid);
    if (it == recvset_.end() || !VotesAgree(it->second, mine)) return false;
  }
  return true;
}

void Election::PeerLost(int64_t sid) {
  if (sid == config_.my_id || !config_.membership.IsVoter(sid)) return;
  lost_.insert(sid);
  // The vote the finalize wait was waiting for may have been this one's.
  if (started_ && !decision_ && finalize_ticks_left_ > 0) DecideIfAllAgree();
}

void Election::HandleOutOfElection(const Notification& n) {
  const Membership& m = config_.membership;
  Vote v{n.leader, n.zxid, n.election_epoch, n.peer_epoch, n.state};
  if (n.election_epoch == logical_clock_) {
    recvset_[n.sid] = v;
    std::set<int64_t> acks = Agreeing(recvset_, v);
    if (m.IsQuorum(acks) && CheckLeader(recvset_, n.leader, n.election_epoch)) {
      Decide(n.leader, n.zxid, n.peer_epoch, DecidedBy::kRoundFollow, recvset_, acks);
      return;
    }
  }
  // Servers already out of election, in whatever round: a quorum of them behind a leader that
  // says it leads is the running ensemble, and we join it.
  outofelection_[n.sid] = v;
  std::set<int64_t> acks = Agreeing(outofelection_, v);
  if (m.IsQuorum(acks) && CheckLeader(outofelection_, n.leader, n.election_epoch)) {
    logical_clock_ = n.election_epoch;
    Decide(n.leader, n.zxid, n.peer_epoch, DecidedBy::kOutOfElection, outofelection_, acks);
  }
}

void Election::Tick() {
  if (!started_ || decision_) return;
  ++round_ticks_;
  if (finalize_ticks_left_ > 0) {
    if (--finalize_ticks_left_ == 0) {
      // No better vote arrived: the proposal stands.
      std::set<int64_t> acks = Agreeing(recvset_, Proposal());
      assert(config_.membership.IsQuorum(acks));
      Decide(proposed_leader_, proposed_zxid_, proposed_epoch_, DecidedBy::kLookingQuorum, recvset_,
             acks);
    }
    return;  // ZooKeeper is blocked in the finalize poll: no resends meanwhile
  }
  // ZooKeeper resends after notTimeout without any notification; we count from our own last
  // broadcast instead, so a server that only hears stale chatter still re-announces itself.
  if (++ticks_since_broadcast_ >= notification_interval_ticks_) {
    SendNotifications();
    notification_interval_ticks_ =
        std::min(notification_interval_ticks_ * 2, config_.max_notification_ticks);
  }
}

void Election::Record(ElectionFact fact) {
  if (config_.facts_max == 0) {
    ++facts_dropped_;
    return;
  }
  // Past the limit the oldest fact goes: the newest ones lead to the decision.
  if (facts_.size() >= config_.facts_max) {
    facts_.pop_front();
    ++facts_dropped_;
  }
  facts_.push_back(std::move(fact));
}

void Election::RecordVote(VoteChange why, const Notification* cause) {
  if (NonVoterSelf()) return;  // an observer has no vote of its own
  ElectionFact fact;
  fact.kind = ElectionFact::Kind::kVote;
  fact.vote = Proposal();
  fact.why = why;
  if (cause) fact.notification = *cause;
  Record(std::move(fact));
}

int64_t Election::TakeFacts(std::vector<ElectionFact>* out) {
  for (auto& f : facts_) out->push_back(std::move(f));
  facts_.clear();
  int64_t dropped = facts_dropped_;
  facts_dropped_ = 0;
  return dropped;
}

void Election::DecideByReconfig(int64_t leader, int64_t zxid, int64_t peer_epoch) {
  ZK_ASSERT(config_.membership.IsVoter(leader));
  started_ = true;
  decision_.reset();
  round_ticks_ = 0;
  // No supporters: nobody voted; the old leader chose among the new voters that acked.
  Decide(leader, zxid, peer_epoch, DecidedBy::kReconfig, {}, {});
}

void Election::UpdatePeerEpoch(int64_t new_epoch) {
  if (decision_) decision_->peer_epoch = new_epoch;
}

}  // namespace zk
