#include "sim/election_member.h"

#include <cassert>

#include "core/peer_wire.h"
#include "proto/jute.h"
#include "proto/zxid.h"

namespace zk::sim {
namespace {

constexpr int32_t kPing = 1;  // leader -> learner
constexpr int32_t kAck = 2;   // learner -> leader

ElectionConfig MakeConfig(int64_t sid, const Membership& m, const SimTuning& t) {
  ElectionConfig c;
  c.my_id = sid;
  c.membership = m;
  c.finalize_wait_ticks = t.finalize_wait_ticks;
  c.min_notification_ticks = t.min_notification_ticks;
  c.max_notification_ticks = t.max_notification_ticks;
  return c;
}

}  // namespace

ElectionMember::ElectionMember(int64_t sid, SimDisk* disk, const Membership& membership,
                               const SimTuning& tuning)
    : sid_(sid),
      disk_(disk),
      membership_(membership),
      tuning_(tuning),
      election_(MakeConfig(sid, membership, tuning)) {}

void ElectionMember::Start() {
  election_.Start(disk_->last_zxid, disk_->current_epoch);
  events_.push_back(SimEvent{sid_,
                             "LOOKING round " + std::to_string(election_.logical_clock()) +
                                 " zxid=" + ZxidHex(disk_->last_zxid) +
                                 " epoch=" + std::to_string(disk_->current_epoch),
                             std::nullopt});
  AfterStep();
}

void ElectionMember::Restart(const char* why) {
  events_.push_back(SimEvent{sid_, why, std::nullopt});
  had_decision_ = false;
  ack_tick_.clear();
  Start();
}

void ElectionMember::SendQuorum(int64_t to, int32_t kind) {
  JuteWriter w;
  w.Int(kind);
  w.Long(sid_);
  outbox_.push_back(SimMessage{sid_, to, Channel::kQuorum, w.Take()});
}

void ElectionMember::Step(const SimMessage& m) {
  if (m.channel == Channel::kElection) {
    std::optional<WireNotification> wn = DecodeNotification(m.payload);
    if (!wn || wn->n.sid != m.from) {
      ++malformed_;  // what the shell would do with a bad frame: drop it (and the connection)
      return;
    }
    election_.Step(wn->n);
    AfterStep();
    return;
  }
  JuteReader r(m.payload);
  int32_t kind = r.Int();
  int64_t from = r.Long();
  if (!r.ok() || !r.AtEnd() || from != m.from) {
    ++malformed_;
    return;
  }
  const std::optional<Decision>& d = election_.decision();
  if (!d) return;
  if (kind == kPing && d->state != PeerState::kLeading && from == d->leader) {
    leader_heard_tick_ = ticks_;
    SendQuorum(from, kAck);
  } else if (kind == kAck && d->state == PeerState::kLeading && membership_.IsVoter(from)) {
    ack_tick_[from] = ticks_;
  }
}

void ElectionMember::Tick() {
  ++ticks_;
  election_.Tick();
  AfterStep();
  const std::optional<Decision>& d = election_.decision();
  if (!d) return;
  if (d->state == PeerState::kLeading) {
    std::set<int64_t> live{sid_};
    for (const auto& [sid, tick] : ack_tick_) {
      if (ticks_ - tick <= tuning_.lease_ticks) live.insert(sid);
    }
    if (ticks_ - decided_at_tick_ > tuning_.lease_ticks && !membership_.IsQuorum(live)) {
      Restart("quorum lost: stepping down");
      return;
    }
    for (int64_t sid : membership_.voters()) {
      if (sid != sid_) SendQuorum(sid, kPing);
    }
    for (int64_t sid : membership_.observers()) SendQuorum(sid, kPing);
  } else if (ticks_ - leader_heard_tick_ > tuning_.lease_ticks) {
    Restart("leader lost: back to LOOKING");
  }
}

void ElectionMember::PeerDisconnected(int64_t sid) {
  election_.PeerLost(sid);
  AfterStep();
}

void ElectionMember::AfterStep() {
  for (OutgoingNotification& o : election_.TakeMessages()) {
    outbox_.push_back(SimMessage{sid_, o.to, Channel::kElection, EncodeNotification(o.n)});
  }
  const std::optional<Decision>& d = election_.decision();
  // The facts a supervisor would get: a new decision is the last of them, exactly as decided.
  facts_.clear();
  election_.TakeFacts(&facts_);
  if (d && !had_decision_) {
    assert(!facts_.empty() && facts_.back().kind == ElectionFact::Kind::kDecision &&
           facts_.back().decision == *d);
    decided_at_tick_ = ticks_;
    leader_heard_tick_ = ticks_;
    ack_tick_.clear();
    std::string text = std::string(PeerStateName(d->state));
    if (d->state != PeerState::kLeading) text += " " + std::to_string(d->leader);
    text += " round " + std::to_string(d->election_epoch) + " zxid=" + ZxidHex(d->zxid) +
            " epoch=" + std::to_string(d->peer_epoch) + " (" + DecidedByName(d->by) + ", " +
            std::to_string(d->ticks_taken) + " ticks)";
    events_.push_back(SimEvent{sid_, text, d});
  }
  had_decision_ = d.has_value();
}

std::vector<SimMessage> ElectionMember::TakeMessages() {
  std::vector<SimMessage> out;
  out.swap(outbox_);
  return out;
}

std::vector<SimEvent> ElectionMember::TakeEvents() {
  std::vector<SimEvent> out;
  out.swap(events_);
  return out;
}

MemberView ElectionMember::view() const {
  MemberView v;
  const std::optional<Decision>& d = election_.decision();
  if (d) {
    v.state = d->state;
    v.leader = d->leader;
    v.election_epoch = d->election_epoch;
    v.peer_epoch = d->peer_epoch;
    v.zxid = d->zxid;
  } else {
    v.state = PeerState::kLooking;
    v.election_epoch = election_.logical_clock();
  }
  return v;
}

}  // namespace zk::sim
