#include "core/core.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdio>

#include "core/prepare.h"
#include "tree/acl.h"

namespace zk {
namespace {

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() : core_(CoreConfig{}, 0x100) {}

  int64_t Open() {
    auto s = core_.OpenSession(30000, "127.0.0.1", now_);
    core_.TakeOutputs();
    return s.session_id;
  }

  // Sends one request and returns its reply (and collects notifications).
  Output Call(int64_t sid, OpCode op, const std::string& body) {
    core_.Submit(ClientRequest{sid, ++xid_, op, body}, now_);
    Output reply;
    bool found = false;
    for (auto& o : core_.TakeOutputs()) {
      if (o.kind == Output::Kind::kNotification) {
        notifications_.push_back(o);
      } else if (o.kind == Output::Kind::kReply && o.session_id == sid && o.xid == xid_) {
        reply = o;
        found = true;
      }
    }
    EXPECT_TRUE(found);
    return reply;
  }

  Output Create(int64_t sid, const std::string& path, int32_t flags = 0,
                OpCode op = OpCode::kCreate, AclList acl = OpenAclUnsafe()) {
    CreateRequest c{path, "data", acl, flags, 0};
    JuteWriter w;
    c.Write(w, false);
    return Call(sid, op, w.data());
  }

  Output Delete(int64_t sid, const std::string& path, int32_t version = -1) {
    JuteWriter w;
    PathAndVersion{path, version}.Write(w);
    return Call(sid, OpCode::kDelete, w.data());
  }

  Output GetData(int64_t sid, const std::string& path, bool watch = false) {
    JuteWriter w;
    PathAndWatch{path, watch}.Write(w);
    return Call(sid, OpCode::kGetData, w.data());
  }

  Stat StatOf(const std::string& path) {
    const Node* n = core_.tree().Find(path);
    EXPECT_NE(n, nullptr) << path;
    return n ? n->stat : Stat{};
  }

  Core core_;
  int64_t now_ = 1'000'000;
  int32_t xid_ = 0;
  std::vector<Output> notifications_;
};

TEST_F(CoreTest, CreateReturnsPathAndTakesNextZxid) {
  int64_t sid = Open();
  Output r = Create(sid, "/a");
  EXPECT_EQ(r.err, Err::kOk);
  JuteReader rd(r.body);
  EXPECT_EQ(rd.String(), "/a");
  EXPECT_EQ(r.zxid, 2);  // createSession took zxid 1
  EXPECT_EQ(StatOf("/a").czxid, 2);
}

TEST_F(CoreTest, FailedWriteStillTakesAZxidAndRepliesHeaderOnly) {
  int64_t sid = Open();
  Output r = Create(sid, "/missing/child");
  EXPECT_EQ(r.err, Err::kNoNode);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.zxid, 2);
  EXPECT_EQ(core_.last_zxid(), 2);
}

TEST(SequenceSuffixTest, SameAsPrintfPercent010d) {
  for (int32_t v : {0, 1, 9, 10, 123456789, 999999999, 1000000000, INT32_MAX, -1, -9, -10,
                    -99999999, -999999999, -1000000000, INT32_MIN}) {
    std::string path = "/p/n-";
    AppendSequenceSuffix(&path, v);
    char expected[32];
    std::snprintf(expected, sizeof expected, "/p/n-%010d", v);
    EXPECT_EQ(path, expected) << v;
  }
}

TEST_F(CoreTest, SequentialSuffixComesFromParentCversion) {
  int64_t sid = Open();
  Create(sid, "/q");
  Create(sid, "/q/x");
  Delete(sid, "/q/x");
  Output r = Create(sid, "/q/lock-", static_cast<int32_t>(CreateMode::kPersistentSequential));
  JuteReader rd(r.body);
  EXPECT_EQ(rd.String(), "/q/lock-0000000001");
}

TEST_F(CoreTest, DeleteUpdatesParentPzxidButNotCversion) {
  int64_t sid = Open();
  Create(sid, "/p");
  Create(sid, "/p/c");
  Stat before = StatOf("/p");
  Output r = Delete(sid, "/p/c");
  Stat after = StatOf("/p");
  EXPECT_EQ(after.cversion, before.cversion);
  EXPECT_EQ(after.pzxid, r.zxid);
  EXPECT_EQ(after.num_children, 0);
}

