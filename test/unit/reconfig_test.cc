#include "core/reconfig.h"

#include <gtest/gtest.h>

#include "core/pending.h"
#include "tree/acl.h"

namespace zk {
namespace {

constexpr const char* kThree =
    "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n"
    "server.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182\n"
    "server.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183\n"
    "version=0";

QuorumConfig Three() {
  QuorumConfig c;
  EXPECT_EQ(ParseQuorumConfig(kThree, &c), "");
  return c;
}

ReconfigRequest Incremental(std::string joining, std::string leaving, int64_t from = -1) {
  ReconfigRequest r;
  r.joining_servers = std::move(joining);
  r.leaving_servers = std::move(leaving);
  r.cur_config_id = from;
  return r;
}

TEST(NextQuorumConfig, JoiningAndLeaving_Incremental) {
  QuorumConfig next;
  std::string why;
  ASSERT_EQ(
      NextQuorumConfig(Three(), Incremental("server.4=127.0.0.1:2891:3891;2184", "2"), &next, &why),
      Err::kOk)
      << why;
  EXPECT_EQ(next.Voters(), (std::set<int64_t>{1, 3, 4}));
  // A joiner already in the config changes its role.
  ASSERT_EQ(NextQuorumConfig(Three(), Incremental("server.3=127.0.0.1:2890:3890:observer;2183", ""),
                             &next, &why),
            Err::kOk);
  EXPECT_EQ(next.Observers(), std::set<int64_t>{3});
}

TEST(NextQuorumConfig, NewMembers_ReplaceAll_CommaSeparated) {
  ReconfigRequest r;
  r.new_members = "server.5=127.0.0.1:2895:3895;2185,server.6=127.0.0.1:2896:3896;2186";
  QuorumConfig next;
  std::string why;
  ASSERT_EQ(NextQuorumConfig(Three(), r, &next, &why), Err::kOk) << why;
  EXPECT_EQ(next.Voters(), (std::set<int64_t>{5, 6}));
}

TEST(NextQuorumConfig, Malformed_BadArguments) {
  QuorumConfig next;
  std::string why;
  for (const char* joining : {"some thing", "server.4=127.0.0.1:2891", "server.x=h:1:2;3",
                              "server.4=127.0.0.1:2891:3891",          // no client port
                              "server.4=127.0.0.1:2888:3899;2184"}) {  // server.1's quorum port
    EXPECT_EQ(NextQuorumConfig(Three(), Incremental(joining, ""), &next, &why), Err::kBadArguments)
        << joining;
  }
  EXPECT_EQ(NextQuorumConfig(Three(), Incremental("", "two"), &next, &why), Err::kBadArguments);
}

class PrepareReconfigTest : public ::testing::Test {
 protected:
  PrepareReconfigTest() : view_(tree_) {
    tree_.SetConfig(kThree, 0, 0);
    config_.reconfig_enabled = true;
    config_.role = CoreRole::kLeader;
  }
  Err Run(const ReconfigRequest& r, std::vector<Id> auth = {{"super", ""}}) {
    ReconfigContext c{config_, tree_, view_, auth, 0x100000005, synced_};
    return PrepareReconfig(c, r, &op_);
  }
  DataTree tree_;
  PendingView view_;
  CoreConfig config_;
  std::set<int64_t> synced_ = {1, 2, 3};
  TxnOp op_;
};

TEST_F(PrepareReconfigTest, Ok_SetDataOfConfigNode_VersionIsTheZxid) {
  ASSERT_EQ(Run(Incremental("server.100=0.0.0.0:1234:2345:observer;3456", "")), Err::kOk);
  EXPECT_EQ(op_.type, OpCode::kSetData);
  EXPECT_EQ(op_.path, "/zookeeper/config");
  EXPECT_EQ(op_.version, -1);
  EXPECT_NE(op_.data.find("server.100=0.0.0.0:1234:2345:observer;0.0.0.0:3456\n"
                          "version=100000005"),
            std::string::npos)
      << op_.data;
  // Until it commits, another reconfig is refused.
  EXPECT_EQ(Run(Incremental("", "100")), Err::kReconfigInProgress);
}

TEST_F(PrepareReconfigTest, ErrorsInZooKeepersOrder) {
  config_.reconfig_enabled = false;
  EXPECT_EQ(Run(Incremental("some thing", "")), Err::kReconfigDisabled);
  config_.reconfig_enabled = true;
  EXPECT_EQ(Run(Incremental("", "1"), {}), Err::kNoAuth);                 // no super user
  EXPECT_EQ(Run(Incremental("some thing", ""), {}), Err::kBadArguments);  // before NOAUTH
  EXPECT_EQ(Run(Incremental("", "1", 7)), Err::kBadVersion);
  EXPECT_EQ(Run(Incremental("", "1,2")), Err::kBadArguments);  // one voter left
  synced_ = {1};
  EXPECT_EQ(Run(Incremental("", "3")), Err::kNewConfigNoQuorum);  // 2 of {1, 2} not synced
  config_.skip_acl = true;
  synced_ = {1, 2, 3};
  EXPECT_EQ(Run(Incremental("", "3"), {}), Err::kOk);  // skipACL: no super user needed
}

TEST_F(PrepareReconfigTest, Standalone_Unimplemented) {
  config_.role = CoreRole::kStandalone;
  EXPECT_EQ(Run(Incremental("", "3")), Err::kUnimplemented);
}

}  // namespace
}  // namespace zk
