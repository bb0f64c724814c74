// Replica: the Zab phase invariants, checked after every input (and so before the next one).
// Each is about this server's own state; what a peer sends is validated where it is read and
// never asserted on (core/invariant.h). The transition-specific checks (epochs never go back,
// proposals in zxid order, no ACK beyond the log, no COMMIT without a quorum) sit at the
// transitions themselves in zab_leader.cc, zab_learner.cc and replica.cc.
#include "core/invariant.h"
#include "core/replica.h"

namespace zk {

void Replica::CheckInvariants() const {
  // Every role. An epoch is promised before it is joined; nothing is applied that is not logged.
  ZK_ASSERT(durable_.current_epoch <= durable_.accepted_epoch);
  // (A TRUNC being carried out: the applied state is rebuilt below the cut, Truncated().)
  ZK_ASSERT(core_.last_zxid() <= last_logged_ || truncate_to_ >= 0);
  ZK_ASSERT(truncate_to_ < 0 || truncate_to_ == last_logged_);
  ZK_ASSERT(truncate_held_.empty() || truncate_to_ >= 0);
  ZK_ASSERT(history_.empty() || history_.front().first > history_base_);
  ZK_ASSERT(history_.empty() || history_.back().first <= last_logged_);
  ZK_ASSERT((state_ == PeerState::kLooking) == (phase_ == Phase::kElection));
  ZK_ASSERT(!serving_ || phase_ == Phase::kBroadcast);
  ZK_ASSERT(!read_only_ || state_ == PeerState::kLooking);

  if (state_ == PeerState::kLeading) {
    ZK_ASSERT(leader_ == config_.my_id);
    // Discovery, then synchronisation, then broadcast: each phase needs the one before.
    ZK_ASSERT(!epoch_proposed_ || durable_.accepted_epoch == new_epoch_);
    ZK_ASSERT(!epoch_established_ || (epoch_proposed_ && durable_.current_epoch == new_epoch_));
    ZK_ASSERT(!serving_ || epoch_established_);
    // Applied implies committed implies logged; what waits for ACKs lies between the two.
    ZK_ASSERT(core_.last_zxid() <= last_committed_);
    ZK_ASSERT(last_committed_ <= last_logged_);
    ZK_ASSERT(acks_.size() == outstanding_.size());
    if (!acks_.empty()) {
      ZK_ASSERT(serving_);
      ZK_ASSERT(acks_.begin()->first > last_committed_);
      ZK_ASSERT(acks_.rbegin()->first <= last_logged_);
      ZK_ASSERT(ZxidEpoch(acks_.begin()->first) == new_epoch_);
    }
    for (const auto& [sid, l] : learners_) {
      ZK_ASSERT(sid != config_.my_id &&
                (config_.membership.IsMember(sid) || core_.config().reconfig_enabled));
      ZK_ASSERT(!l.acked_epoch || (l.info && epoch_proposed_));
      ZK_ASSERT(!l.forwarding || (l.acked_epoch && epoch_established_));
      ZK_ASSERT(!l.acked_newleader || l.forwarding);
      ZK_ASSERT(!l.uptodate || (l.acked_newleader && serving_));
    }
  } else if (state_ != PeerState::kLooking) {
    ZK_ASSERT(leader_ != 0 && leader_ != config_.my_id);
    // Past discovery the learner has promised exactly the leader's epoch; past NEWLEADER it
    // has joined it.
    ZK_ASSERT(phase_ == Phase::kDiscovery || durable_.accepted_epoch == new_epoch_);
    ZK_ASSERT(phase_ == Phase::kDiscovery || !newleader_seen_ ||
              durable_.current_epoch == new_epoch_);
    ZK_ASSERT(phase_ != Phase::kBroadcast || (newleader_seen_ && serving_));
    // Logged and not yet committed: above what is applied (so reads see only commits), at or
    // below the log's end.
    if (!unapplied_.empty()) {
      ZK_ASSERT(unapplied_.begin()->first > core_.last_zxid());
      ZK_ASSERT(unapplied_.rbegin()->first <= last_logged_);
    }
  }
}

}  // namespace zk