TEST_F(CoreTest, CreateCheckOrder_NoNodeBeforeNoAuthBeforeNodeExists) {
  int64_t sid = Open();
  EXPECT_EQ(Create(sid, "/x/y").err, Err::kNoNode);
  AclList read_only = {Acl{perm::kRead, Id{"world", "anyone"}}};
  Create(sid, "/ro", 0, OpCode::kCreate, read_only);
  EXPECT_EQ(Create(sid, "/ro/c").err, Err::kNoAuth);
  EXPECT_EQ(Create(sid, "/ro").err, Err::kNodeExists);
  EXPECT_EQ(Create(sid, "/bad/", 0).err, Err::kNoNode);
  EXPECT_EQ(Create(sid, "/e", 1).err, Err::kOk);
  EXPECT_EQ(Create(sid, "/e/c").err, Err::kNoChildrenForEphemerals);
  EXPECT_EQ(Create(sid, "/z", 0, OpCode::kCreate, {}).err, Err::kInvalidAcl);
  EXPECT_EQ(Create(sid, "/z", 7).err, Err::kBadArguments);
  EXPECT_EQ(Create(sid, "/z", 5).err, Err::kUnimplemented);  // TTL without extended types
}

TEST_F(CoreTest, DeleteOfSpecialPathIsBadArguments) {
  int64_t sid = Open();
  EXPECT_EQ(Delete(sid, "/zookeeper").err, Err::kBadArguments);
  EXPECT_EQ(Delete(sid, "/").err, Err::kBadArguments);
  EXPECT_EQ(Delete(sid, "/nope").err, Err::kNoNode);
}

TEST_F(CoreTest, BadVersionAndNotEmpty) {
  int64_t sid = Open();
  Create(sid, "/v");
  Create(sid, "/v/c");
  EXPECT_EQ(Delete(sid, "/v", 5).err, Err::kBadVersion);
  EXPECT_EQ(Delete(sid, "/v", 0).err, Err::kNotEmpty);
}

