// Who answers whom in the election (core/election_answers.cc), observers included: the answers
// a member back in an old config depends on (sim seed 40316).
#include <gtest/gtest.h>

#include <vector>

#include "core/election.h"

namespace zk {
namespace {

ElectionConfig Config(int64_t me, std::set<int64_t> voters, std::set<int64_t> observers) {
  ElectionConfig c;
  c.my_id = me;
  c.membership = Membership(std::move(voters), std::move(observers));
  return c;
}

Notification Looking(int64_t sid, int64_t leader, int64_t zxid, int64_t round, int64_t epoch) {
  return Notification{sid, PeerState::kLooking, leader, zxid, round, epoch};
}

// Observer 3 of the config voters {1, 4, 5}, observers {2, 3}, observing leader 5.
Election DecidedObserver() {
  Election obs(Config(3, {1, 4, 5}, {2, 3}));
  obs.Start(0, 0);
  obs.Step(Notification{5, PeerState::kLeading, 5, 0x100000002, 4, 1});
  obs.Step(Notification{4, PeerState::kFollowing, 5, 0x100000002, 4, 1});
  EXPECT_EQ(obs.state(), PeerState::kObserving);
  obs.TakeMessages();
  return obs;
}

TEST(ElectionAnswers, DecidedObserverAnswersALookingNonVoterWithTheLeaderItObserves) {
  // 2 observes now, but its config file still makes it (and us) a voter: it asks us.
  Election obs = DecidedObserver();
  obs.Step(Looking(2, 2, 0x100000001, 1, 1));
  std::vector<OutgoingNotification> out = obs.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 2);
  EXPECT_EQ(out[0].n.state, PeerState::kObserving);
  EXPECT_EQ(out[0].n.leader, 5);
  EXPECT_EQ(out[0].n.peer_epoch, 1);
  EXPECT_FALSE(obs.decision()->supporters.count(2));  // asking never counts
}

TEST(ElectionAnswers, DecidedObserverAnswersALookingVoterWithTheLeaderItObserves) {
  Election obs = DecidedObserver();
  obs.Step(Looking(1, 1, 0x100000001, 1, 1));
  std::vector<OutgoingNotification> out = obs.TakeMessages();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 1);
  EXPECT_EQ(out[0].n, (Notification{3, PeerState::kObserving, 5, 0x100000002, 4, 1}));
}

TEST(ElectionAnswers, DecidedObserverDoesNotAnswerServersOutOfElection) {
  Election obs = DecidedObserver();
  obs.Step(Notification{1, PeerState::kFollowing, 5, 0x100000002, 4, 1});
  obs.Step(Notification{2, PeerState::kObserving, 5, 0x100000002, 4, 1});
  EXPECT_TRUE(obs.TakeMessages().empty());
}

TEST(ElectionAnswers, LookingObserverHasNothingToTell) {
  Election obs(Config(3, {1, 4, 5}, {2, 3}));
  obs.Start(0, 0);
  obs.TakeMessages();
  obs.Step(Looking(2, 2, 0x100000001, 1, 1));  // a non-voter
  obs.Step(Looking(1, 1, 0, 0, 0));            // a voter of an older round (a voter answers)
  EXPECT_TRUE(obs.TakeMessages().empty());
}

TEST(ElectionAnswers, LookingVoterDoesNotAnswerAnObserversAnswer) {
  // The member of the old config (voters 1 2 3) hears 3 observing: nothing to send back, so an
  // observer and it never answer each other in a loop; the answer's config is the Replica's.
  // Its round (5) is past the answer's (4), as a voter's answer of an older round would be.
  Election stale(Config(1, {1, 2, 3}, {}));
  for (int round = 1; round <= 5; ++round) stale.Start(0x100000001, 1);
  stale.TakeMessages();
  stale.Step(Notification{3, PeerState::kObserving, 5, 0x100000002, 4, 1});
  EXPECT_TRUE(stale.TakeMessages().empty());
  EXPECT_FALSE(stale.decision());
}

}  // namespace
}  // namespace zk
