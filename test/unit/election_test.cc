#include "core/election.h"

#include <gtest/gtest.h>

#include <vector>

namespace zk {
namespace {

Membership Voters(std::set<int64_t> v, std::set<int64_t> o = {}) { return Membership(v, o); }

ElectionConfig Config(int64_t me, Membership m) {
  ElectionConfig c;
  c.my_id = me;
  c.membership = std::move(m);
  c.finalize_wait_ticks = 2;
  c.min_notification_ticks = 2;
  c.max_notification_ticks = 8;
  return c;
}

Notification Looking(int64_t sid, int64_t leader, int64_t zxid, int64_t round, int64_t epoch) {
  return Notification{sid, PeerState::kLooking, leader, zxid, round, epoch};
}
Notification Out(int64_t sid, PeerState st, int64_t leader, int64_t zxid, int64_t round,
                 int64_t epoch) {
  return Notification{sid, st, leader, zxid, round, epoch};
}

std::set<int64_t> Recipients(const std::vector<OutgoingNotification>& out) {
  std::set<int64_t> to;
  for (const auto& o : out) to.insert(o.to);
  return to;
}

// ---- predicate, quorum, equality ----

TEST(VoteBeats, PeerEpochThenZxidThenSid) {
  Membership m = Voters({1, 2, 3});
  EXPECT_TRUE(VoteBeats(m, 1, 0x100000001, 2, 3, 0x900000000, 1));  // epoch wins over zxid
  EXPECT_FALSE(VoteBeats(m, 3, 0x900000000, 1, 1, 0x100000001, 2));
  EXPECT_TRUE(VoteBeats(m, 1, 9, 1, 3, 8, 1));  // zxid wins over sid
  EXPECT_FALSE(VoteBeats(m, 3, 8, 1, 1, 9, 1));
  EXPECT_TRUE(VoteBeats(m, 3, 8, 1, 2, 8, 1));  // sid breaks ties
  EXPECT_FALSE(VoteBeats(m, 2, 8, 1, 3, 8, 1));
  EXPECT_FALSE(VoteBeats(m, 2, 8, 1, 2, 8, 1));  // equal is not better
}

TEST(VoteBeats, NonVoterCandidateNeverWins) {
  Membership m = Voters({1, 2}, {3});
  EXPECT_FALSE(VoteBeats(m, 3, 100, 100, 1, 0, 0));
  EXPECT_FALSE(VoteBeats(m, 7, 100, 100, 1, 0, 0));
  EXPECT_TRUE(VoteBeats(m, 1, 0, 0, kNoVote, kNoVote, kNoVote));  // anything beats no vote
}

TEST(Membership, QuorumIsMoreThanHalfOfTheVoters) {
  Membership three = Voters({1, 2, 3}, {4, 5});
  EXPECT_FALSE(three.IsQuorum({1}));
  EXPECT_TRUE(three.IsQuorum({1, 3}));
  EXPECT_FALSE(three.IsQuorum({1, 4, 5}));  // observers do not count
  EXPECT_EQ(three.QuorumSize(), 2u);
  Membership four = Voters({1, 2, 3, 4});
  EXPECT_FALSE(four.IsQuorum({1, 2}));  // half is not enough
  EXPECT_TRUE(four.IsQuorum({1, 2, 3}));
  Membership one = Voters({1}, {2});
  EXPECT_TRUE(one.IsQuorum({1}));
  EXPECT_FALSE(one.IsQuorum({2}));
}

TEST(Membership, ValidateNamesTheProblem) {
  EXPECT_EQ(Voters({1, 2, 3}, {4}).Validate(), "");
  EXPECT_NE(Voters({}, {4}).Validate(), "");
  EXPECT_NE(Voters({1, 2}, {2}).Validate().find("both voter and observer"), std::string::npos);
}

TEST(VotesAgree, LookingComparesEverythingOutOfElectionOnlyLeaderAndEpoch) {
  Vote a{3, 8, 1, 1, PeerState::kLooking};
  Vote b{3, 8, 2, 1, PeerState::kLooking};
  EXPECT_FALSE(VotesAgree(a, b));  // another round
  b.election_epoch = 1;
  EXPECT_TRUE(VotesAgree(a, b));
  Vote f1{3, 8, 1, 1, PeerState::kFollowing};
  Vote f2{3, 9, 5, 1, PeerState::kLeading};
  EXPECT_TRUE(VotesAgree(f1, f2));  // zxid and round ignored out of election
  f2.peer_epoch = 2;
  EXPECT_FALSE(VotesAgree(f1, f2));
  EXPECT_FALSE(VotesAgree(a, Vote{3, 9, 1, 1, PeerState::kFollowing}));  // one side looking
}

// ---- Start, resend backoff ----

TEST(Election, StartProposesSelfToEveryOtherVoter) {
  Election e(Config(2, Voters({1, 2, 3}, {4})));
  e.Start(0x100000005, 1);
  EXPECT_EQ(e.logical_clock(), 1);
  EXPECT_EQ(e.state(), PeerState::kLooking);
  auto out = e.TakeMessages();
  EXPECT_EQ(Recipients(out), (std::set<int64_t>{1, 3}));  // not itself, not the observer
  for (const auto& o : out) {
    EXPECT_EQ(o.n, (Notification{2, PeerState::kLooking, 2, 0x100000005, 1, 1}));
  }
  e.Start(0x100000005, 1);
  EXPECT_EQ(e.logical_clock(), 2);  // every round counts up
}

TEST(Election, ObserverProposesNoVote) {
  Election e(Config(4, Voters({1, 2, 3}, {4})));
  e.Start(0x900000000, 9);
  auto out = e.TakeMessages();
  EXPECT_EQ(Recipients(out), (std::set<int64_t>{1, 2, 3}));
  EXPECT_EQ(out[0].n.leader, kNoVote);
  EXPECT_EQ(out[0].n.zxid, kNoVote);
  EXPECT_EQ(out[0].n.peer_epoch, kNoVote);
}

TEST(Election, ResendsOnSilenceWithDoublingCappedBackoff) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.TakeMessages();
  std::vector<int> resend_ticks;
  for (int t = 1; t <= 40; ++t) {
    e.Tick();
    if (!e.TakeMessages().empty()) resend_ticks.push_back(t);
  }
  // 2, then 4, then 8 (the cap), 8, 8 ...
  EXPECT_EQ(resend_ticks, (std::vector<int>{2, 6, 14, 22, 30, 38}));
}

TEST(Election, ResendTimerCountsFromOurLastBroadcast) {
  Election e(Config(1, Voters({1, 2, 3, 4, 5})));
  e.Start(0, 0);
  e.TakeMessages();
  e.Tick();
  e.Step(Looking(2, 2, 0, 1, 0));  // adopt 2 and broadcast: the timer starts again
  EXPECT_EQ(e.TakeMessages().size(), 4u);
  e.Tick();
  EXPECT_TRUE(e.TakeMessages().empty());
  e.Step(Looking(3, 1, 0, 1, 0));  // a worse vote is answered, and does not delay the resend
  EXPECT_EQ(e.TakeMessages().size(), 1u);
  e.Tick();
  EXPECT_EQ(Recipients(e.TakeMessages()), (std::set<int64_t>{2, 3, 4, 5}));
}

// ---- the LOOKING rules ----

TEST(Election, SameRoundBetterVoteIsAdoptedAndBroadcast) {
  Election e(Config(1, Voters({1, 2, 3, 4, 5})));
  e.Start(0x100000007, 1);
  e.TakeMessages();
  e.Step(Looking(2, 2, 0x100000008, 1, 1));
  auto out = e.TakeMessages();
  EXPECT_EQ(Recipients(out), (std::set<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(e.current_vote().leader, 2);
  EXPECT_EQ(e.current_vote().zxid, 0x100000008);
}

TEST(Election, SameRoundWorseVoteIsRecordedNotAdoptedAndItsSenderToldOurs) {
  Election e(Config(3, Voters({1, 2, 3, 4, 5})));
  e.Start(0x100000008, 1);
  e.TakeMessages();
  e.Step(Looking(1, 1, 0x100000008, 1, 1));
  auto out = e.TakeMessages();
  ASSERT_EQ(out.size(), 1u);  // only the sender, and only because our vote beats its own
  EXPECT_EQ(out[0].to, 1);
  EXPECT_EQ(out[0].n, (Notification{3, PeerState::kLooking, 3, 0x100000008, 1, 1}));
  EXPECT_EQ(e.current_vote().leader, 3);
  e.Step(Looking(2, 3, 0x100000008, 1, 1));  // agrees: nothing to say
  EXPECT_TRUE(e.TakeMessages().empty());
}

TEST(Election, HigherRoundIsJoinedWithTheBetterOfItsVoteAndOurs) {
  // Its vote is worse than our own initial vote: we join the round but propose ourselves.
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0x100000008, 1);
  e.TakeMessages();
  e.Step(Looking(1, 1, 0x100000002, 5, 1));
  EXPECT_EQ(e.logical_clock(), 5);
  EXPECT_EQ(e.current_vote().leader, 3);
  auto out = e.TakeMessages();
  ASSERT_EQ(Recipients(out), (std::set<int64_t>{1, 2}));
  EXPECT_EQ(out[0].n.election_epoch, 5);

  // Its vote is better: adopt it.
  Election f(Config(1, Voters({1, 2, 3})));
  f.Start(0x100000002, 1);
  f.TakeMessages();
  f.Step(Looking(3, 3, 0x100000008, 4, 1));
  EXPECT_EQ(f.logical_clock(), 4);
  EXPECT_EQ(f.current_vote().leader, 3);
}

TEST(Election, HigherRoundForgetsVotesOfTheOldRound) {
  Election e(Config(3, Voters({1, 2, 3, 4, 5})));
  e.Start(8, 1);
  e.Step(Looking(1, 3, 8, 1, 1));  // 1 and 3 agree in round 1: 2 of 5
  e.Step(Looking(2, 2, 1, 2, 1));  // round 2: the round-1 vote of 1 no longer counts
  e.Step(Looking(4, 3, 8, 2, 1));  // 3 and 4 in round 2
  for (int i = 0; i < 5; ++i) e.Tick();
  EXPECT_FALSE(e.decision());
  e.Step(Looking(1, 3, 8, 2, 1));  // now 1, 3, 4 in round 2
  for (int i = 0; i < 2; ++i) e.Tick();
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kLeading);
  EXPECT_EQ(e.decision()->election_epoch, 2);
}

TEST(Election, OlderRoundIsIgnoredButAnswered) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Start(0, 0);  // round 2
  e.TakeMessages();
  e.Step(Looking(3, 3, 0, 1, 0));  // better vote, older round
  auto out = e.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 3);
  EXPECT_EQ(out[0].n, (Notification{1, PeerState::kLooking, 1, 0, 2, 0}));
  EXPECT_EQ(e.current_vote().leader, 1);  // not adopted
}

