#include "core/replica.h"

#include <algorithm>
#include <cassert>

#include "core/invariant.h"

namespace zk {

namespace {

// How long a learner may keep saying FOLLOWERINFO to us while we follow another before we close
// its connection (StepZab): two of its resends, time for a hand-over naming us to reach us.
constexpr int64_t kMisdirectedInfoTicks = 4;
// The same while we are LOOKING ourselves, when we may yet lead: longer, 100 ms at zkd's tick.
constexpr int64_t kMisdirectedWhileLookingTicks = 10;

ElectionConfig ElectionFor(const ReplicaConfig& c) {
  ElectionConfig e = c.election;
  e.my_id = c.my_id;
  e.membership = c.membership;
  return e;
}

}  // namespace

Replica::Replica(ReplicaConfig config, CoreConfig core_config, DurableState durable,
                 int64_t first_session_id, StateCodec* codec)
    : Machine(std::move(core_config), first_session_id),
      config_(std::move(config)),
      election_(ElectionFor(config_)),
      durable_(durable),
      codec_(codec) {
  if (config_.ping_interval_ticks <= 0) {
    config_.ping_interval_ticks = std::max(1, config_.ticks_per_tick_time / 2);
  }
  active_config_text_ = core_.config().config_text;
  active_config_version_ = core_.config().config_version;
}

void Replica::Start(std::deque<std::pair<int64_t, std::string>> recent, int64_t recent_base) {
  last_logged_ = core_.last_zxid();
  history_.clear();
  history_base_ = last_logged_;
  // A reconfig activates only at its commit, and then the dynamic file is rewritten: the
  // config file is what was active. A reconfig replayed from the log may never have been
  // committed (its leader crashed), so the file's membership stays in force until a leader's
  // sync says this history is committed (replica_history_config.cc).
  core_.SetConfigBase(active_config_text_, active_config_version_);
  RefreshConfigNode();
  // Only a history that ends where the Core does, in zxid order, and starts after its base.
  bool ordered = !recent.empty() && recent.back().first == last_logged_ &&
                 recent.front().first > recent_base;
  for (size_t i = 1; ordered && i < recent.size(); ++i) {
    ordered = recent[i - 1].first < recent[i].first;
  }
  if (ordered) {
    history_ = std::move(recent);
    history_base_ = recent_base;
    while (history_.size() > config_.history_max) {
      history_base_ = history_.front().first;
      history_.pop_front();
    }
  }
  StartElection();
}

size_t Replica::synced_follower_count() const {
  size_t n = 0;
  for (const auto& [sid, l] : learners_) n += (l.uptodate && !l.observer) ? 1 : 0;
  return n;
}

size_t Replica::synced_observer_count() const {
  size_t n = 0;
  for (const auto& [sid, l] : learners_) n += (l.uptodate && l.observer) ? 1 : 0;
  return n;
}

size_t Replica::pending_syncs() const {
  size_t n = 0;
  for (const auto& [sid, l] : learners_) n += (l.forwarding && !l.uptodate) ? 1 : 0;
  return n;
}

void Replica::Event(const std::string& what) {
  ReplicaEvent e;
  e.state = state_;
  e.epoch = durable_.current_epoch;
  e.zxid = last_processed_zxid();
  e.leader = leader_;
  e.election_ticks = ticks_ - election_start_tick_;
  e.what = what;
  ready_.events.push_back(std::move(e));
}

void Replica::StepZab(int64_t from, const ZabPacket& p) {
  if (state_ == PeerState::kLeading) {
    LeadStep(from, p);
  } else if ((state_ == PeerState::kFollowing || state_ == PeerState::kObserving) &&
             from == leader_) {
    if (p.type == ZabType::kFollowerInfo || p.type == ZabType::kObserverInfo) {
      // Our leader decided that we lead: each follows the other and neither leads (two
      // decisions of one fast-moving start-up round, each on votes the other had left behind).
      // Nothing will come from it; look again rather than wait out initLimit.
      LeaveRole("leader_follows_us");
    } else {
      LearnStep(p);
    }
  } else if (p.type == ZabType::kFollowerInfo || p.type == ZabType::kObserverInfo) {
    // `from` decided that we lead, but we follow another: its quorum moved on after it
    // decided (members starting one by one), or it counted us out of a vote of ours it had not
    // yet heard. ZooKeeper's learner finds no leader listening and goes back to LOOKING after
    // a few tries; closing the connection tells it sooner than initLimit. Not at its first
    // FOLLOWERINFO: a reconfig's hand-over may name us, and the learner may act on its
    // COMMITANDACTIVATE before we get or act on ours; then we lead within a tick or two and
    // its resent FOLLOWERINFO (every 2 ticks) finds us leading. (While LOOKING we may yet lead
    // too: its resent FOLLOWERINFO will find out — but not for ever: a learner that decided
    // for us in a round we then left (a leader that gave up, MaybeGiveUpLead) would wait out
    // initLimit, while its FOLLOWING answers keep our new round from counting it; closed, it
    // looks again and joins that round.)
    const int64_t grace =
        state_ == PeerState::kLooking ? kMisdirectedWhileLookingTicks : kMisdirectedInfoTicks;
    const int64_t since = misdirected_since_.emplace(from, ticks_).first->second;
    if (ticks_ - since >= grace) {
      misdirected_since_.erase(from);
      Disconnect(from);
    }
  }
  CheckInvariants();
}

void Replica::PeerDisconnected(int64_t sid) {
  // The election stops waiting for a vote from it (Election::PeerLost); told first, so that the
  // election this loss may start below already knows.
  election_.PeerLost(sid);
  misdirected_since_.erase(sid);  // if it comes back with FOLLOWERINFO, its grace starts anew
  if (state_ == PeerState::kLeading) {
    // Close the other direction too, so the learner learns it at once. Only for a learner we
    // had: a peer told of our own disconnect must not answer with another.
    const bool had = learners_.erase(sid) > 0;
    newleader_acks_.erase(sid);
    if (handover_to_ != 0) {
      // Handing over: each learner closes once it has acted on the COMMITANDACTIVATE; the
      // designated leader's close is the signal that it is taking over.
      if (sid == handover_to_) LeaveRole("handed_over");
    } else {
      if (had) Disconnect(sid);
      if (serving_ && !HasQuorumOfSynced()) LeaveRole("quorum_lost");
    }
  } else if (state_ != PeerState::kLooking && sid == leader_) {
    // Not yet synced: the leader it chose may be unreachable (a one-way cut, or it no longer
    // leads), and the votes that chose it are still in. Deciding again at once would fail
    // again at once, as fast as the connections close. ZooKeeper's learner sleeps between its
    // tries to connect; here the next decision waits for the next tick.
    if (phase_ != Phase::kBroadcast) act_not_before_tick_ = ticks_ + 1;
    LeaveRole("leader_lost");
  } else if (phase_ == Phase::kElection && !storage_failed_ && truncate_to_ < 0) {
    // LOOKING already: the vote its finalize wait was waiting for may have been this one's.
    ActOnDecision();
  }
  CheckInvariants();
}

void Replica::Tick(int64_t now_ms) {
  ++ticks_;
  now_ms_ = now_ms;
  if (storage_failed_) return;  // nothing to time out: no role, no election, no read-only mode
  if (!role_change_.empty()) {
    // A reconfig changed this member's vote one tick ago (ActivateConfig).
    std::string why = std::move(role_change_);
    role_change_.clear();
    if (state_ == PeerState::kLooking) {
      ElectOrHandOver();
    } else {
      LeaveRole(why);
    }
  }
  if (truncate_to_ < 0) election_.Tick();
  for (auto& m : election_.TakeMessages()) ready_.election_messages.push_back(std::move(m));
  if (phase_ == Phase::kElection && truncate_to_ < 0) {
    ActOnDecision();
  }
  if (ticks_ % config_.ticks_per_tick_time == 0) core_.Tick(now_ms);
  if (state_ == PeerState::kLeading) {
    LeaderTick();
  } else if (state_ != PeerState::kLooking) {
    LearnerTick();
  } else {
    MaybeServeReadOnly();
  }
  CheckInvariants();
}

void Replica::MaybeServeReadOnly() {
  // Cut off long enough to believe it is partitioned, rather than in a short election.
  if (config_.read_only_after_ticks <= 0 || read_only_) return;
  if (truncate_to_ >= 0) return;  // its state is being rebuilt (a TRUNC): nothing to serve
  if (ticks_ - election_start_tick_ < config_.read_only_after_ticks) return;
  assert(state_ == PeerState::kLooking && !serving_);
  read_only_ = true;
  core_.SetRole(CoreRole::kReadOnly);
  Event("read_only");
}

void Replica::EndReadOnly() {
  if (!read_only_) return;
  read_only_ = false;
  core_.SetRole(CoreRole::kLearner);  // closes the read-only sessions
  Event("read_only_end");
}

void Replica::Persisted(int64_t zxid) {
  if (state_ != PeerState::kLeading) return;
  // The log is synced in order and only over what this server appended.
  ZK_ASSERT(zxid <= last_logged_);
  self_persisted_ = std::max(self_persisted_, zxid);
  MaybeCommit();
  CheckInvariants();
}

void Replica::TakeReady(Ready* out) {
  DrainCore();
  CheckInvariants();
  out->Clear();
  std::swap(*out, ready_);
  out->election_facts_dropped = election_.TakeFacts(&out->election_facts);
}

void Replica::DrainCore() {
  DrainCoreOutputs();
  if (!ActivationWaits()) MaybeActivate();
}

void Replica::DrainCoreOutputs() {
  for (auto& o : core_.TakeOutputs()) {
    switch (o.kind) {
      case Output::Kind::kPersist:
        assert(state_ == PeerState::kLeading && serving_);
        Propose(o.zxid, std::move(o.body));
        break;
      case Output::Kind::kForward: {
        ClientRequest req{o.session_id, o.xid, o.op, std::move(o.body), 0, std::move(o.auth)};
        SendZab(leader_, ZabType::kRequest, 0, EncodeForwardedRequest(req));
        break;
      }
      case Output::Kind::kSyncDone: {
        JuteWriter w;
        w.Long(o.session_id);
        w.Int(o.xid);
        SendZab(o.origin, ZabType::kSync, 0, w.Take());
        break;
      }
      default:
        ready_.client_outputs.push_back(std::move(o));
        break;
    }
  }
}

void Replica::RecordHistory(int64_t zxid, const std::string& txn) {
  if (!history_.empty() && history_.back().first >= zxid) return;
  history_.emplace_back(zxid, txn);
  while (history_.size() > config_.history_max) {
    history_base_ = history_.front().first;
    history_.pop_front();
  }
}

void Replica::SendZab(int64_t to, ZabType type, int64_t zxid, std::string data) {
  if (type == ZabType::kAck && state_ != PeerState::kLeading) {
    // A learner acks a proposal only once it is in its log (the shell sends after the sync),
    // or the NEWLEADER of the epoch it has just joined.
    ZK_ASSERT(to == leader_);
    ZK_ASSERT(zxid == MakeZxid(durable_.current_epoch, 0) || (zxid > 0 && zxid <= last_logged_));
  }
  ready_.zab_messages.emplace_back(to, ZabPacket{type, zxid, std::move(data)});
}

void Replica::Disconnect(int64_t sid) {
  auto& msgs = ready_.zab_messages;
  msgs.erase(
      std::remove_if(msgs.begin(), msgs.end(), [sid](const auto& m) { return m.first == sid; }),
      msgs.end());
  auto& d = ready_.quorum_disconnects;
  if (std::find(d.begin(), d.end(), sid) == d.end()) d.push_back(sid);
}

void Replica::SetAccepted(int64_t epoch) {
  ZK_ASSERT(epoch >= durable_.accepted_epoch);  // a promise is never taken back
  durable_.accepted_epoch = epoch;
  ready_.accepted_epoch = epoch;
}

void Replica::SetCurrent(int64_t epoch) {
  // Joined only once promised, and never an older epoch than one already joined.
  ZK_ASSERT(epoch >= durable_.current_epoch && epoch <= durable_.accepted_epoch);
  durable_.current_epoch = epoch;
  ready_.current_epoch = epoch;
}

}  // namespace zk
