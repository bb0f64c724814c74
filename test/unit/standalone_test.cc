// Standalone: the Ready contract of core/machine.h around a standalone Core with a log.
#include "core/standalone.h"

#include <gtest/gtest.h>

#include "core/prepare.h"
#include "core/reads.h"
#include "proto/records.h"

namespace zk {
namespace {

CoreConfig Logged() {
  CoreConfig c;
  c.apply_on_submit = false;
  c.role = CoreRole::kLeader;  // taken as standalone whatever it says
  return c;
}

std::string CreateBody(const std::string& path) {
  JuteWriter w;
  CreateRequest{path, "v", OpenAclUnsafe(), 0, 0}.Write(w, false);
  return w.Take();
}

std::string GetDataBody(const std::string& path) {
  JuteWriter w;
  PathAndWatch{path, false}.Write(w);
  return w.Take();
}

class StandaloneTest : public ::testing::Test {
 protected:
  StandaloneTest() : m_(Logged(), 0x100) {}

  // Opens a session and makes it durable; returns its id.
  int64_t Open() {
    OpenSessionResult s = m_.OpenSession(30000, "127.0.0.1", 1000);
    m_.TakeReady(&ready_);
    EXPECT_EQ(ready_.log_appends.size(), 1u);
    m_.Persisted(ready_.log_appends.back().zxid);
    m_.TakeReady(&ready_);
    EXPECT_EQ(ready_.client_outputs.size(), 1u);
    EXPECT_EQ(ready_.client_outputs[0].kind, Output::Kind::kSessionOpened);
    return s.session_id;
  }