TEST(Election, QuorumThenFinalizeWaitThenDecide) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(1, 3, 0, 1, 0));
  EXPECT_TRUE(e.finalizing());
  EXPECT_FALSE(e.decision());
  e.Tick();
  EXPECT_FALSE(e.decision());
  e.Tick();
  ASSERT_TRUE(e.decision());
  const Decision& d = *e.decision();
  EXPECT_EQ(d.state, PeerState::kLeading);
  EXPECT_EQ(d.leader, 3);
  EXPECT_EQ(d.election_epoch, 1);
  EXPECT_EQ(d.by, DecidedBy::kLookingQuorum);
  EXPECT_EQ(d.supporters.size(), 2u);

  Election f(Config(1, Voters({1, 2, 3})));
  f.Start(0, 0);
  f.Step(Looking(3, 3, 0, 1, 0));
  f.Tick();
  f.Tick();
  ASSERT_TRUE(f.decision());
  EXPECT_EQ(f.decision()->state, PeerState::kFollowing);
  EXPECT_EQ(f.decision()->leader, 3);
}

TEST(Election, BetterVoteDuringFinalizeWaitReopensTheElection) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(2, 2, 0, 1, 0));  // adopt 2; 1 and 2 agree: quorum
  ASSERT_TRUE(e.finalizing());
  e.Tick();
  e.Step(Looking(3, 3, 0, 1, 0));  // better: adopt 3; 1 and 3 agree: a fresh finalize wait
  EXPECT_EQ(e.current_vote().leader, 3);
  e.Tick();
  EXPECT_FALSE(e.decision());
  e.Tick();
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->leader, 3);
}