TEST_F(CoreTest, FailedMultiReportsOkThenErrorThenRuntimeInconsistency) {
  int64_t sid = Open();
  JuteWriter w;
  MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
  CreateRequest{"/m1", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{ToInt(OpCode::kDelete), false, -1}.Write(w);
  PathAndVersion{"/nope", -1}.Write(w);
  MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
  CreateRequest{"/m2", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{-1, true, -1}.Write(w);
  Output r = Call(sid, OpCode::kMulti, w.data());
  ASSERT_EQ(r.err, Err::kOk);
  JuteReader rd(r.body);
  std::vector<int32_t> errs;
  for (int i = 0; i < 3; ++i) {
    MultiHeader h;
    ASSERT_TRUE(h.Read(rd));
    EXPECT_EQ(h.type, -1);
    errs.push_back(rd.Int());
  }
  EXPECT_EQ(errs, (std::vector<int32_t>{0, -101, -2}));
  EXPECT_EQ(core_.tree().Find("/m1"), nullptr);
}

TEST_F(CoreTest, MultiOpsSeeEarlierOpsOfTheSameMulti) {
  int64_t sid = Open();
  JuteWriter w;
  MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
  CreateRequest{"/a", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{ToInt(OpCode::kCreate2), false, -1}.Write(w);
  CreateRequest{"/a/b", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{-1, true, -1}.Write(w);
  Output r = Call(sid, OpCode::kMulti, w.data());
  ASSERT_EQ(r.err, Err::kOk);
  EXPECT_NE(core_.tree().Find("/a/b"), nullptr);
}

TEST_F(CoreTest, DataWatchFiresOnceOnSetData) {
  int64_t watcher = Open();
  int64_t writer = Open();
  Create(writer, "/w");
  GetData(watcher, "/w", true);
  JuteWriter w;
  SetDataRequest{"/w", "x", -1}.Write(w);
  Call(writer, OpCode::kSetData, w.data());
  Call(writer, OpCode::kSetData, w.data());
  ASSERT_EQ(notifications_.size(), 1u);
  EXPECT_EQ(notifications_[0].session_id, watcher);
  WatcherEvent e;
  JuteReader rd(notifications_[0].body);
  ASSERT_TRUE(e.Read(rd));
  EXPECT_EQ(e.type, static_cast<int32_t>(EventType::kNodeDataChanged));
  EXPECT_EQ(e.path, "/w");
}

TEST_F(CoreTest, ExpiredSessionLosesEphemeralsAndWatchersAreTold) {
  CoreConfig config;
  config.tick_ms = 1000;
  config.min_session_timeout_ms = 2000;
  Core core(config, 0x200);
  auto owner = core.OpenSession(2000, "127.0.0.1", now_);
  auto other = core.OpenSession(30000, "127.0.0.1", now_);
  core.Submit({owner.session_id, 1, OpCode::kCreate, [] {
                 JuteWriter w;
                 CreateRequest{"/eph", "", OpenAclUnsafe(), 1, 0}.Write(w, false);
                 return w.Take();
               }()},
              now_);
  core.Submit({other.session_id, 1, OpCode::kExists, [] {
                 JuteWriter w;
                 PathAndWatch{"/eph", true}.Write(w);
                 return w.Take();
               }()},
              now_);
  core.TakeOutputs();
  for (int i = 0; i < 3; ++i) core.Touch(other.session_id), core.Tick(now_ + i * 1000);
  EXPECT_EQ(core.tree().Find("/eph"), nullptr);
  EXPECT_EQ(core.sessions().Find(owner.session_id), nullptr);
  bool told = false, closed = false;
  for (auto& o : core.TakeOutputs()) {
    told = told || (o.kind == Output::Kind::kNotification && o.session_id == other.session_id);
    closed = closed || (o.kind == Output::Kind::kCloseSession && o.session_id == owner.session_id);
  }
  EXPECT_TRUE(told);
  EXPECT_TRUE(closed);
}

TEST_F(CoreTest, ReattachNeedsTheRightPassword) {
  auto s = core_.OpenSession(30000, "127.0.0.1", now_);
  EXPECT_EQ(s.passwd.size(), 16u);
  EXPECT_EQ(core_.Reattach(s.session_id, s.passwd, 20000, "127.0.0.1"), 20000);
  EXPECT_EQ(core_.Reattach(s.session_id, std::string(16, 'x'), 20000, "127.0.0.1"), 0);
  EXPECT_EQ(core_.Reattach(12345, s.passwd, 20000, "127.0.0.1"), 0);
}

TEST(Acl, DigestIdMatchesZooKeeper) {
  // The digest ZooKeeper's DigestAuthenticationProvider computes for "super:test".
  EXPECT_EQ(DigestId("super:test"), "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
}

}  // namespace
}  // namespace zk

namespace zk {
namespace {

std::string CreateBody(const std::string& path, int32_t flags = 0) {
  JuteWriter w;
  CreateRequest{path, "d", OpenAclUnsafe(), flags, 0}.Write(w, false);
  return w.Take();
}

std::string PathWatchBody(const std::string& path) {
  JuteWriter w;
  PathAndWatch{path, false}.Write(w);
  return w.Take();
}

class PipelinedCoreTest : public ::testing::Test {
 protected:
  PipelinedCoreTest() : core_(Config(), 0x300) {}
  static CoreConfig Config() {
    CoreConfig c;
    c.apply_on_submit = false;
    return c;
  }
  // Opens a session and commits it; returns its id.
  int64_t Open() {
    auto s = core_.OpenSession(30000, "127.0.0.1", 1000);
    auto outs = core_.TakeOutputs();
    EXPECT_EQ(outs.size(), 1u);
    EXPECT_EQ(outs[0].kind, Output::Kind::kPersist);
    core_.Commit(outs[0].zxid);
    outs = core_.TakeOutputs();
    EXPECT_EQ(outs.size(), 1u);
    EXPECT_EQ(outs[0].kind, Output::Kind::kSessionOpened);
    return s.session_id;
  }
  Core core_;
};

TEST_F(PipelinedCoreTest, WriteIsRepliedOnlyAfterCommit) {
  int64_t sid = Open();
  core_.Submit({sid, 1, OpCode::kCreate, CreateBody("/a")}, 1000);
  auto outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 1u);
  ASSERT_EQ(outs[0].kind, Output::Kind::kPersist);
  Txn txn;
  ASSERT_TRUE(Txn::Decode(outs[0].body, &txn));
  EXPECT_EQ(txn.op.path, "/a");
  EXPECT_EQ(core_.tree().Find("/a"), nullptr);
  core_.Commit(outs[0].zxid);
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].kind, Output::Kind::kReply);
  EXPECT_EQ(outs[0].xid, 1);
  EXPECT_NE(core_.tree().Find("/a"), nullptr);
}

TEST_F(PipelinedCoreTest, ReadOfTheWritingSessionWaitsOtherSessionsDoNot) {
  int64_t writer = Open();
  int64_t reader = Open();
  core_.Submit({writer, 1, OpCode::kCreate, CreateBody("/a")}, 1000);
  core_.Submit({writer, 2, OpCode::kExists, PathWatchBody("/a")}, 1000);
  core_.Submit({reader, 1, OpCode::kExists, PathWatchBody("/a")}, 1000);
  auto outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].kind, Output::Kind::kPersist);
  EXPECT_EQ(outs[1].session_id, reader);
  EXPECT_EQ(outs[1].err, Err::kNoNode);  // not yet applied
  core_.Commit(outs[0].zxid);
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].xid, 1);
  EXPECT_EQ(outs[1].xid, 2);
  EXPECT_EQ(outs[1].err, Err::kOk);  // sees its own write
}

