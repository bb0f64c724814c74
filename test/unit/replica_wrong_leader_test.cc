// A learner that decided for a member which does not lead (its quorum moved on after it decided,
// or a restarted voter's better vote came late) is told at once by that member closing the
// quorum connection, instead of waiting out initLimit; it then finds the real leader.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/zab_packet.h"
#include "replica_cluster.h"

namespace zk {
namespace {

TEST(ReplicaWrongLeader, FollowerGettingFollowerInfoClosesTheConnection) {
  test::Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  c.r(2).TakeReady();
  // 1 believes 2 leads: its FOLLOWERINFO reaches 2, a follower. The first one may come from a
  // hand-over naming 2 that 2 has not acted on yet: it is dropped; the ones resent after
  // kMisdirectedInfoTicks (4) close the connection.
  const ZabPacket info{ZabType::kFollowerInfo, MakeZxid(1, 0), EncodeLong(1)};
  c.r(2).StepZab(1, info);
  EXPECT_TRUE(c.r(2).TakeReady().quorum_disconnects.empty());
  c.Ticks(2);
  c.r(2).TakeReady();
  c.r(2).StepZab(1, info);
  EXPECT_TRUE(c.r(2).TakeReady().quorum_disconnects.empty());
  c.Ticks(2);
  c.r(2).TakeReady();
  c.r(2).StepZab(1, info);
  Ready ready = c.r(2).TakeReady();
  EXPECT_NE(std::find(ready.quorum_disconnects.begin(), ready.quorum_disconnects.end(), 1),
            ready.quorum_disconnects.end());
  EXPECT_EQ(c.r(2).state(), PeerState::kFollowing);  // 2 itself carries on under 3
  EXPECT_TRUE(c.r(2).serving());
}

TEST(ReplicaWrongLeader, LookingMemberStaysSilent_ItMayYetLead) {
  test::Cluster c(3);
  c.Start(2);  // alone: LOOKING, no quorum
  c.Ticks(5);
  c.r(2).TakeReady();
  c.r(2).StepZab(1, ZabPacket{ZabType::kFollowerInfo, MakeZxid(0, 0), EncodeLong(1)});
  EXPECT_TRUE(c.r(2).TakeReady().quorum_disconnects.empty());
}

TEST(ReplicaWrongLeader, RestartedVotersLateVote_TheEarlyDeciderEndsUpUnderTheLeader) {
  // 1 is cut off (2 and 3 crashed: both known lost), then 2 and 3 restart together. 1 hears
  // 2 first, and with 3 still counted lost decides for 2 at once; 2 and 3 elect 3.
  test::Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  c.Crash(2);
  c.Crash(3);
  c.Ticks(5);
  c.Start(2);
  c.Start(3);
  c.Ticks(10);  // far less than initLimit (10 tickTimes of 10 ticks)
  EXPECT_EQ(c.Leader(), 3);
  EXPECT_EQ(c.r(1).state(), PeerState::kFollowing);
  EXPECT_EQ(c.r(1).leader(), 3);
  EXPECT_TRUE(c.r(1).serving());
}

}  // namespace
}  // namespace zk