TEST(Election, WorseVoteDuringFinalizeWaitIsDropped) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(2, 3, 0, 1, 0));
  ASSERT_TRUE(e.finalizing());
  e.Step(Looking(1, 1, 0, 7, 0));  // a newer round, but a worse vote: consumed
  EXPECT_EQ(e.logical_clock(), 1);
  e.Tick();
  e.Tick();
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kLeading);
}

TEST(Election, SingleVoterLeadsAtOnce) {
  // Its own vote is every vote there is: nothing better can come, so no finalize wait.
  Election e(Config(1, Voters({1}, {2})));
  e.Start(0, 0);
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kLeading);
  EXPECT_EQ(e.decision()->by, DecidedBy::kLookingAll);
  EXPECT_EQ(e.decision()->ticks_taken, 0);
}

TEST(Election, VotesForNonVotersAndFromStrangersAreNotCounted) {
  Election e(Config(1, Voters({1, 2, 3}, {4})));
  e.Start(0, 0);
  e.TakeMessages();
  e.Step(Looking(2, 4, 100, 1, 100));  // proposes the observer
  e.Step(Looking(9, 9, 100, 1, 100));  // not a member
  e.Step(Looking(1, 1, 100, 9, 100));  // claims to be us
  EXPECT_EQ(e.current_vote().leader, 1);
  EXPECT_EQ(e.logical_clock(), 1);
  // The stranger (a server about to join by reconfig; the transport lets one in only with
  // reconfigEnabled) is answered with our vote, as a non-voter would be; nobody else is.
  auto out = e.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 9);
  EXPECT_EQ(out[0].n.leader, 1);
}

