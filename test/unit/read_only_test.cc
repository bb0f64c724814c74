// Read-only mode (readonlymode.enabled): the Core in CoreRole::kReadOnly answers as ZooKeeper
// 3.8's ReadOnlyZooKeeperServer does — reads from its own tree, NOTREADONLY (-119) for every
// write, local sessions only — and a Replica cut off from its quorum enters it after
// read_only_after_ticks LOOKING and leaves it when an election decides.
#include <gtest/gtest.h>

#include "core/core.h"
#include "core/replica.h"
#include "replica_cluster.h"
#include "tree/acl.h"

namespace zk {
namespace {

std::string CreateBody(const std::string& path, bool with_ttl = false) {
  JuteWriter w;
  CreateRequest{path, "v", OpenAclUnsafe(), 0, with_ttl ? 1000 : 0}.Write(w, with_ttl);
  return w.Take();
}

std::string PathBody(const std::string& path) {
  JuteWriter w;
  w.String(path);
  return w.Take();
}

std::string PathWatchBody(const std::string& path) {
  JuteWriter w;
  PathAndWatch{path, false}.Write(w);
  return w.Take();
}

std::string PathVersionBody(const std::string& path) {
  JuteWriter w;
  PathAndVersion{path, -1}.Write(w);
  return w.Take();
}

std::string SetDataBody(const std::string& path) {
  JuteWriter w;
  SetDataRequest{path, "x", -1}.Write(w);
  return w.Take();
}

std::string SetAclBody(const std::string& path) {
  JuteWriter w;
  SetAclRequest{path, OpenAclUnsafe(), -1}.Write(w);
  return w.Take();
}

// A multi of the given sub-ops, each on `path`.
std::string MultiBody(const std::vector<OpCode>& ops, const std::string& path) {
  JuteWriter w;
  for (OpCode op : ops) {
    MultiHeader{ToInt(op), false, -1}.Write(w);
    if (op == OpCode::kCheck) {
      PathAndVersion{path, -1}.Write(w);
    } else {
      CreateRequest{path, "", OpenAclUnsafe(), 0, 0}.Write(w, false);
    }
  }
  MultiHeader{-1, true, -1}.Write(w);
  return w.Take();
}

std::string ReconfigBody() {
  JuteWriter w;
  w.String("");
  w.String("");
  w.String("server.9=127.0.0.1:1:2:participant;3");
  w.Long(-1);
  return w.Take();
}

class ReadOnlyCore : public ::testing::Test {
 protected:
  ReadOnlyCore() : core_(Config(), 0x100) {
    // Built up in the standalone role, as a member's tree is when it loses its quorum.
    global_ = core_.OpenSession(30000, "127.0.0.1", 1000).session_id;
    core_.Submit({global_, 1, OpCode::kCreate, CreateBody("/a"), 0, {}}, 1000);
    core_.TakeOutputs();
    zxid_ = core_.last_zxid();
    core_.SetRole(CoreRole::kReadOnly);
  }
  static CoreConfig Config() {
    CoreConfig c;
    c.tick_ms = 1000;
    c.extended_types_enabled = true;
    return c;
  }
  int64_t OpenLocal() {
    auto s = core_.OpenSession(5000, "127.0.0.1", 2000);
    auto out = core_.TakeOutputs();
    EXPECT_EQ(out.size(), 1u);
    if (!out.empty()) {
      EXPECT_EQ(out[0].kind, Output::Kind::kSessionOpened);
      EXPECT_TRUE(out[0].read_only);
    }
    return s.session_id;
  }
  // The one output a request gets.
  Output Call(int64_t sid, OpCode op, const std::string& body) {
    core_.Submit({sid, ++xid_, op, body, 0, {}}, 2000);
    auto out = core_.TakeOutputs();
    EXPECT_EQ(out.size(), 1u) << "op " << ToInt(op);
    return out.empty() ? Output{} : out[0];
  }

