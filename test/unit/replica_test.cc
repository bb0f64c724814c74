// Replicas wired together in one process with instant, lossless delivery: the basic Zab paths.
// (The randomized fault-injecting runs live in the simulator.)
#include "core/replica.h"

#include <gtest/gtest.h>

#include <memory>

#include "replica_cluster.h"
#include "storage/snapshot_codec.h"
#include "tree/acl.h"

namespace zk {
namespace {

using test::Cluster;

TEST(Replica, ThreeServersElectTheHighestSidAndServe) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  EXPECT_EQ(c.Leader(), 3);
  EXPECT_TRUE(c.r(1).serving());
  EXPECT_TRUE(c.r(2).serving());
  EXPECT_EQ(c.r(1).epoch(), 1);
  EXPECT_EQ(c.r(3).epoch(), 1);
}

TEST(Replica, LastProcessedZxid_AsZooKeepersSrvr_LeaderAtItsEpochLearnersAtTheirSync) {
  Cluster c(3);
  c.Start(1);
  c.Start(2);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 2);
  // ZooKeeper's leader shows epoch << 32 once it has its quorum; node1 synced before that.
  EXPECT_EQ(c.r(2).last_processed_zxid(), MakeZxid(1, 0));
  EXPECT_EQ(c.r(1).last_processed_zxid(), 0);
  c.Start(3);  // joins the serving leader: synced after, it shows the epoch too
  c.Ticks(20);
  EXPECT_EQ(c.r(3).state(), PeerState::kFollowing);
  EXPECT_EQ(c.r(3).last_processed_zxid(), MakeZxid(1, 0));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(c.r(i).last_logged_zxid(), 0) << i;  // votes unchanged
  int64_t sid = c.OpenSession(1);
  ASSERT_EQ(c.Create(1, sid, "/x", 1).err, Err::kOk);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(c.r(i).last_processed_zxid(), MakeZxid(1, 2)) << i;
    EXPECT_EQ(c.r(i).last_processed_zxid(), c.r(i).core().last_zxid()) << i;
  }
}

TEST(Replica, WritesThroughAFollowerReachEveryMember) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  int64_t sid = c.OpenSession(1);
  Output r = c.Create(1, sid, "/x", 1);
  EXPECT_EQ(r.err, Err::kOk);
  for (int i = 1; i <= 3; ++i) EXPECT_NE(c.r(i).core().tree().Find("/x"), nullptr) << i;
}

TEST(Replica, KillLeader_NewLeaderInHigherEpochKeepsCommittedWrites) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  int64_t sid = c.OpenSession(1);
  ASSERT_EQ(c.Create(1, sid, "/before", 1).err, Err::kOk);
  c.Crash(3);
  c.Ticks(30);
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.r(2).epoch(), 2);
  EXPECT_NE(c.r(2).core().tree().Find("/before"), nullptr);
  int64_t sid2 = c.OpenSession(1);
  EXPECT_EQ(c.Create(1, sid2, "/after", 1).err, Err::kOk);
  EXPECT_NE(c.r(2).core().tree().Find("/after"), nullptr);
}

TEST(Replica, OldLeaderRestartsAndFollowsWithTheNewState) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  int64_t sid = c.OpenSession(1);
  ASSERT_EQ(c.Create(1, sid, "/a", 1).err, Err::kOk);
  c.Crash(3);
  c.Ticks(30);
  ASSERT_EQ(c.Leader(), 2);
  int64_t sid2 = c.OpenSession(1);
  ASSERT_EQ(c.Create(1, sid2, "/b", 1).err, Err::kOk);
  c.Start(3);  // its memory still holds /a only: it must catch up, not lead
  c.Ticks(30);
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.r(3).state(), PeerState::kFollowing);
  EXPECT_TRUE(c.r(3).serving());
  EXPECT_NE(c.r(3).core().tree().Find("/b"), nullptr);
}

TEST(Replica, BothFollowersDie_LeaderStopsServing_OneReturns_ServiceResumes) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  c.Crash(1);
  c.Crash(2);
  c.Ticks(5);
  EXPECT_FALSE(c.r(3).serving());
  c.Start(1);
  c.Ticks(40);
  EXPECT_NE(c.Leader(), 0);
}

