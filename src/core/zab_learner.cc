// Replica, learner side (follower or observer): discovery (accept the leader's epoch), the sync
// stream (DIFF or SNAP, then PROPOSAL / COMMIT, NEWLEADER, UPTODATE), then broadcast: log and
// ACK proposals, apply commits (observers: INFORM), answer pings with session touches.
#include <cassert>

#include "core/invariant.h"
#include "core/replica.h"

namespace zk {
namespace {

// Beyond a whole DIFF of history_max proposals and their commits, what a TRUNC may hold back:
// NEWLEADER, pings, proposals of the new epoch.
constexpr size_t kTruncateHeldSlack = 1024;

}  // namespace

void Replica::LearnStep(const ZabPacket& p) {
  leader_heard_tick_ = ticks_;
  if (truncate_to_ >= 0) {
    // The state is being rebuilt from the cut log: the leader's stream waits until it is.
    truncate_held_.push_back(p);
    if (truncate_held_.size() > config_.history_max + kTruncateHeldSlack) {
      LeaveRole("truncate_backlog");
    }
    return;
  }
  if (phase_ == Phase::kDiscovery && p.type != ZabType::kLeaderInfo && p.type != ZabType::kPing) {
    // Left over from before we left our role on this same connection (a timeout does not
    // close it): the leader's stream for us starts again with LEADERINFO.
    return;
  }
  switch (p.type) {
    case ZabType::kLeaderInfo:
      return LearnLeaderInfo(p);
    case ZabType::kDiff:
      if (phase_ == Phase::kSync) diff_committed_ = p.zxid;
      return;
    case ZabType::kSnap:
      return LearnSnap(p);
    case ZabType::kTrunc:
      return LearnTrunc(p);
    case ZabType::kProposal:
    case ZabType::kInform:
      return LearnProposal(p);
    case ZabType::kCommit:
      return LearnerApply(p.zxid);
    case ZabType::kCommitAndActivate:
    case ZabType::kInformAndActivate:
      return LearnCommitAndActivate(p);
    case ZabType::kNewLeader:
      return LearnNewLeader(p);
    case ZabType::kUpToDate:
      if (phase_ != Phase::kSync || !newleader_seen_) return;
      ZK_ASSERT(durable_.current_epoch == new_epoch_ && durable_.accepted_epoch == new_epoch_);
      phase_ = Phase::kBroadcast;
      serving_ = true;
      core_.SetRole(CoreRole::kLearner);
      election_.UpdatePeerEpoch(new_epoch_);
      Event("serving");
      core_.TakeActivatedConfig();  // the history's config, below, says it all
      ActivateHistoryConfig();  // the leader synced our history: a reconfig in it committed
      TakeEstablishedConfig();
      return;
    case ZabType::kPing:
      SendZab(leader_, ZabType::kPing, last_logged_, EncodeTouches(core_.TakeTouchedSessions()));
      return;
    case ZabType::kSync: {
      JuteReader r(p.data);
      int64_t sid = r.Long();
      int32_t xid = r.Int();
      if (r.ok()) core_.Synced(sid, xid);
      return;
    }
    default:
      return;
  }
}

void Replica::LearnLeaderInfo(const ZabPacket& p) {
  if (phase_ != Phase::kDiscovery) return;
  int64_t epoch = ZxidEpoch(p.zxid);
  if (epoch < durable_.accepted_epoch) {
    LeaveRole("stale_leader");
    return;
  }
  if (epoch > durable_.accepted_epoch) SetAccepted(epoch);
  new_epoch_ = epoch;
  newleader_seen_ = false;
  diff_committed_ = -1;
  phase_ = Phase::kSync;
  ZK_ASSERT(durable_.accepted_epoch == new_epoch_ && durable_.current_epoch <= new_epoch_);
  JuteWriter w;
  w.Long(durable_.current_epoch);
  // -1 (no zxid at all) asks for a SNAP: a TRUNC we could not carry out (FinishTruncate).
  SendZab(leader_, ZabType::kAckEpoch, snap_wanted_ ? -1 : last_logged_, w.Take());
}

void Replica::LearnSnap(const ZabPacket& p) {
  if (phase_ != Phase::kSync || !codec_) return;
  DataTree tree;
  std::map<int64_t, int32_t> sessions;
  if (!codec_->Decode(p.data, &tree, &sessions)) {
    LeaveRole("bad_snapshot");
    return;
  }
  core_.Restore(std::move(tree), sessions, p.zxid);
  // The leader's membership comes with its state; it activates at UPTODATE.
  snap_wanted_ = false;
  unapplied_.clear();
  history_.clear();
  history_base_ = p.zxid;
  last_logged_ = p.zxid;
  ready_.snapshot_zxid = p.zxid;
  ZK_ASSERT(core_.last_zxid() == p.zxid && unapplied_.empty());
}

// TRUNC: we logged proposals past p.zxid that the leader never committed. Cut them from what
// we know at once (votes and ACKs use last_logged_); the shell cuts the log and rebuilds the
// applied state, which may hold them (a learner applies its log when it restarts or leaves its
// role), and hands it back through Truncated(). Until then we hold the leader's packets and
// take part in no election.
void Replica::LearnTrunc(const ZabPacket& p) {
  if (phase_ != Phase::kSync || newleader_seen_ || diff_committed_ >= 0) return;
  if (p.zxid > last_logged_ || p.zxid < 0) {
    LeaveRole("bad_trunc");  // nothing past our log can be cut
    return;
  }
  ZK_ASSERT(ready_.log_appends.empty());
  truncate_to_ = p.zxid;
  ready_.truncate_zxid = p.zxid;
  last_logged_ = p.zxid;
  unapplied_.erase(unapplied_.upper_bound(p.zxid), unapplied_.end());
  while (!history_.empty() && history_.back().first > p.zxid) history_.pop_back();
  history_base_ = std::min(history_base_, p.zxid);
}

void Replica::FinishTruncate() {
  const int64_t to = truncate_to_;
  truncate_to_ = -1;
  std::deque<ZabPacket> held;
  held.swap(truncate_held_);
  if (core_.last_zxid() != to) {
    // Storage could not cut there (a snapshot holds txns past the cut, and none older does):
    // it left the disk and the state as they were. Start over and ask for a SNAP, which
    // replaces both (ZooKeeper's learner exits instead, and comes back to the same TRUNC).
    last_logged_ = core_.last_zxid();
    snap_wanted_ = true;
    history_.clear();
    history_base_ = last_logged_;
    if (state_ != PeerState::kLooking) {
      LeaveRole("truncate_failed");
    } else {
      StartElection();
    }
    return;
  }
  if (state_ == PeerState::kLooking) {
    StartElection();  // it left its role meanwhile: the election it put off
    return;
  }
  for (const ZabPacket& p : held) {
    if (state_ == PeerState::kLooking || truncate_to_ >= 0) break;
    LearnStep(p);
  }
}

void Replica::LearnProposal(const ZabPacket& p) {
  if (p.zxid <= last_logged_ && p.zxid <= core_.last_zxid()) return;  // already have it
  if (p.type == ZabType::kInform && unapplied_.count(p.zxid) > 0) {
    // An observer got it as a PROPOSAL in its sync stream and logged it: only apply.
    LearnerApply(p.zxid);
    return;
  }
  ZK_ASSERT(p.zxid > core_.last_zxid());  // never logged again below what is applied
  unapplied_[p.zxid] = p.data;
  ready_.log_appends.push_back({p.zxid, p.data});
  last_logged_ = std::max(last_logged_, p.zxid);
  RecordHistory(p.zxid, p.data);
  const bool observer = state_ == PeerState::kObserving;
  if (p.type == ZabType::kInform) {
    LearnerApply(p.zxid);
  } else if (!observer && (phase_ == Phase::kBroadcast || newleader_seen_)) {
    SendZab(leader_, ZabType::kAck, p.zxid);  // sent only after the append is durable
  }
}

void Replica::LearnNewLeader(const ZabPacket& p) {
  if (phase_ != Phase::kSync) return;
  if (ZxidEpoch(p.zxid) != new_epoch_) {
    // We accepted another epoch: our LEADERINFO was a stale one from this leader's previous
    // term on the same connection. Acking would join a quorum for an epoch we never
    // promised (and make currentEpoch exceed acceptedEpoch): start over instead.
    LeaveRole("stale_leaderinfo");
    return;
  }
  newleader_seen_ = true;
  SetCurrent(ZxidEpoch(p.zxid));
  ZK_ASSERT(durable_.current_epoch == new_epoch_ && durable_.accepted_epoch == new_epoch_);
  bool has_processed = false;
  std::string_view rest;
  const int64_t processed = DecodeLongThen(p.data, &has_processed, &rest);
  processed_floor_ = has_processed ? processed : 0;
  bool has_config = false;
  std::string_view config;
  const int64_t config_mtime = DecodeLongThen(rest, &has_config, &config);
  if (has_config) AdoptLeaderConfig(config, config_mtime);
  SendZab(leader_, ZabType::kAck, p.zxid);
  if (state_ == PeerState::kObserving) return;
  // Proposals of the sync stream that no COMMIT followed are still outstanding on the
  // leader: ack them now that we are in its epoch (as ZooKeeper's follower does once it
  // logs them at NEWLEADER), or they may never reach a quorum and its commits stall.
  for (const auto& [zxid, txn] : unapplied_) SendZab(leader_, ZabType::kAck, zxid);
  // Also what we logged before (re)joining and the DIFF did not cover: the leader's
  // proposals beyond its commit point that we already had (a learner that left applied
  // them, so they are not in unapplied_). The DIFF means our log is a prefix of the
  // leader's history, so they are its outstanding proposals; unacked, they would block
  // every later commit.
  if (diff_committed_ < 0) return;
  for (const auto& [zxid, txn] : history_) {
    if (zxid > diff_committed_ && zxid <= last_logged_ && unapplied_.count(zxid) == 0) {
      SendZab(leader_, ZabType::kAck, zxid);
    }
  }
}

void Replica::LearnerApply(int64_t zxid) {
  // Commits arrive in zxid order; anything logged before `zxid` is committed too.
  while (!unapplied_.empty() && unapplied_.begin()->first <= zxid) {
    auto it = unapplied_.begin();
    ZK_ASSERT(it->first <= last_logged_);  // only what is in the log is applied
    Txn txn;
    bool ok = Txn::Decode(it->second, &txn);
    assert(ok);
    if (ok && txn.header.zxid > core_.last_zxid()) core_.ApplyCommitted(txn);
    unapplied_.erase(it);
    // A committed reconfig activates now, before anything else happens (in the sync stream,
    // at UPTODATE: replica_history_config.cc).
    if (!ActivationWaits()) MaybeActivate();
  }
  ZK_ASSERT(unapplied_.empty() || unapplied_.begin()->first > zxid);
}

void Replica::LearnerTick() {
  if (phase_ != Phase::kBroadcast) {
    const int64_t limit = static_cast<int64_t>(config_.init_limit) * config_.ticks_per_tick_time;
    if (ticks_ - phase_start_tick_ > limit) {
      LeaveRole("init_timeout");
      return;
    }
    // The leader may not have been ready for us yet: say hello again now and then.
    if (phase_ == Phase::kDiscovery && (ticks_ - phase_start_tick_) % 2 == 0) {
      SendZab(leader_, state_ == PeerState::kObserving ? ZabType::kObserverInfo
                                                       : ZabType::kFollowerInfo,
              MakeZxid(durable_.accepted_epoch, 0), EncodeLong(config_.my_id));
    }
    return;
  }
  const int64_t limit = static_cast<int64_t>(config_.sync_limit) * config_.ticks_per_tick_time;
  if (ticks_ - leader_heard_tick_ > limit) LeaveRole("leader_silent");
}

}  // namespace zk
