// Replica, leader side: discovery (new epoch), synchronisation of each learner (zab_sync.cc),
// broadcast (PROPOSAL → quorum of ACKs → COMMIT / INFORM), pings and the quorum check that
// makes a leader step down.
#include <algorithm>
#include <cassert>

#include "core/invariant.h"
#include "core/replica.h"

namespace zk {

void Replica::LeadStep(int64_t from, const ZabPacket& p) {
  if (p.type == ZabType::kFollowerInfo || p.type == ZabType::kObserverInfo) {
    LeadLearnerInfo(from, p);
    return;
  }
  auto it = learners_.find(from);
  if (it == learners_.end()) return;
  LearnerState& l = it->second;
  l.last_heard_tick = ticks_;
  switch (p.type) {
    case ZabType::kAckEpoch:
      return LeadAckEpoch(from, l, p);
    case ZabType::kAck:
      return LeadAck(from, l, p);
    case ZabType::kPing:
      if (auto touches = DecodeTouches(p.data)) {
        for (const auto& [sid, timeout] : *touches) core_.Touch(sid);
      }
      return;
    case ZabType::kRequest: {
      if (!serving_) return;
      auto req = DecodeForwardedRequest(p.data);
      if (!req) return;
      req->origin = from;
      core_.SubmitForwarded(*req, now_ms_);
      DrainCore();
      return;
    }
    default:
      return;
  }
}

// FOLLOWERINFO / OBSERVERINFO: a learner (re)connects and starts over.
void Replica::LeadLearnerInfo(int64_t from, const ZabPacket& p) {
  bool observer = p.type == ZabType::kObserverInfo;
  const bool member = config_.membership.IsMember(from);
  if (from == config_.my_id || (member && observer != config_.membership.IsObserver(from)) ||
      (!member && !core_.config().reconfig_enabled)) {
    // Not ours, or its peerType disagrees with the server list. With reconfig enabled a
    // stranger is a server about to join: it syncs as a non-voting learner.
    return;
  }
  LearnerState fresh;
  fresh.observer = observer;
  fresh.info = true;
  fresh.accepted_epoch = ZxidEpoch(p.zxid);
  if (epoch_proposed_ && fresh.accepted_epoch > new_epoch_) {
    // It promised a later epoch (to a leader that never established it) and will refuse
    // ours forever: only a new election, whose epoch exceeds every promise, lets it in.
    LeaveRole("learner_epoch_ahead");
    return;
  }
  fresh.last_heard_tick = ticks_;
  learners_[from] = fresh;
  newleader_acks_.erase(from);
  if (epoch_proposed_) {
    SendZab(from, ZabType::kLeaderInfo, MakeZxid(new_epoch_, 0));
  } else {
    MaybeProposeEpoch();
  }
}

void Replica::LeadAckEpoch(int64_t from, LearnerState& l, const ZabPacket& p) {
  if (!epoch_proposed_ || l.acked_epoch) return;
  bool ok = false;
  l.current_epoch = DecodeLong(p.data, &ok);
  if (!ok) return;
  l.acked_epoch = true;
  l.last_zxid = p.zxid;
  // Only a voter ahead of us could have been elected instead. A non-voter (an observer, or a
  // non-voting follower: a joiner, a removed member) that is ahead holds nothing committed
  // that we lack — a commit needs a quorum of voters, and we lead with the best of a quorum —
  // so it is TRUNCed like anyone else; stepping down for it would elect us again, forever.
  if (config_.membership.IsVoter(from) &&
      (l.current_epoch > durable_.current_epoch ||
       (l.current_epoch == durable_.current_epoch && l.last_zxid > last_logged_))) {
    LeaveRole("learner_ahead");  // it must lead, not us
    return;
  }
  if (epoch_established_) {
    SyncLearner(from, l);
  } else {
    MaybeEstablishEpoch();
  }
}

// ACK of NEWLEADER (the learner is synced), or of a proposal (counts towards its quorum).
void Replica::LeadAck(int64_t from, LearnerState& l, const ZabPacket& p) {
  const bool voter = config_.membership.IsVoter(from);
  if (p.zxid == MakeZxid(new_epoch_, 0) && l.forwarding && !l.acked_newleader) {
    l.acked_newleader = true;
    // A non-voting follower's counts for the voters of a reconfig in our history.
    if (voter || !l.observer) newleader_acks_.insert(from);
    if (serving_ && !l.uptodate) {
      SendZab(from, ZabType::kUpToDate, -1);
      l.uptodate = true;
    }
    MaybeStartServing();
    return;
  }
  // Only a learner that was sent the proposals (its sync stream is out) can have logged them:
  // an ACK from one still in discovery is stale or forged, and is not counted. A non-voting
  // follower's ACK is kept: it counts for the new voters of a reconfig.
  if (!l.observer && l.forwarding) {
    if (auto a = acks_.find(p.zxid); a != acks_.end()) a->second.insert(from);
    MaybeCommit();
  }
}

void Replica::MaybeProposeEpoch() {
  if (epoch_proposed_) return;
  std::set<int64_t> connected = {config_.my_id};
  int64_t max_accepted = durable_.accepted_epoch;
  for (const auto& [sid, l] : learners_) {
    if (!l.info) continue;
    connected.insert(sid);
    max_accepted = std::max(max_accepted, l.accepted_epoch);
  }
  if (!config_.membership.IsQuorum(connected)) return;
  new_epoch_ = max_accepted + 1;
  ZK_ASSERT(new_epoch_ > durable_.accepted_epoch && new_epoch_ > durable_.current_epoch);
  SetAccepted(new_epoch_);
  epoch_proposed_ = true;
  for (const auto& [sid, l] : learners_) {
    if (l.info) SendZab(sid, ZabType::kLeaderInfo, MakeZxid(new_epoch_, 0));
  }
  MaybeEstablishEpoch();
}

void Replica::MaybeEstablishEpoch() {
  if (!epoch_proposed_ || epoch_established_) return;
  std::set<int64_t> acked = {config_.my_id};
  for (const auto& [sid, l] : learners_) {
    if (l.acked_epoch) acked.insert(sid);
  }
  if (!config_.membership.IsQuorum(acked)) return;
  ZK_ASSERT(durable_.accepted_epoch == new_epoch_ && durable_.current_epoch < new_epoch_);
  SetCurrent(new_epoch_);
  epoch_established_ = true;
  election_.UpdatePeerEpoch(new_epoch_);
  newleader_acks_ = {config_.my_id};
  VersionInitialConfig();
  for (auto& [sid, l] : learners_) {
    if (l.acked_epoch) SyncLearner(sid, l);
  }
  MaybeStartServing();
}

void Replica::MaybeStartServing() {
  if (serving_ || !epoch_established_) return;
  if (!config_.membership.IsQuorum(newleader_acks_)) return;
  // A reconfig our history ends in needs a quorum of its own voters too (ZooKeeper's leader
  // waits for both); once they acked, the history is theirs, and the config activates.
  if (!HistoryConfigHasQuorum(newleader_acks_)) return;
  ZK_ASSERT(durable_.current_epoch == new_epoch_ && newleader_acks_.count(config_.my_id) > 0);
  serving_ = true;
  phase_ = Phase::kBroadcast;
  core_.SetRole(CoreRole::kLeader);
  core_.StartEpoch(new_epoch_);
  processed_floor_ = MakeZxid(new_epoch_, 0);  // ZooKeeper's Leader.startZkServer
  next_ping_tick_ = ticks_;
  for (auto& [sid, l] : learners_) {
    if (l.acked_newleader && !l.uptodate) {
      SendZab(sid, ZabType::kUpToDate, -1);
      l.uptodate = true;
    }
  }
  Event("serving");
  ActivateHistoryConfig();
  TakeEstablishedConfig();
}

void Replica::Propose(int64_t zxid, std::string txn) {
  // Proposals go out in zxid order, in this leader's epoch, after everything it logged before.
  ZK_ASSERT(serving_ && ZxidEpoch(zxid) == new_epoch_ && zxid > last_logged_);
  ready_.log_appends.push_back({zxid, txn});
  last_logged_ = zxid;
  RecordHistory(zxid, txn);
  acks_[zxid];
  if (auto next = ReconfigTarget(txn)) reconfig_next_.emplace(zxid, std::move(*next));
  for (const auto& [sid, l] : learners_) {
    if (l.forwarding && !l.observer) SendZab(sid, ZabType::kProposal, zxid, txn);
  }
  outstanding_.emplace(zxid, std::move(txn));
  MaybeCommit();
}

void Replica::MaybeCommit() {
  while (!acks_.empty() && allowed_to_commit_) {
    auto first = acks_.begin();
    std::set<int64_t> ackers = first->second;
    if (self_persisted_ >= first->first) ackers.insert(config_.my_id);
    const bool early = config_.unsafe_early_ack && ackers.count(config_.my_id) > 0;
    if (!config_.membership.IsQuorum(ackers) && !early) return;
    int64_t zxid = first->first;
    // A reconfig needs a quorum of its new voters too (ZooKeeper's rule).
    auto next = reconfig_next_.find(zxid);
    if (next != reconfig_next_.end() && !next->second.IsQuorum(ackers) && !early) return;
    // No COMMIT beyond what a quorum of voters acked (or, under the planted test bug, this
    // server alone); commits in zxid order, each over the last.
    ZK_ASSERT(config_.membership.IsQuorum(ackers) || early);
    ZK_ASSERT(zxid > last_committed_ && zxid <= last_logged_);
    auto txn = outstanding_.find(zxid);
    ZK_ASSERT(txn != outstanding_.end());
    int64_t designated = config_.my_id;
    if (next != reconfig_next_.end()) {
      designated = CommitAndActivate(zxid, ackers, txn->second);
    } else {
      for (const auto& [sid, l] : learners_) {
        if (!l.forwarding) continue;
        if (l.observer) {
          SendZab(sid, ZabType::kInform, zxid, txn->second);
        } else {
          SendZab(sid, ZabType::kCommit, zxid);
        }
      }
    }
    if (designated != config_.my_id && designated != 0) {
      // What comes after the reconfig is the designated leader's to commit, in its epoch.
      allowed_to_commit_ = false;
      handover_to_ = designated;
      handover_zxid_ = zxid;
      ReplicaEvent e;
      e.state = state_;
      e.epoch = durable_.current_epoch;
      e.zxid = zxid;
      e.leader = designated;
      e.what = "handing_over";
      ready_.events.push_back(std::move(e));
    }
    last_committed_ = zxid;
    outstanding_.erase(txn);
    acks_.erase(first);
    if (next != reconfig_next_.end()) reconfig_next_.erase(next);
    core_.Commit(zxid);
    ActivateAtCommit();
  }
}

// A learner's stream is PROPOSAL + COMMIT for a follower, INFORM for an observer. One whose role
// a reconfig changes would miss the txns in flight in its old stream (proposed while it got
// INFORMs, committed once it gets COMMITs): it is dropped and syncs again in its new role. One
// outside the config (a joiner, a removed member) keeps the stream it asked for.
void Replica::ActivateAtCommit() {
  std::map<int64_t, bool> observer;
  for (const auto& [sid, l] : learners_) observer[sid] = l.observer;
  MaybeActivate();
  if (state_ != PeerState::kLeading) return;
  std::vector<int64_t> resync;
  for (auto& [sid, l] : learners_) {
    auto was = observer.find(sid);
    if (was == observer.end()) continue;
    if (!config_.membership.IsMember(sid)) {
      l.observer = was->second;
    } else if (l.observer != was->second) {
      resync.push_back(sid);
    }
  }
  for (int64_t sid : resync) {
    learners_.erase(sid);
    Disconnect(sid);
    newleader_acks_.erase(sid);
  }
  if (!resync.empty() && serving_ && !HasQuorumOfSynced()) LeaveRole("quorum_lost");
}

bool Replica::HasQuorumOfSynced() const {
  std::set<int64_t> alive = {config_.my_id};
  const int64_t limit = static_cast<int64_t>(config_.sync_limit) * config_.ticks_per_tick_time;
  for (const auto& [sid, l] : learners_) {
    if (l.uptodate && ticks_ - l.last_heard_tick <= limit) alive.insert(sid);
  }
  return config_.membership.IsQuorum(alive);
}

void Replica::LeaderTick() {
  UpdateSyncedMembers();
  if (!serving_) {
    const int64_t limit = static_cast<int64_t>(config_.init_limit) * config_.ticks_per_tick_time;
    if (ticks_ - phase_start_tick_ > limit) LeaveRole("init_timeout");
    return;
  }
  if (ticks_ >= next_ping_tick_) {
    next_ping_tick_ = ticks_ + config_.ping_interval_ticks;
    for (const auto& [sid, l] : learners_) {
      if (l.forwarding) SendZab(sid, ZabType::kPing, last_committed_);
    }
  }
  const int64_t limit = static_cast<int64_t>(config_.sync_limit) * config_.ticks_per_tick_time;
  for (auto it = learners_.begin(); it != learners_.end();) {
    if (ticks_ - it->second.last_heard_tick > limit) {
      // Silent for syncLimit: dropped, and told so by its connections closing (it may only be
      // slow, and would otherwise go on serving and forwarding to a leader that ignores it).
      newleader_acks_.erase(it->first);
      Disconnect(it->first);
      it = learners_.erase(it);
    } else {
      ++it;
    }
  }
  if (handover_to_ != 0) {
    // Handing over: done once the designated leader has closed (or went silent); the quorum
    // no longer matters, as this leader commits nothing more.
    if (learners_.count(handover_to_) == 0) LeaveRole("handed_over");
    return;
  }
  if (!HasQuorumOfSynced()) LeaveRole("quorum_lost");
}

}  // namespace zk