  Core core_;
  int64_t global_ = 0;
  int64_t zxid_ = 0;
  int32_t xid_ = 10;
};

TEST_F(ReadOnlyCore, NewSession_IsLocalAndOpenedAtOnceWithoutAZxid) {
  int64_t sid = OpenLocal();
  const Session* s = core_.sessions().Find(sid);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->local);
  EXPECT_EQ(core_.last_zxid(), zxid_);
}

TEST_F(ReadOnlyCore, EveryWriteOp_AnsweredNotReadOnlyWithTheLastZxidAndNothingChanges) {
  int64_t sid = OpenLocal();
  const std::vector<std::pair<OpCode, std::string>> writes = {
      {OpCode::kCreate, CreateBody("/b")},
      {OpCode::kCreate2, CreateBody("/b")},
      {OpCode::kCreateContainer, CreateBody("/b")},
      {OpCode::kCreateTtl, CreateBody("/b", /*with_ttl=*/true)},
      {OpCode::kDelete, PathVersionBody("/a")},
      {OpCode::kDeleteContainer, PathBody("/a")},
      {OpCode::kSetData, SetDataBody("/a")},
      {OpCode::kSetAcl, SetAclBody("/a")},
      {OpCode::kCheck, PathVersionBody("/a")},
      {OpCode::kMulti, MultiBody({OpCode::kCreate}, "/b")},
      {OpCode::kMulti, MultiBody({OpCode::kCheck}, "/a")},  // refused too, as ZooKeeper
      {OpCode::kReconfig, ReconfigBody()},
      {OpCode::kSync, PathBody("/a")},  // needs a leader
      {OpCode::kCreate, "garbage"},      // refused before it is decoded
  };
  size_t nodes = core_.tree().node_count();
  for (const auto& [op, body] : writes) {
    Output o = Call(sid, op, body);
    EXPECT_EQ(o.kind, Output::Kind::kReply) << "op " << ToInt(op);
    EXPECT_EQ(o.err, Err::kNotReadOnly) << "op " << ToInt(op);
    EXPECT_EQ(o.zxid, zxid_) << "op " << ToInt(op);
    EXPECT_TRUE(o.body.empty()) << "op " << ToInt(op);
    EXPECT_FALSE(o.close_after) << "op " << ToInt(op);
  }
  EXPECT_EQ(core_.last_zxid(), zxid_);
  EXPECT_EQ(core_.tree().node_count(), nodes);
  EXPECT_EQ(core_.tree().Find("/b"), nullptr);
  EXPECT_EQ(core_.in_flight(), 0u);
}

TEST_F(ReadOnlyCore, Reads_AnsweredFromTheTree) {
  int64_t sid = OpenLocal();
  Output get = Call(sid, OpCode::kGetData, PathWatchBody("/a"));
  EXPECT_EQ(get.err, Err::kOk);
  JuteReader r(get.body);
  EXPECT_EQ(r.Buffer(), "v");
  EXPECT_EQ(Call(sid, OpCode::kExists, PathWatchBody("/a")).err, Err::kOk);
  EXPECT_EQ(Call(sid, OpCode::kExists, PathWatchBody("/nope")).err, Err::kNoNode);
  EXPECT_EQ(Call(sid, OpCode::kGetChildren, PathWatchBody("/")).err, Err::kOk);
  EXPECT_EQ(Call(sid, OpCode::kGetChildren2, PathWatchBody("/")).err, Err::kOk);
  EXPECT_EQ(Call(sid, OpCode::kGetAcl, PathBody("/a")).err, Err::kOk);
  EXPECT_EQ(Call(sid, OpCode::kGetAllChildrenNumber, PathBody("/")).err, Err::kOk);
}

TEST_F(ReadOnlyCore, ReattachOfTheQuorumsSession_AnsweredAsUnknown_LocalOneReattaches) {
  std::string pw = Core::SessionPassword(global_);
  EXPECT_EQ(core_.Reattach(global_, pw, 30000, "127.0.0.1"), 0);
  int64_t local = OpenLocal();
  EXPECT_EQ(core_.Reattach(local, Core::SessionPassword(local), 5000, "127.0.0.1"), 5000);
}

TEST_F(ReadOnlyCore, CloseSession_LocalClosesWithoutAZxid_QuorumsIsNotReadOnly) {
  int64_t local = OpenLocal();
  Output o = Call(local, OpCode::kCloseSession, "");
  EXPECT_EQ(o.err, Err::kOk);
  EXPECT_TRUE(o.close_after);
  EXPECT_EQ(core_.sessions().Find(local), nullptr);
  EXPECT_EQ(core_.last_zxid(), zxid_);
  EXPECT_EQ(Call(global_, OpCode::kCloseSession, "").err, Err::kNotReadOnly);
  EXPECT_NE(core_.sessions().Find(global_), nullptr);
}

TEST_F(ReadOnlyCore, Tick_ExpiresSilentLocalSessionsOnly) {
  int64_t local = OpenLocal();  // 5 s = 5 ticks
  for (int i = 0; i < 40; ++i) core_.Tick(3000 + i * 1000);
  auto out = core_.TakeOutputs();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Output::Kind::kCloseSession);
  EXPECT_EQ(out[0].session_id, local);
  EXPECT_EQ(core_.sessions().Find(local), nullptr);
  EXPECT_NE(core_.sessions().Find(global_), nullptr);  // expiry is the quorum's leader's
  EXPECT_EQ(core_.last_zxid(), zxid_);
}

