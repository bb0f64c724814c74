// What the pure Election records for the supervisor's vote timeline (ElectionFact): every
// notification it receives, every change of its own vote with the reason, its decision with the
// supporters — bounded, drained by its owner.
#include <gtest/gtest.h>

#include <vector>

#include "core/election.h"

namespace zk {
namespace {

using Kind = ElectionFact::Kind;

ElectionConfig Config(int64_t me, std::set<int64_t> voters, std::set<int64_t> observers = {}) {
  ElectionConfig c;
  c.my_id = me;
  c.membership = Membership(std::move(voters), std::move(observers));
  c.finalize_wait_ticks = 2;
  c.min_notification_ticks = 2;
  c.max_notification_ticks = 8;
  return c;
}

Notification Looking(int64_t sid, int64_t leader, int64_t zxid, int64_t round, int64_t epoch) {
  return Notification{sid, PeerState::kLooking, leader, zxid, round, epoch};
}

std::vector<ElectionFact> Facts(Election& e, int64_t* dropped = nullptr) {
  std::vector<ElectionFact> out;
  int64_t n = e.TakeFacts(&out);
  if (dropped) *dropped = n;
  return out;
}

TEST(ElectionFacts, StartRecordsTheSelfProposalAsAVote) {
  Election e(Config(2, {1, 2, 3}));
  e.Start(0x100000008, 1);
  auto facts = Facts(e);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].kind, Kind::kVote);
  EXPECT_EQ(facts[0].why, VoteChange::kStart);
  EXPECT_EQ(facts[0].vote.leader, 2);
  EXPECT_EQ(facts[0].vote.zxid, 0x100000008);
  EXPECT_EQ(facts[0].vote.peer_epoch, 1);
  EXPECT_EQ(facts[0].vote.election_epoch, 1);
  EXPECT_TRUE(Facts(e).empty());  // drained
}

TEST(ElectionFacts, ABetterVoteOfTheRoundIsRecordedWithTheNotificationThatBroughtIt) {
  Election e(Config(1, {1, 2, 3}));
  e.Start(0x100000008, 1);
  Facts(e);
  Notification n = Looking(3, 3, 0x100000008, 1, 1);
  e.Step(n);
  auto facts = Facts(e);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].kind, Kind::kNotification);
  EXPECT_EQ(facts[0].notification, n);
  EXPECT_EQ(facts[0].my_state, PeerState::kLooking);
  EXPECT_EQ(facts[1].kind, Kind::kVote);
  EXPECT_EQ(facts[1].why, VoteChange::kBetterVote);
  EXPECT_EQ(facts[1].notification.sid, 3);
  EXPECT_EQ(facts[1].vote.leader, 3);
  EXPECT_EQ(facts[1].vote.election_epoch, 1);
}

TEST(ElectionFacts, AWorseVoteIsOnlyANotification) {
  Election e(Config(3, {1, 2, 3}));
  e.Start(0x100000008, 1);
  Facts(e);
  e.Step(Looking(1, 1, 0x100000007, 1, 1));
  auto facts = Facts(e);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].kind, Kind::kNotification);
}

TEST(ElectionFacts, ANewerRoundIsJoinedWithTheBetterOfItsVoteAndOurOwn) {
  Election e(Config(3, {1, 2, 3}));
  e.Start(0x100000008, 1);
  Facts(e);
  e.Step(Looking(1, 1, 0x100000007, 4, 1));  // round 4, but a worse vote: we keep ours
  auto facts = Facts(e);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[1].kind, Kind::kVote);
  EXPECT_EQ(facts[1].why, VoteChange::kNewRound);
  EXPECT_EQ(facts[1].notification.sid, 1);
  EXPECT_EQ(facts[1].vote.leader, 3);
  EXPECT_EQ(facts[1].vote.election_epoch, 4);
}

TEST(ElectionFacts, TheDecisionCarriesItsSupportersAndTheNumberOfVoters) {
  Election e(Config(3, {1, 2, 3, 4, 5}));
  e.Start(0x100000008, 1);
  e.Step(Looking(1, 3, 0x100000008, 1, 1));
  e.Step(Looking(2, 3, 0x100000008, 1, 1));
  for (int i = 0; i < 2 && !e.decision(); ++i) e.Tick();
  ASSERT_TRUE(e.decision());
  auto facts = Facts(e);
  ASSERT_FALSE(facts.empty());
  const ElectionFact& d = facts.back();
  EXPECT_EQ(d.kind, Kind::kDecision);
  EXPECT_EQ(d.decision, *e.decision());
  EXPECT_EQ(d.decision.state, PeerState::kLeading);
  EXPECT_EQ(d.decision.by, DecidedBy::kLookingQuorum);
  std::set<int64_t> supporters;
  for (const auto& [sid, state] : d.decision.supporters) supporters.insert(sid);
  EXPECT_EQ(supporters, (std::set<int64_t>{1, 2, 3}));
  EXPECT_EQ(d.voters, 5u);
}

TEST(ElectionFacts, NotificationsAreRecordedWhileNotLookingToo) {
  Election f(Config(2, {1, 2, 3}));
  f.Start(0, 0);
  f.Step(Looking(2, 2, 0, 1, 0));  // our own sid: not a peer, not recorded
  f.Step(Looking(1, 2, 0, 1, 0));
  f.Tick();
  f.Tick();
  ASSERT_EQ(f.state(), PeerState::kLeading);
  EXPECT_EQ(Facts(f).size(), 3u);  // our vote, node1's notification, the decision
  f.Step(Looking(3, 3, 0, 1, 0));
  auto facts = Facts(f);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].kind, Kind::kNotification);
  EXPECT_EQ(facts[0].notification.sid, 3);
  EXPECT_EQ(facts[0].my_state, PeerState::kLeading);
}

TEST(ElectionFacts, AnObserverHasNoVoteToRecord) {
  Election e(Config(4, {1, 2, 3}, {4}));
  e.Start(0, 0);
  EXPECT_TRUE(Facts(e).empty());
  e.Step(Looking(3, 3, 0, 1, 0));
  auto facts = Facts(e);
  ASSERT_EQ(facts.size(), 1u);  // the notification; adopting the vote is no vote of its own
  EXPECT_EQ(facts[0].kind, Kind::kNotification);
}

TEST(ElectionFacts, PastTheLimitTheOldestGoAndAreCounted) {
  ElectionConfig c = Config(2, {1, 2, 3});
  c.facts_max = 3;
  Election e(c);
  e.Start(0, 0);                                               // 1 fact
  for (int i = 0; i < 4; ++i) e.Step(Looking(1, 1, 0, 1, 0));  // 4 more, worse than ours
  int64_t dropped = 0;
  auto facts = Facts(e, &dropped);
  EXPECT_EQ(facts.size(), 3u);
  EXPECT_EQ(dropped, 2);
  for (const auto& f : facts) EXPECT_EQ(f.kind, Kind::kNotification);  // the vote went first
  Facts(e, &dropped);
  EXPECT_EQ(dropped, 0);  // counted once
}

}  // namespace
}  // namespace zk