// Found by `pseudo-cluster bench` (pipelined mix through the C client: "run time
// inconsistency"): a read waiting behind its session's write stayed queued behind another
// session's write after its own write was done, and the session's next read overtook it.
TEST_F(PipelinedCoreTest, ReadBehindAnotherSessionsWrite_NextReadOfTheSessionWaitsToo) {
  int64_t a = Open();
  int64_t b = Open();
  core_.Submit({a, 1, OpCode::kCreate, CreateBody("/a")}, 1000);
  core_.Submit({b, 1, OpCode::kCreate, CreateBody("/b")}, 1000);
  core_.Submit({a, 2, OpCode::kExists, PathWatchBody("/a")}, 1000);
  auto outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 2u);  // two persists
  core_.Commit(outs[0].zxid);  // a's write only
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].xid, 1);
  // a:2 still waits behind b's write; a:3 and an unknown op a:4 must come after it.
  core_.Submit({a, 3, OpCode::kExists, PathWatchBody("/a")}, 1000);
  core_.Submit({a, 4, static_cast<OpCode>(999), ""}, 1000);
  EXPECT_TRUE(core_.TakeOutputs().empty());
  core_.Commit(outs[0].zxid + 1);
  outs = core_.TakeOutputs();
  std::vector<int32_t> a_xids;
  for (const Output& o : outs) {
    if (o.session_id == a) a_xids.push_back(o.xid);
  }
  EXPECT_EQ(a_xids, (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(outs.back().zxid, -1);  // the unknown op's answer, as ZooKeeper's
  EXPECT_TRUE(outs.back().close_after);
  // Nothing waits any more: the next read is answered at once.
  core_.Submit({a, 5, OpCode::kExists, PathWatchBody("/a")}, 1000);
  EXPECT_EQ(core_.TakeOutputs().size(), 1u);
}

TEST_F(PipelinedCoreTest, RefusalWaitsBehindTheSessionsWrite) {
  int64_t a = Open();
  core_.Submit({a, 1, OpCode::kCreate, CreateBody("/a")}, 1000);
  core_.Refuse({a, 2, OpCode::kCreate, CreateBody("/x")}, Err::kNotReadOnly);
  auto outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 1u);  // the persist only
  core_.Commit(outs[0].zxid);
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].xid, 1);
  EXPECT_EQ(outs[1].xid, 2);
  EXPECT_EQ(outs[1].err, Err::kNotReadOnly);
}

TEST_F(PipelinedCoreTest, PreparedWritesSeeEachOtherBeforeCommit) {
  int64_t sid = Open();
  core_.Submit({sid, 1, OpCode::kCreate, CreateBody("/p")}, 1000);
  core_.Submit({sid, 2, OpCode::kCreate, CreateBody("/p/c")}, 1000);
  core_.Submit({sid, 3, OpCode::kCreate, CreateBody("/p")}, 1000);
  auto outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 3u);
  core_.Commit(outs.back().zxid);
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(outs[0].err, Err::kOk);
  EXPECT_EQ(outs[1].err, Err::kOk);
  EXPECT_EQ(outs[2].err, Err::kNodeExists);
}

TEST_F(PipelinedCoreTest, FailedMultiLeavesNoPendingGhosts) {
  int64_t sid = Open();
  JuteWriter w;
  MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
  CreateRequest{"/ghost", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{ToInt(OpCode::kDelete), false, -1}.Write(w);
  PathAndVersion{"/nope", -1}.Write(w);
  MultiHeader{-1, true, -1}.Write(w);
  core_.Submit({sid, 1, OpCode::kMulti, w.Take()}, 1000);
  core_.Submit({sid, 2, OpCode::kCreate, CreateBody("/ghost")}, 1000);
  auto outs = core_.TakeOutputs();
  core_.Commit(outs.back().zxid);
  outs = core_.TakeOutputs();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[1].err, Err::kOk);  // /ghost was never created by the failed multi
}

}  // namespace
}  // namespace zk