TEST(Replica, ObserverFollowsButNeverLeadsOrVotes) {
  Cluster c(2, 1);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  EXPECT_EQ(c.Leader(), 2);
  EXPECT_EQ(c.r(3).state(), PeerState::kObserving);
  EXPECT_TRUE(c.r(3).serving());
  int64_t sid = c.OpenSession(3);
  EXPECT_EQ(c.Create(3, sid, "/o", 1).err, Err::kOk);
  EXPECT_NE(c.r(1).core().tree().Find("/o"), nullptr);
  c.Crash(1);
  c.Ticks(40);
  EXPECT_EQ(c.Leader(), 0);
}

}  // namespace
}  // namespace zk

namespace zk {
namespace {

using test::Cluster;

// A follower that stalls past syncLimit (SIGSTOP, a long fsync) is dropped by the leader. The
// leader closes its connections, so the follower learns it the moment it runs again, instead of
// serving and forwarding writes, which the leader ignores, until its own syncLimit runs out.
TEST(Replica, StalledFollowerDroppedByTheLeader_RejoinsAtOnceAndItsWritesWork) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  int64_t session = c.OpenSession(1);
  c.Pause(1);
  c.Ticks(5 * 10 + 5);  // syncLimit (5) x ticks per tickTime (10), and a few
  EXPECT_EQ(c.r(3).learner_count(), 1u);
  EXPECT_GE(c.disconnects(), 1);
  c.Resume(1);
  c.Ticks(3);  // far less than syncLimit: only the closed connection can have told it
  EXPECT_EQ(c.r(1).state(), PeerState::kFollowing);
  EXPECT_TRUE(c.r(1).serving());
  EXPECT_EQ(c.r(3).learner_count(), 2u);
  EXPECT_EQ(c.Create(1, session, "/after", 1).err, Err::kOk);
  for (int i = 1; i <= 3; ++i) EXPECT_NE(c.r(i).core().tree().Find("/after"), nullptr) << i;
}

// The followers of a stalled leader elect a new one and close their connections to the old
// one; when it runs again it steps down at once instead of serving stale reads as a second
// leader until its syncLimit runs out.
TEST(Replica, StalledLeaderReplaced_StepsDownAtOnceWhenItRunsAgain) {
  Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  c.Pause(3);
  c.Ticks(5 * 10 + 40);
  ASSERT_EQ(c.Leader(), 2);
  c.Resume(3);
  EXPECT_FALSE(c.r(3).state() == PeerState::kLeading && c.r(3).serving());
  EXPECT_EQ(c.Leader(), 2);  // also fails on two serving leaders
  c.Ticks(3);
  EXPECT_EQ(c.r(3).state(), PeerState::kFollowing);
  EXPECT_EQ(c.r(3).leader(), 2);
}

TEST(SnapshotCodec, RoundTripsTheCoreStateForSnap) {
  Core core(CoreConfig{}, 0x42);
  auto s = core.OpenSession(30000, "127.0.0.1", 1);
  JuteWriter w;
  CreateRequest{"/snap", "v", OpenAclUnsafe(), 1, 0}.Write(w, false);
  core.Submit({s.session_id, 1, OpCode::kCreate, w.Take(), 0, {}}, 1);
  storage::SnapshotCodec codec;
  std::string bytes = codec.Encode(core);
  DataTree tree;
  std::map<int64_t, int32_t> sessions;
  ASSERT_TRUE(codec.Decode(bytes, &tree, &sessions));
  ASSERT_NE(tree.Find("/snap"), nullptr);
  EXPECT_EQ(tree.Find("/snap")->stat.ephemeral_owner, s.session_id);
  EXPECT_EQ(sessions.count(s.session_id), 1u);
  bytes[bytes.size() / 2] ^= 0x5a;
  DataTree bad;
  EXPECT_FALSE(codec.Decode(bytes, &bad, &sessions));
}

}  // namespace
}  // namespace zk