TEST_F(ReadOnlyCore, LeavingTheRole_ClosesLocalSessionsAndWritesGoToTheLeaderAgain) {
  int64_t local = OpenLocal();
  core_.SetRole(CoreRole::kLearner);
  auto out = core_.TakeOutputs();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Output::Kind::kCloseSession);
  EXPECT_EQ(out[0].session_id, local);
  EXPECT_EQ(core_.sessions().Find(local), nullptr);
  EXPECT_NE(core_.Reattach(global_, Core::SessionPassword(global_), 30000, "127.0.0.1"), 0);
  core_.Submit({global_, 99, OpCode::kCreate, CreateBody("/b"), 0, {}}, 3000);
  out = core_.TakeOutputs();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Output::Kind::kForward);
}

// ---- a Replica cut off from its quorum ----

constexpr int64_t kReadOnlyAfterTicks = 200;  // 2000 ms of 10 ms ticks, as ZooKeeper's floor

bool AnyOpened(const std::vector<Output>& out, bool read_only) {
  for (const auto& o : out) {
    if (o.kind == Output::Kind::kSessionOpened && o.read_only == read_only) return true;
  }
  return false;
}

TEST(ReadOnlyReplica, CutOffMember_ServesReadOnlyAfterTheGracePeriod_WritesRefused) {
  test::Cluster c(3, 0, kReadOnlyAfterTicks);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  ASSERT_EQ(c.Leader(), 3);
  int64_t global = c.OpenSession(1);
  c.Create(1, global, "/kept", 1);
  EXPECT_FALSE(c.r(1).read_only());
  c.Crash(2);
  c.Crash(3);
  c.Ticks(kReadOnlyAfterTicks - 1);
  EXPECT_EQ(c.r(1).state(), PeerState::kLooking);
  EXPECT_FALSE(c.r(1).read_only());  // a short election must not look like a partition
  c.Ticks(2);
  ASSERT_TRUE(c.r(1).read_only());
  EXPECT_FALSE(c.r(1).serving());
  EXPECT_EQ(c.r(1).state(), PeerState::kLooking);

  auto s = c.r(1).OpenSession(30000, "127.0.0.1", 0);
  c.Pump();
  EXPECT_TRUE(AnyOpened(c.Take(1), /*read_only=*/true));
  Output w = c.Create(1, s.session_id, "/new", 2);
  EXPECT_EQ(w.err, Err::kNotReadOnly);
  EXPECT_EQ(c.r(1).core().tree().Find("/new"), nullptr);
  EXPECT_NE(c.r(1).core().tree().Find("/kept"), nullptr);
}

TEST(ReadOnlyReplica, QuorumBack_ReadOnlyEnds_ItsSessionsClose_WritesWorkAgain) {
  test::Cluster c(3, 0, kReadOnlyAfterTicks);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  c.Crash(2);
  c.Crash(3);
  c.Ticks(kReadOnlyAfterTicks + 1);
  ASSERT_TRUE(c.r(1).read_only());
  auto s = c.r(1).OpenSession(30000, "127.0.0.1", 0);
  c.Pump();
  c.Take(1);

  c.Start(2);
  c.Start(3);
  c.Ticks(40);
  EXPECT_FALSE(c.r(1).read_only());
  EXPECT_TRUE(c.r(1).serving());
  bool closed = false;
  for (const auto& o : c.Take(1)) {
    closed = closed || (o.kind == Output::Kind::kCloseSession && o.session_id == s.session_id);
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(c.r(1).core().sessions().Find(s.session_id), nullptr);
  int64_t sid = c.OpenSession(1);
  EXPECT_EQ(c.Create(1, sid, "/after", 3).err, Err::kOk);
}

TEST(ReadOnlyReplica, Disabled_CutOffMemberNeverServes) {
  test::Cluster c(3);
  for (int i = 1; i <= 3; ++i) c.Start(i);
  c.Ticks(20);
  c.Crash(2);
  c.Crash(3);
  c.Ticks(kReadOnlyAfterTicks * 3);
  EXPECT_FALSE(c.r(1).read_only());
  EXPECT_FALSE(c.r(1).serving());
}

}  // namespace
}  // namespace zk
