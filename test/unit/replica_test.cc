// Replicas wired together in one process with instant, lossless delivery: the basic Zab paths.
// (The randomized fault-injecting runs live in the simulator.)
#include "core/replica.h"

#include <gtest/gtest.h>

#include <memory>

#include "storage/snapshot_codec.h"
#include "tree/acl.h"

namespace zk {
namespace {

class Cluster {
 public:
  explicit Cluster(int n, int observers = 0) {
    std::set<int64_t> voters, obs;
    for (int i = 1; i <= n; ++i) voters.insert(i);
    for (int i = n + 1; i <= n + observers; ++i) obs.insert(i);
    for (int i = 1; i <= n + observers; ++i) {
      ReplicaConfig rc;
      rc.my_id = i;
      rc.membership = Membership(voters, obs);
      rc.ticks_per_tick_time = 10;
      CoreConfig cc;
      replicas_[i] = std::make_unique<Replica>(rc, cc, DurableState{}, int64_t{i} << 56, &codec_);
    }
  }
  void Start(int64_t id) {
    up_.insert(id);
    replicas_[id]->Start();
  }
  void Crash(int64_t id) {
    up_.erase(id);
    for (int64_t other : up_) replicas_[other]->PeerDisconnected(id);
  }
  // SIGSTOP / SIGCONT: a paused member neither ticks nor reads; what it is sent meanwhile is
  // lost, except a closed connection, which it notices when it resumes (a socket's EOF).
  void Pause(int64_t id) {
    up_.erase(id);
    paused_.insert(id);
  }
  void Resume(int64_t id) {
    paused_.erase(id);
    up_.insert(id);
    for (int64_t from : eof_[id]) replicas_[id]->PeerDisconnected(from);
    eof_[id].clear();
    Pump();
  }
  Replica& r(int64_t id) { return *replicas_[id]; }
  int disconnects() const { return disconnects_; }

  // Delivers everything until quiet; client outputs are kept per replica.
  void Pump(int max_rounds = 1000) {
    for (int round = 0; round < max_rounds; ++round) {
      bool moved = false;
      for (int64_t id : std::set<int64_t>(up_)) {
        if (!up_.count(id)) continue;
        Ready ready = replicas_[id]->TakeReady();
        if (ready.empty()) continue;
        moved = true;
        if (!ready.log_appends.empty()) replicas_[id]->Persisted(ready.log_appends.back().zxid);
        for (int64_t to : ready.quorum_disconnects) {
          ++disconnects_;
          if (up_.count(to)) replicas_[to]->PeerDisconnected(id);
          if (paused_.count(to)) eof_[to].insert(id);
        }
        for (auto& m : ready.election_messages) {
          if (up_.count(m.to)) replicas_[m.to]->StepElection(m.n);
        }
        for (auto& [to, p] : ready.zab_messages) {
          if (up_.count(to)) replicas_[to]->StepZab(id, p);
        }
        for (auto& o : ready.client_outputs) outputs_[id].push_back(o);
      }
      if (!moved) return;
    }
  }
  void Ticks(int n) {
    for (int i = 0; i < n; ++i) {
      now_ms_ += 10;
      for (int64_t id : up_) replicas_[id]->Tick(now_ms_);
      Pump();
    }
  }
  int64_t Leader() {
    int64_t leader = 0;
    for (int64_t id : up_) {
      if (replicas_[id]->state() == PeerState::kLeading && replicas_[id]->serving()) {
        EXPECT_EQ(leader, 0) << "two serving leaders";
        leader = id;
      }
    }
    return leader;
  }
  std::vector<Output> Take(int64_t id) {
    auto out = std::move(outputs_[id]);
    outputs_[id].clear();
    return out;
  }
  // Opens a session on `id` and returns it once the ensemble has committed it.
  int64_t OpenSession(int64_t id) {
    auto s = r(id).OpenSession(30000, "127.0.0.1", now_ms_);
    Pump();
    bool opened = false;
    for (auto& o : Take(id)) opened = opened || o.kind == Output::Kind::kSessionOpened;
    EXPECT_TRUE(opened);
    return s.session_id;
  }
  Output Create(int64_t id, int64_t sid, const std::string& path, int32_t xid) {
    JuteWriter w;
    CreateRequest{path, "v", OpenAclUnsafe(), 0, 0}.Write(w, false);
    r(id).Submit({sid, xid, OpCode::kCreate, w.Take(), 0, {}}, now_ms_);
    Pump();
    for (auto& o : Take(id)) {
      if (o.kind == Output::Kind::kReply && o.xid == xid) return o;
    }
    ADD_FAILURE() << "no reply for xid " << xid << " on " << id;
    return {};
  }

 private:
  storage::SnapshotCodec codec_;
  std::map<int64_t, std::unique_ptr<Replica>> replicas_;
  std::set<int64_t> up_;
  std::set<int64_t> paused_;
  std::map<int64_t, std::set<int64_t>> eof_;  // paused member -> peers that closed on it
  int disconnects_ = 0;
  std::map<int64_t, std::vector<Output>> outputs_;
  int64_t now_ms_ = 1'000'000;
};

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
