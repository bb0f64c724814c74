// The storage rule of a Replica (replica.h, core/replica_storage.cc): a member that could not
// record an epoch or a snapshot leaves its role, neither votes nor acks, and comes back only
// through a normal election once the shell says a write succeeds.
#include <gtest/gtest.h>

#include "core/replica.h"
#include "replica_cluster.h"

namespace zk {
namespace {

using test::Cluster;

TEST(ReplicaStorage, LeaderThatCannotRecordStepsDown_OthersGoOnInANewEpoch_ItRejoinsAfter) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  c.r(3).StorageFailed(c.r(3).durable());
  c.Pump();
  EXPECT_TRUE(c.r(3).storage_failed());
  EXPECT_EQ(c.r(3).state(), PeerState::kLooking);
  EXPECT_FALSE(c.r(3).serving());
  c.Ticks(100);
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.r(2).epoch(), 2);
  EXPECT_EQ(c.r(3).state(), PeerState::kLooking) << "out of the quorum: it must not follow";
  EXPECT_EQ(c.r(3).epoch(), 1);

  c.r(3).StorageRecovered();
  c.Ticks(100);
  EXPECT_FALSE(c.r(3).storage_failed());
  EXPECT_EQ(c.r(3).state(), PeerState::kFollowing);
  EXPECT_TRUE(c.r(3).serving());
  EXPECT_EQ(c.r(3).epoch(), 2);
}

TEST(ReplicaStorage, AMemberOutOfTheQuorumDoesNotVote_NoLeaderUntilItRecovers) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  c.r(1).StorageFailed(c.r(1).durable());
  c.Crash(3);
  c.Ticks(200);
  EXPECT_EQ(c.Leader(), 0) << "node2 alone is no quorum: node1's vote must not count";
  EXPECT_EQ(c.r(1).state(), PeerState::kLooking);

  c.r(1).StorageRecovered();
  c.Ticks(100);
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.r(1).state(), PeerState::kFollowing);
}

TEST(ReplicaStorage, EpochsThatDidNotReachTheDiskAreForgotten) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.r(1).durable().current_epoch, 1);
  // As if the shell had failed to write epoch 1: the member falls back to what is on disk.
  c.r(1).StorageFailed(DurableState{0, 0});
  EXPECT_EQ(c.r(1).durable().accepted_epoch, 0);
  EXPECT_EQ(c.r(1).durable().current_epoch, 0);
}

}  // namespace
}  // namespace zk
