// Election's early finalize: no finalize wait once every voter that can still vote agrees
// (Election::PeerLost, DecidedBy::kLookingAll).
#include <gtest/gtest.h>

#include "core/election.h"

namespace zk {
namespace {

Membership Voters(std::set<int64_t> v, std::set<int64_t> o = {}) { return Membership(v, o); }

ElectionConfig Config(int64_t me, Membership m) {
  ElectionConfig c;
  c.my_id = me;
  c.membership = std::move(m);
  c.finalize_wait_ticks = 2;
  return c;
}

Notification Looking(int64_t sid, int64_t leader, int64_t zxid, int64_t round, int64_t epoch) {
  return Notification{sid, PeerState::kLooking, leader, zxid, round, epoch};
}

TEST(Election, EveryVoterAgreeingDecidesWithoutFinalizeWait) {
  Election e(Config(3, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(1, 3, 0, 1, 0));
  EXPECT_TRUE(e.finalizing());     // a quorum, but 2 may still send a better vote
  e.Step(Looking(2, 3, 0, 1, 0));  // it agrees: every vote is in
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->by, DecidedBy::kLookingAll);
  EXPECT_EQ(e.decision()->supporters.size(), 3u);
  EXPECT_EQ(e.decision()->ticks_taken, 0);
}

TEST(Election, LostVoterIsNotWaitedFor_KillLeaderFailover) {
  // The old leader 3 died: its connection closed before the new round began.
  Election e(Config(2, Voters({1, 2, 3})));
  e.PeerLost(3);
  e.Start(0x100000005, 1);
  EXPECT_FALSE(e.decision());
  e.Step(Looking(1, 2, 0x100000005, 1, 1));  // 1 and 2 agree, 3 cannot vote: decided
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kLeading);
  EXPECT_EQ(e.decision()->by, DecidedBy::kLookingAll);
  EXPECT_EQ(e.decision()->ticks_taken, 0);
  EXPECT_EQ(e.lost_peers(), (std::set<int64_t>{3}));
}

TEST(Election, LossDuringFinalizeWaitEndsIt) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.Start(0, 0);
  e.Step(Looking(2, 2, 0, 1, 0));  // adopt 2; 1 and 2: quorum, waiting for 3
  ASSERT_TRUE(e.finalizing());
  e.PeerLost(3);
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->state, PeerState::kFollowing);
  EXPECT_EQ(e.decision()->leader, 2);
  EXPECT_EQ(e.decision()->by, DecidedBy::kLookingAll);
}

TEST(Election, LostVoterThatSpeaksAgainIsWaitedForAndItsBetterVoteWins) {
  Election e(Config(1, Voters({1, 2, 3})));
  e.PeerLost(3);
  e.Start(0, 0);
  e.Step(Looking(3, 3, 0, 1, 0));  // 3 is back, with the best vote: adopted
  EXPECT_TRUE(e.lost_peers().empty());
  EXPECT_EQ(e.current_vote().leader, 3);
  EXPECT_TRUE(e.finalizing());  // 1 and 3 agree; 2 may still send a better vote
  e.Step(Looking(2, 3, 0, 1, 0));
  ASSERT_TRUE(e.decision());
  EXPECT_EQ(e.decision()->leader, 3);
  EXPECT_EQ(e.decision()->by, DecidedBy::kLookingAll);
}

TEST(Election, NonVotersAndSelfAreNeverLost) {
  Election e(Config(1, Voters({1, 2, 3}, {4})));
  e.PeerLost(1);
  e.PeerLost(4);
  e.PeerLost(9);
  EXPECT_TRUE(e.lost_peers().empty());
}

}  // namespace
}  // namespace zk
