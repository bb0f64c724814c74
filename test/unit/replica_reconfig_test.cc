// Reconfig in the pure replica (core/replica_reconfig.cc): activation at commit on every member,
// a removed leader stepping down, and the rule that a reconfig needs a quorum of its new voters.
#include <gtest/gtest.h>

#include "core/handover.h"
#include "core/quorum_config.h"
#include "core/reconfig.h"
#include "proto/zxid.h"
#include "replica_cluster.h"

namespace zk {
namespace {

// The config of `ids`, version 0; `observer` (if one of them) listed as an observer.
std::string ConfigText(std::initializer_list<int64_t> ids, int64_t observer = 0) {
  QuorumConfig c;
  for (int64_t id : ids) {
    ServerSpec s;
    s.id = id;
    s.observer = id == observer;
    s.host = "127.0.0.1";
    s.quorum_port = static_cast<int>(2880 + id);
    s.election_port = static_cast<int>(3880 + id);
    s.client_port = static_cast<int>(2180 + id);
    c.Put(s);
  }
  return c.Text();
}

std::string Spec(int64_t id) {
  return "server." + std::to_string(id) + "=127.0.0.1:" + std::to_string(2880 + id) + ":" +
         std::to_string(3880 + id) + ";" + std::to_string(2180 + id);
}

CoreConfig ReconfigCore(std::initializer_list<int64_t> ids) {
  CoreConfig cc;
  cc.reconfig_enabled = true;
  cc.skip_acl = true;
  cc.config_text = ConfigText(ids);
  return cc;
}

// Submits a reconfig on `id` and returns its reply, if one came.
std::optional<Output> Reconfig(test::Cluster& c, int64_t id, int64_t session,
                               const ReconfigRequest& r) {
  JuteWriter w;
  w.String(r.joining_servers);
  w.String(r.leaving_servers);
  w.String(r.new_members);
  w.Long(r.cur_config_id);
  c.r(id).Submit({session, 77, OpCode::kReconfig, w.Take(), 0, {}}, c.now_ms());
  c.Pump();
  for (auto& o : c.Take(id)) {
    if (o.kind == Output::Kind::kReply && o.xid == 77) return o;
  }
  return std::nullopt;
}

ReconfigRequest Leaving(const std::string& ids) {
  ReconfigRequest r;
  r.leaving_servers = ids;
  r.cur_config_id = -1;
  return r;
}

TEST(ReplicaReconfig, RemoveFollower_ActivatesOnEveryMember) {
  test::Cluster c(3, 0, 0, ReconfigCore({1, 2, 3}));
  for (int64_t id : {1, 2, 3}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_NE(leader, 0);
  const int64_t gone = leader == 3 ? 2 : 3;
  const int64_t session = c.OpenSession(leader);
  auto reply = Reconfig(c, leader, session, Leaving(std::to_string(gone)));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->err, Err::kOk);
  for (int64_t id : {1, 2, 3}) {
    EXPECT_EQ(c.r(id).config().membership.voters().count(gone), 0u) << "member " << id;
    EXPECT_EQ(c.r(id).config().membership.voters().size(), 2u) << "member " << id;
  }
  // The removed member stays on as a non-voting follower (ZooKeeper's updateLearnerType: a
  // server the view leaves out is a participant); the other two still commit writes.
  c.Ticks(50);
  EXPECT_FALSE(c.r(gone).config().membership.IsMember(gone));
  EXPECT_EQ(c.r(gone).state(), PeerState::kFollowing);
  EXPECT_EQ(c.r(gone).leader(), leader);
  EXPECT_TRUE(c.r(gone).serving());
  EXPECT_EQ(c.Create(c.Leader(), session, "/after", 5).err, Err::kOk);
  // Its ACKs and its vote count for no quorum: with the other voter gone, the leader and it
  // are not two of the two voters, so the leader steps down and nobody leads.
  const int64_t other = 6 - leader - gone;
  c.Crash(other);
  c.Ticks(300);
  EXPECT_FALSE(c.r(leader).serving());
  EXPECT_EQ(c.Leader(), 0);
}

// The first config has version 0; the first established leader gives it the zxid of its
// NEWLEADER as version (ZOOKEEPER-1783), on every member, with one /zookeeper/config node; a
// member restarted from its disk keeps it. Without reconfig the version stays 0, as ZooKeeper's.
TEST(ReplicaReconfig, FirstLeaderVersionsTheInitialConfig) {
  test::Cluster c(3, 0, 0, ReconfigCore({1, 2, 3}));
  for (int64_t id : {1, 2, 3}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_NE(leader, 0);
  const int64_t version = MakeZxid(c.r(leader).epoch(), 0);
  ASSERT_NE(version, 0);
  const Node* at_leader = c.r(leader).core().tree().Find(kConfigPath);
  ASSERT_NE(at_leader, nullptr);
  for (int64_t id : {1, 2, 3}) {
    EXPECT_EQ(c.r(id).active_config_version(), version) << "member " << id;
    const Node* n = c.r(id).core().tree().Find(kConfigPath);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->data, at_leader->data) << "member " << id;
    EXPECT_EQ(n->stat.mzxid, at_leader->stat.mzxid) << "member " << id;
    EXPECT_EQ(n->stat.mtime, at_leader->stat.mtime) << "member " << id;
  }
  EXPECT_NE(at_leader->data.find("version=" + HexVersion(version)), std::string::npos);
  // A second leader does not version it again.
  c.Crash(leader);
  c.Ticks(100);
  const int64_t next = c.Leader();
  ASSERT_NE(next, 0);
  ASSERT_NE(next, leader);
  EXPECT_EQ(c.r(next).active_config_version(), version);

  CoreConfig static_config = ReconfigCore({1, 2, 3});
  static_config.reconfig_enabled = false;
  test::Cluster s(3, 0, 0, static_config);
  for (int64_t id : {1, 2, 3}) s.Start(id);
  s.Ticks(50);
  ASSERT_NE(s.Leader(), 0);
  for (int64_t id : {1, 2, 3}) EXPECT_EQ(s.r(id).active_config_version(), 0) << "member " << id;
}

// A member down while a reconfig removed two voters comes back in its old config, in which the
// removed ones still count; they no longer answer as voters. The config the others' votes carry
// is newer than its own: it takes it (the shell rewrites its dynamic file) and follows, a voter
// of the new three. Without it, it would look for a leader forever (two answers of five).
TEST(ReplicaReconfig, MemberDownDuringReconfig_LearnsTheConfigFromVotes) {
  test::Cluster c(5, 0, 0, ReconfigCore({1, 2, 3, 4, 5}));
  for (int64_t id : {1, 2, 3, 4}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_TRUE(leader == 3 || leader == 4) << leader;
  const int64_t session = c.OpenSession(leader);
  auto reply = Reconfig(c, leader, session, Leaving("1,2"));
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->err, Err::kOk);
  c.Ticks(50);
  ASSERT_NE(c.Leader(), 0);
  const int64_t version = c.r(c.Leader()).active_config_version();
  EXPECT_EQ(c.r(5).active_config_version(), 0);  // never started: its file's config
  c.Start(5);
  c.Ticks(100);
  EXPECT_EQ(c.r(5).active_config_version(), version);
  EXPECT_EQ(c.r(5).state(), PeerState::kFollowing);
  EXPECT_TRUE(c.r(5).serving());
}

// Every state event `id` reported since the last call, as "LOOKING", "FOLLOWING 2", ...
std::vector<std::string> States(test::Cluster& c, int64_t id) {
  std::vector<std::string> out;
  for (const ReplicaEvent& e : c.TakeEvents(id)) {
    if (e.what != "state") continue;
    std::string s = PeerStateName(e.state);
    if (e.state != PeerState::kLooking && e.state != PeerState::kLeading) {
      s += " " + std::to_string(e.leader);
    }
    out.push_back(s);
  }
  return out;
}

TEST(ReplicaReconfig, RemoveLeader_HandsOverToTheDesignatedLeader_NoElection) {
  test::Cluster c(3, 0, 0, ReconfigCore({1, 2, 3}));
  for (int64_t id : {1, 2, 3}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_EQ(leader, 3);
  const int64_t epoch = c.r(leader).epoch();
  const int64_t session = c.OpenSession(leader);
  for (int64_t id : {1, 2, 3}) c.TakeEvents(id);
  auto reply = Reconfig(c, leader, session, Leaving("3"));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->err, Err::kOk);
  c.Ticks(200);
  // Both acked; the lowest id of the new voters is designated (ZooKeeper's HashSet order).
  EXPECT_EQ(c.Leader(), 1);
  EXPECT_GT(c.r(1).epoch(), epoch);  // a new epoch, through discovery and sync
  EXPECT_EQ(States(c, 1), (std::vector<std::string>{"LEADING"}));
  EXPECT_EQ(States(c, 2), (std::vector<std::string>{"FOLLOWING 1"}));
  // 3 left the voters: it follows 1 without a vote, as ZooKeeper's removed leader does.
  EXPECT_EQ(States(c, 3), (std::vector<std::string>{"FOLLOWING 1"}));
  for (int64_t id : {1, 2}) {
    bool by_reconfig = false;
    for (const ElectionFact& f : c.TakeFacts(id)) {
      if (f.kind == ElectionFact::Kind::kDecision) by_reconfig = f.decision.by == DecidedBy::kReconfig;
    }
    EXPECT_TRUE(by_reconfig) << "member " << id;
  }
  EXPECT_EQ(c.Create(1, c.OpenSession(1), "/after", 5).err, Err::kOk);
}

TEST(ReplicaReconfig, NewVotersMustAck_OldQuorumAloneDoesNotCommit) {
  // 1, 2, 3 vote; 4 and 5 sync as non-voting followers (their own config names them).
  test::Cluster c(3, 0, 0, ReconfigCore({1, 2, 3}));
  std::set<int64_t> five = {1, 2, 3, 4, 5};
  for (int64_t id : {4, 5}) c.Add(id, Membership(five, {}), ReconfigCore({1, 2, 3, 4, 5}));
  for (int64_t id : {1, 2, 3}) c.Start(id);
  c.Ticks(50);
  for (int64_t id : {4, 5}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_NE(leader, 0);
  const int64_t session = c.OpenSession(leader);
  // The leader saw 4 and 5 synced; then they stop hearing anything.
  c.Pause(4);
  c.Pause(5);
  ReconfigRequest r;
  r.new_members = Spec(leader) + "," + Spec(4) + "," + Spec(5);
  r.cur_config_id = -1;
  auto reply = Reconfig(c, leader, session, r);
  // The old voters all acked; of the new ones only the leader did: no commit, no activation.
  EXPECT_FALSE(reply.has_value());
  EXPECT_EQ(c.r(leader).config().membership.voters(), (std::set<int64_t>{1, 2, 3}));
}

// A joiner laid out as `pseudo-cluster add --observer` does it after an earlier reconfig: its
// file (version 0) names it an observer, the votes carry the newer config, which leaves it out.
// ZooKeeper's updateLearnerType makes a server the view leaves out a participant: it follows
// without a vote (not observes) until the reconfig that adds it as an observer; then its learner
// type changes and it rejoins as one.
TEST(ReplicaReconfig, ObserverJoinerAfterAReconfig_FollowsWithoutAVoteUntilAdded) {
  test::Cluster c(3, 0, 0, ReconfigCore({1, 2, 3}));
  c.Add(4, Membership({1, 2, 3, 4}, {}), ReconfigCore({1, 2, 3, 4}));
  for (int64_t id : {1, 2, 3}) c.Start(id);
  c.Ticks(50);
  const int64_t leader = c.Leader();
  ASSERT_NE(leader, 0);
  c.Start(4);
  c.Ticks(50);
  const int64_t session = c.OpenSession(leader);
  ReconfigRequest join4;
  join4.joining_servers = Spec(4);
  join4.cur_config_id = -1;
  auto reply = Reconfig(c, leader, session, join4);
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->err, Err::kOk);
  c.Ticks(50);
  ASSERT_EQ(c.Leader(), leader);
  CoreConfig five = ReconfigCore({});
  five.config_text = ConfigText({1, 2, 3, 4, 5}, 5);
  c.Add(5, Membership({1, 2, 3, 4}, {5}), five);
  c.Start(5);
  c.Ticks(50);
  EXPECT_EQ(c.r(5).active_config_version(), c.r(leader).active_config_version());
  EXPECT_FALSE(c.r(5).config().membership.IsMember(5));
  EXPECT_EQ(c.r(5).state(), PeerState::kFollowing);
  EXPECT_EQ(c.r(5).leader(), leader);
  EXPECT_TRUE(c.r(5).serving());
  ReconfigRequest join5;
  join5.joining_servers = "server.5=127.0.0.1:2885:3885:observer;2185";
  join5.cur_config_id = -1;
  reply = Reconfig(c, leader, session, join5);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->err, Err::kOk);
  c.Ticks(100);
  EXPECT_TRUE(c.r(5).config().membership.IsObserver(5));
  EXPECT_EQ(c.r(5).state(), PeerState::kObserving);
  EXPECT_TRUE(c.r(5).serving());
}

TEST(DesignatedLeader, ALeaderThatStaysAVoterKeepsLeading) {
  EXPECT_EQ(DesignatedLeader(3, Membership({2, 3}, {}), {2, 3}, {}), 3);
}

TEST(DesignatedLeader, RemovedLeader_TheNewVoterThatAckedMostOfWhatFollows) {
  const Membership next({1, 2, 4}, {});
  // All three acked the reconfig; then 2 and 4 acked the next proposal, only 4 the one after.
  EXPECT_EQ(DesignatedLeader(3, next, {1, 2, 3, 4}, {{2, 3, 4}, {3, 4}}), 4);
  // Nobody acked the next one: the lowest id of those still in the running.
  EXPECT_EQ(DesignatedLeader(3, next, {1, 2, 3, 4}, {{3}}), 1);
  EXPECT_EQ(DesignatedLeader(3, next, {1, 2, 3, 4}, {{2, 3, 4}}), 2);
  // A server that acked but does not vote in the new config is no candidate.
  EXPECT_EQ(DesignatedLeader(3, Membership({2, 4}, {1}), {1, 2, 4}, {{1}}), 2);
}

TEST(DesignatedLeader, NoNewVoterAcked_Zero) {
  EXPECT_EQ(DesignatedLeader(3, Membership({1}, {}), {3}, {}), 0);
}

}  // namespace
}  // namespace zk