namespace zk {
namespace {

// A leader and a learner wired by hand: the learner forwards, the leader prepares and persists,
// "Zab" is the test itself delivering committed txns to the learner.
class EnsembleCoreTest : public ::testing::Test {
 protected:
  EnsembleCoreTest() : leader_(Config(CoreRole::kLeader), 0x1'0000), learner_(Config(CoreRole::kLearner), 0x2'0000) {}
  static CoreConfig Config(CoreRole role) {
    CoreConfig c;
    c.role = role;
    c.apply_on_submit = false;
    return c;
  }
  // Moves everything until quiet; returns the learner's client-facing outputs.
  std::vector<Output> Pump() {
    std::vector<Output> client;
    for (int round = 0; round < 10; ++round) {
      bool moved = false;
      for (auto& o : learner_.TakeOutputs()) {
        if (o.kind == Output::Kind::kForward) {
          ClientRequest req{o.session_id, o.xid, o.op, o.body, /*origin=*/2, o.auth};
          leader_.SubmitForwarded(req, 1000);
          moved = true;
        } else {
          client.push_back(o);
        }
      }
      for (auto& o : leader_.TakeOutputs()) {
        if (o.kind == Output::Kind::kPersist) {
          leader_.Commit(o.zxid);
          Txn txn;
          EXPECT_TRUE(Txn::Decode(o.body, &txn));
          learner_.ApplyCommitted(txn);
          moved = true;
        } else if (o.kind == Output::Kind::kSyncDone) {
          EXPECT_EQ(o.origin, 2);
          learner_.Synced(o.session_id, o.xid);
          moved = true;
        }
      }
      if (!moved) break;
    }
    return client;
  }
  Core leader_;
  Core learner_;
};

TEST_F(EnsembleCoreTest, LearnerSessionAndWriteGoThroughTheLeader) {
  auto s = learner_.OpenSession(30000, "127.0.0.1", 1000);
  auto outs = Pump();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].kind, Output::Kind::kSessionOpened);
  EXPECT_NE(leader_.sessions().Find(s.session_id), nullptr);

  learner_.Submit({s.session_id, 1, OpCode::kCreate, CreateBody("/f")}, 1000);
  learner_.Submit({s.session_id, 2, OpCode::kGetData, PathWatchBody("/f")}, 1000);
  outs = Pump();
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].xid, 1);
  EXPECT_EQ(outs[0].err, Err::kOk);
  EXPECT_EQ(outs[1].xid, 2);
  EXPECT_EQ(outs[1].err, Err::kOk);  // the read saw its own write
  EXPECT_NE(leader_.tree().Find("/f"), nullptr);
  EXPECT_EQ(learner_.last_zxid(), leader_.last_zxid());
}

TEST_F(EnsembleCoreTest, ForwardedFailureIsAnsweredOnTheLearner) {
  auto s = learner_.OpenSession(30000, "127.0.0.1", 1000);
  Pump();
  learner_.Submit({s.session_id, 1, OpCode::kCreate, CreateBody("/no/parent")}, 1000);
  auto outs = Pump();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].err, Err::kNoNode);
}

TEST_F(EnsembleCoreTest, SyncOnLearnerIsAnsweredAfterTheLeaderReplies) {
  auto s = learner_.OpenSession(30000, "127.0.0.1", 1000);
  Pump();
  JuteWriter w;
  w.String("/");
  learner_.Submit({s.session_id, 7, OpCode::kSync, w.Take()}, 1000);
  auto outs = Pump();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].xid, 7);
  JuteReader r(outs[0].body);
  EXPECT_EQ(r.String(), "/");
}

}  // namespace
}  // namespace zk

namespace zk {
namespace {

TEST(ClientStat, CversionCountsEveryChildChangeAsZooKeeperReportsIt) {
  Stat stored;
  stored.cversion = 3;      // three creations
  stored.num_children = 2;  // one of them deleted
  EXPECT_EQ(ClientStat(stored).cversion, 4);
  DataTree fresh;
  EXPECT_EQ(ClientStat(fresh.Find("/")->stat).cversion, -1);
  EXPECT_EQ(ClientStat(fresh.Find("/zookeeper")->stat).cversion, -2);
  EXPECT_EQ(fresh.node_count(), 5u);
}

TEST(ClientStat, ContainerAndTtlOwnersAreHidden) {
  Stat stored;
  stored.ephemeral_owner = kContainerOwner;
  EXPECT_EQ(ClientStat(stored).ephemeral_owner, 0);
  stored.ephemeral_owner = kTtlOwnerMask | 5000;
  EXPECT_EQ(ClientStat(stored).ephemeral_owner, 0);
  stored.ephemeral_owner = 0x1234;
  EXPECT_EQ(ClientStat(stored).ephemeral_owner, 0x1234);
}

}  // namespace
}  // namespace zk