// ---- FOLLOWING / LEADING notifications ----

TEST(Election, JoinerFollowsTheRunningEnsembleInAnotherRound) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0x500000009, 5);  // a better vote than the running leader's
  e.Step(Out(1, PeerState::kFollowing, 2, 0x100000000, 4, 1));
  EXPECT_FALSE(e.decision());  // a quorum, but no word from the leader itself
  e.Step(Out(2, PeerState::kLeading, 2, 0x100000000, 4, 1));
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kFollowing);
  EXPECT_EQ(e.decision()->leader, 2);
  EXPECT_EQ(e.decision()->by, DecidedBy::kOutOfElection);
  EXPECT_EQ(e.logical_clock(), 4);  // the ensemble's round is adopted
}

TEST(Election, FollowingNotificationsOfOurRoundCountInTheRound) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Out(2, PeerState::kLeading, 2, 0, 1, 0));
  e.Step(Out(1, PeerState::kFollowing, 2, 0, 1, 0));
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->by, DecidedBy::kRoundFollow);
  EXPECT_EQ(e.decision()->leader, 2);
}

TEST(Election, QuorumFollowingADeadLeaderIsNotJoined) {
  Election e(Config(5, Voters({1, 2, 3, 4, 5})));
  e.Start(0, 0);
  e.Step(Out(1, PeerState::kFollowing, 3, 0, 1, 0));
  e.Step(Out(2, PeerState::kFollowing, 3, 0, 1, 0));
  e.Step(Out(4, PeerState::kFollowing, 3, 0, 1, 0));
  EXPECT_FALSE(e.decision());  // checkLeader: 3 never said LEADING
}

TEST(Election, EveryoneSaysILeadCountsOnlyInMyRound) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0, 0);  // round 1
  e.Step(Out(1, PeerState::kFollowing, 3, 0, 2, 0));
  e.Step(Out(2, PeerState::kFollowing, 3, 0, 2, 0));
  EXPECT_FALSE(e.decision());
  Election f(Config(3, Voters({1, 2, 3})));
  f.Start(0, 0);
  f.Start(0, 0);  // round 2
  f.Step(Out(1, PeerState::kFollowing, 3, 0, 2, 0));
  f.Step(Out(2, PeerState::kFollowing, 3, 0, 2, 0));
  ASSERT_TRUE(f.decision());
  EXPECT_EQ(f.decision()->state, PeerState::kLeading);
}

TEST(Election, ObservingNotificationsAreIgnored) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Out(2, PeerState::kObserving, 3, 0, 1, 0));
  e.Step(Out(3, PeerState::kObserving, 3, 0, 1, 0));
  EXPECT_FALSE(e.decision());
}

// ---- replies ----

TEST(Election, DecidedServerAnswersLookingPeersWithItsDecision) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(2, 2, 0, 1, 0));
  e.Tick();
  e.Tick();
  ASSERT_EQ(e.state(), PeerState::kFollowing);
  e.TakeMessages();
  e.Step(Looking(3, 3, 0, 1, 0));  // a better vote, but we are out of election
  auto out = e.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 3);
  EXPECT_EQ(out[0].n, (Notification{1, PeerState::kFollowing, 2, 0, 1, 0}));
  EXPECT_EQ(e.decision()->leader, 2);
  e.Step(Out(2, PeerState::kLeading, 2, 0, 1, 0));  // not LOOKING: no answer
  EXPECT_TRUE(e.TakeMessages().empty());
}