  Standalone m_;
  Ready ready_;
};

TEST_F(StandaloneTest, RoleIsStandaloneWhateverTheConfigSays) {
  EXPECT_EQ(m_.core().role(), CoreRole::kStandalone);
  EXPECT_TRUE(m_.serving());
}

TEST_F(StandaloneTest, WriteIsAppendedWithItsSession_ReplyOnlyAfterPersisted) {
  int64_t sid = Open();
  m_.Submit({sid, 1, OpCode::kCreate, CreateBody("/a"), 0, {}}, 2000);
  m_.TakeReady(&ready_);
  ASSERT_EQ(ready_.log_appends.size(), 1u);
  EXPECT_EQ(ready_.log_appends[0].session_id, sid);
  EXPECT_TRUE(ready_.client_outputs.empty());  // not durable yet: no reply
  Txn txn;
  ASSERT_TRUE(Txn::Decode(ready_.log_appends[0].txn, &txn));
  EXPECT_EQ(txn.header.zxid, ready_.log_appends[0].zxid);
  EXPECT_EQ(txn.op.path, "/a");
  EXPECT_EQ(m_.core().tree().Find("/a"), nullptr);

  m_.Persisted(ready_.log_appends[0].zxid);
  m_.TakeReady(&ready_);
  EXPECT_TRUE(ready_.log_appends.empty());
  ASSERT_EQ(ready_.client_outputs.size(), 1u);
  EXPECT_EQ(ready_.client_outputs[0].xid, 1);
  EXPECT_EQ(ready_.client_outputs[0].err, Err::kOk);
  EXPECT_NE(m_.core().tree().Find("/a"), nullptr);
}

TEST_F(StandaloneTest, ReadOfAnotherSessionIsAnsweredWithoutWaitingForTheLog) {
  int64_t writer = Open();
  int64_t reader = Open();
  m_.Submit({writer, 1, OpCode::kCreate, CreateBody("/a"), 0, {}}, 2000);
  m_.Submit({reader, 1, OpCode::kGetData, GetDataBody("/"), 0, {}}, 2000);
  m_.TakeReady(&ready_);
  ASSERT_EQ(ready_.log_appends.size(), 1u);
  ASSERT_EQ(ready_.client_outputs.size(), 1u);
  EXPECT_EQ(ready_.client_outputs[0].session_id, reader);
}

TEST_F(StandaloneTest, DropInFlightForgetsTheUnsyncedWrite) {
  int64_t sid = Open();
  m_.Submit({sid, 1, OpCode::kCreate, CreateBody("/a"), 0, {}}, 2000);
  m_.TakeReady(&ready_);
  ASSERT_EQ(ready_.log_appends.size(), 1u);
  int64_t dropped = ready_.log_appends[0].zxid;
  m_.DropInFlight();
  m_.Submit({sid, 2, OpCode::kCreate, CreateBody("/b"), 0, {}}, 2000);
  m_.TakeReady(&ready_);
  ASSERT_EQ(ready_.log_appends.size(), 1u);
  EXPECT_EQ(ready_.log_appends[0].zxid, dropped);  // the zxid is handed out again
}

TEST_F(StandaloneTest, TakeReadyClearsWhatTheLastReadyHeld) {
  int64_t sid = Open();
  m_.Submit({sid, 1, OpCode::kCreate, CreateBody("/a"), 0, {}}, 2000);
  m_.TakeReady(&ready_);
  ASSERT_FALSE(ready_.empty());
  m_.TakeReady(&ready_);
  EXPECT_TRUE(ready_.empty());
}

TEST(ReadTable, EveryReadOpHasAFunction_NoWriteDoes) {
  for (OpCode op : {OpCode::kExists, OpCode::kGetData, OpCode::kGetChildren,
                    OpCode::kGetChildren2, OpCode::kGetAcl, OpCode::kSync,
                    OpCode::kGetAllChildrenNumber, OpCode::kGetEphemerals, OpCode::kWhoAmI,
                    OpCode::kAuth, OpCode::kSetWatches, OpCode::kSetWatches2, OpCode::kAddWatch,
                    OpCode::kCheckWatches, OpCode::kRemoveWatches, OpCode::kMultiRead}) {
    EXPECT_NE(FindRead(op), nullptr) << ToInt(op);
  }
  for (OpCode op : {OpCode::kCreate, OpCode::kDelete, OpCode::kSetData, OpCode::kMulti,
                    OpCode::kCloseSession, OpCode::kPing, OpCode::kCreateSession}) {
    EXPECT_EQ(FindRead(op), nullptr) << ToInt(op);
  }
}

TEST(DecodeWriteRequest, MultiDecodesEveryOpOnce_SetAclInsideIsMalformed) {
  JuteWriter w;
  MultiHeader{ToInt(OpCode::kCreate), false, -1}.Write(w);
  CreateRequest{"/m", "", OpenAclUnsafe(), 0, 0}.Write(w, false);
  MultiHeader{ToInt(OpCode::kDelete), false, -1}.Write(w);
  PathAndVersion{"/m", -1}.Write(w);
  MultiHeader{-1, true, -1}.Write(w);
  DecodedWrite d;
  ASSERT_TRUE(DecodeWriteRequest(OpCode::kMulti, w.data(), &d));
  ASSERT_EQ(d.multi.size(), 2u);
  EXPECT_EQ(d.multi[0].create.path, "/m");
  EXPECT_EQ(d.multi[1].path_version.path, "/m");
  EXPECT_EQ(d.MultiOps(), (std::vector<OpCode>{OpCode::kCreate, OpCode::kDelete}));

  JuteWriter bad;
  MultiHeader{ToInt(OpCode::kSetAcl), false, -1}.Write(bad);
  SetAclRequest{"/m", OpenAclUnsafe(), -1}.Write(bad);
  MultiHeader{-1, true, -1}.Write(bad);
  DecodedWrite d2;
  EXPECT_FALSE(DecodeWriteRequest(OpCode::kMulti, bad.data(), &d2));
  DecodedWrite d3;
  EXPECT_FALSE(DecodeWriteRequest(OpCode::kDeleteContainer, "/m", &d3));  // internal only
  EXPECT_TRUE(DecodeWriteRequest(OpCode::kCloseSession, "", &d3));
}

}  // namespace
}  // namespace zk
