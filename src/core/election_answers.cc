// Election, what it sends: its own vote to the voters while LOOKING, and its answers to the
// notifications of peers, in every state and whether this server votes or only observes.
//
// The answers follow ZooKeeper's election receiver (FastLeaderElection's WorkerReceiver), which
// every server runs, observers included:
//   - a server out of election (FOLLOWING / LEADING / OBSERVING) answers a LOOKING sender with
//     the vote it stands behind — the leader it follows or observes — and its state;
//   - a non-voter's notification gets our current vote back at once, and never counts;
//   - a LOOKING voter answers a LOOKING voter of an older round with its proposal.
// The shell sends every notification with the config in force (Replica::LearnConfigFromVote
// takes a newer one while LOOKING), so an answer also tells the sender which config is current.
// That is what brings back a member that was down while a reconfig turned the voters of its
// config file into observers: it sends its votes only to them, and only their answers can tell
// it the config and the leader. Where zkd answers less than ZooKeeper, it is said below why.
#include "core/election.h"

namespace zk {

void Election::Send(int64_t to, const Vote& v, PeerState state) {
  // Past the limit the oldest notification is the least useful one: a newer vote supersedes it,
  // and resends make up for anything dropped.
  if (outbox_.size() >= config_.outbox_max) outbox_.erase(outbox_.begin());
  outbox_.push_back(OutgoingNotification{
      to, Notification{config_.my_id, state, v.leader, v.zxid, v.election_epoch, v.peer_epoch}});
}

void Election::SendNotifications() {
  ticks_since_broadcast_ = 0;
  Vote v = Proposal();
  for (int64_t sid : config_.membership.voters()) {
    if (sid == config_.my_id) {
      // ZooKeeper sends to itself through its own queue; the effect is this entry.
      recvset_[sid] = v;
    } else {
      Send(sid, v, PeerState::kLooking);
    }
  }
}

std::vector<OutgoingNotification> Election::TakeMessages() {
  std::vector<OutgoingNotification> out;
  out.swap(outbox_);
  return out;
}

void Election::AnswerNonVoter(const Notification& n) {
  // ZooKeeper answers every notification of a non-voter; zkd only LOOKING ones, so that an
  // observer and a LOOKING voter never answer each other's answers forever. A LOOKING observer
  // has no vote to tell (it proposes nobody), so it stays silent; a decided one tells the leader
  // it observes.
  if (n.state != PeerState::kLooking) return;
  if (NonVoterSelf() && !decision_) return;
  Vote v = current_vote();
  v.election_epoch = decision_ ? decision_->election_epoch : logical_clock_;
  Send(n.sid, v, state());
}

void Election::AnswerOutOfElection(const Notification& n) {
  // Out of election ourselves: tell a LOOKING peer what we decided, with our state — an
  // observer too. A voter only asks an observer when its config still names that observer a
  // voter, so the answer's config is what it lacks; an OBSERVING notification is never
  // answered, so the two cannot answer each other in a loop.
  if (n.state == PeerState::kLooking) Send(n.sid, current_vote(), decision_->state);
}

void Election::AnswerLooking(const Notification& n) {
  // LOOKING: a looking voter in an older round gets our vote (the WorkerReceiver rule). So does
  // one in our round whose vote ours beats — ZooKeeper leaves that to the sender's resend timer;
  // answering at once turns a timeout into a round trip (votes only grow within a round, so the
  // answers stop). A LOOKING observer does not answer: voters never count what an observer says.
  // The same notification again, while our vote is the same, is not answered again: a peer
  // that does not count us (a joiner's config names us, the sender's does not name it) answers
  // every notification of ours and never takes our vote, and the two would answer each other
  // forever. Resends on the timers cover a lost answer, as in ZooKeeper.
  if (n.state != PeerState::kLooking || NonVoterSelf()) return;
  const bool older_round = n.election_epoch < logical_clock_;
  const bool ours_beats = n.election_epoch == logical_clock_ &&
                          VoteBeats(config_.membership, proposed_leader_, proposed_zxid_,
                                    proposed_epoch_, n.leader, n.zxid, n.peer_epoch);
  if (!older_round && !ours_beats) return;
  std::pair<Notification, Vote> answer{n, Proposal()};
  auto [it, fresh] = answered_.emplace(n.sid, answer);
  if (fresh || !(it->second == answer)) {
    it->second = answer;
    Send(n.sid, Proposal(), PeerState::kLooking);
  }
}

}  // namespace zk