TEST(Election, ObserverGetsAnAnswerAndObserves) {
  Election voter(Config(1, Voters({1, 2}, {3})));
  voter.Start(0, 0);
  voter.TakeMessages();
  voter.Step(Looking(3, kNoVote, kNoVote, 1, kNoVote));
  auto out = voter.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 3);
  EXPECT_EQ(out[0].n.state, PeerState::kLooking);
  EXPECT_EQ(out[0].n.leader, 1);

  Election obs(Config(3, Voters({1, 2}, {3})));
  obs.Start(0x900000000, 9);
  obs.Step(Out(2, PeerState::kLeading, 2, 0, 1, 0));
  obs.Step(Out(1, PeerState::kFollowing, 2, 0, 1, 0));
  ASSERT_TRUE(obs.decision());
  EXPECT_EQ(obs.decision()->state, PeerState::kObserving);
  EXPECT_EQ(obs.decision()->leader, 2);
}

// A server its config leaves out (a joiner that adopted a newer config, a removed member) is a
// participant without a vote, ZooKeeper's non-voting follower: it proposes nobody, never leads,
// and once the voters tell it who leads it FOLLOWS (ZooKeeper's learningState() goes by learner
// type), where an observer observes.
TEST(Election, NonMemberProposesNobodyAndFollows) {
  Election joiner(Config(5, Voters({1, 2, 3})));
  joiner.Start(0x900000000, 9);
  EXPECT_EQ(joiner.current_vote().leader, kNoVote);
  joiner.Step(Looking(1, 5, 0x900000000, 1, 9));  // a vote for it is no vote
  joiner.Step(Looking(2, 5, 0x900000000, 1, 9));
  for (int i = 0; i < 10; ++i) joiner.Tick();
  EXPECT_FALSE(joiner.decision());
  joiner.Step(Out(2, PeerState::kLeading, 2, 0, 1, 0));
  joiner.Step(Out(1, PeerState::kFollowing, 2, 0, 1, 0));
  ASSERT_TRUE(joiner.decision());
  EXPECT_EQ(joiner.decision()->state, PeerState::kFollowing);
  EXPECT_EQ(joiner.decision()->leader, 2);
}

TEST(Election, ObserverNeverLeadsEvenWhenVotersAgreeOnIt) {
  Election obs(Config(3, Voters({1, 2}, {3})));
  obs.Start(0x900000000, 9);
  obs.Step(Looking(1, 3, 0x900000000, 1, 9));
  obs.Step(Looking(2, 3, 0x900000000, 1, 9));
  for (int i = 0; i < 10; ++i) obs.Tick();
  EXPECT_FALSE(obs.decision());
}

TEST(Election, UpdatePeerEpochChangesWhatJoinersAreTold) {
  Election e(Config(1, Voters({1})));
  e.Start(0, 0);
  e.Tick();
  e.Tick();
  ASSERT_EQ(e.state(), PeerState::kLeading);
  e.UpdatePeerEpoch(1);
  EXPECT_EQ(e.current_vote().peer_epoch, 1);
}

// ---- decided by a reconfig (designated leader) ----

TEST(DecideByReconfig, NoRound_AnswersLookingPeersWithTheDecision) {
  Election e(Config(2, Voters({1, 2})));
  e.Start(0x100000005, 1);
  e.TakeMessages();
  const int64_t clock = e.logical_clock();
  e.DecideByReconfig(1, 0x100000007, 1);
  ASSERT_TRUE(e.decision().has_value());
  EXPECT_EQ(e.decision()->state, PeerState::kFollowing);
  EXPECT_EQ(e.decision()->leader, 1);
  EXPECT_EQ(e.decision()->by, DecidedBy::kReconfig);
  EXPECT_EQ(e.logical_clock(), clock);  // no new round
  EXPECT_TRUE(e.TakeMessages().empty());  // nobody is asked
  std::vector<ElectionFact> facts;
  e.TakeFacts(&facts);
  ASSERT_FALSE(facts.empty());
  EXPECT_EQ(facts.back().kind, ElectionFact::Kind::kDecision);
  EXPECT_STREQ(DecidedByName(facts.back().decision.by), "reconfig");
  // A LOOKING voter (one that missed the COMMITANDACTIVATE) hears what was decided.
  e.Step(Looking(1, 1, 0x100000005, 9, 1));
  auto out = e.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].n.state, PeerState::kFollowing);
  EXPECT_EQ(out[0].n.leader, 1);
}

TEST(DecideByReconfig, TheDesignatedLeaderLeads_ANonVoterObserves) {
  Election lead(Config(1, Voters({1, 2})));
  lead.DecideByReconfig(1, 7, 1);
  EXPECT_EQ(lead.state(), PeerState::kLeading);
  Election old(Config(3, Voters({1, 2}, {3})));
  old.DecideByReconfig(1, 7, 1);
  EXPECT_EQ(old.state(), PeerState::kObserving);
}

}  // namespace
}  // namespace zk
