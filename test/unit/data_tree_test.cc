// DataTree: the built-in nodes, Apply(Txn) for every op that changes the tree, the Stat fields
// each op moves (docs/data-tree.md, Nodes and versions), the watch triggers it reports, and the
// ephemeral / container / TTL bookkeeping.
#include "tree/data_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tree/acl.h"

namespace zk {
namespace {

constexpr int64_t kSession = 0x1000000000000001;
constexpr int64_t kOtherSession = 0x1000000000000002;
constexpr int64_t kTimeMs = 1'700'000'000'000;

TxnOp CreateOp(const std::string& path, const std::string& data = "d", bool ephemeral = false) {
  TxnOp op;
  op.type = OpCode::kCreate;
  op.path = path;
  op.data = data;
  op.acl = OpenAclUnsafe();
  op.ephemeral = ephemeral;
  op.parent_cversion = -1;  // "parent's cversion + 1"
  return op;
}

TxnOp DeleteOp(const std::string& path) {
  TxnOp op;
  op.type = OpCode::kDelete;
  op.path = path;
  return op;
}

TxnOp SetDataOp(const std::string& path, const std::string& data, int32_t new_version) {
  TxnOp op;
  op.type = OpCode::kSetData;
  op.path = path;
  op.data = data;
  op.version = new_version;
  return op;
}

TxnOp ErrorOp(Err err) {
  TxnOp op;
  op.type = OpCode::kError;
  op.err = err;
  return op;
}

Txn Single(int64_t zxid, TxnOp op, int64_t session = kSession) {
  Txn t;
  t.header.client_id = session;
  t.header.cxid = static_cast<int32_t>(zxid);
  t.header.zxid = zxid;
  t.header.time_ms = kTimeMs + zxid;
  t.header.type = ToInt(op.type);
  t.op = std::move(op);
  return t;
}

Txn Multi(int64_t zxid, std::vector<TxnOp> ops) {
  Txn t;
  t.header.client_id = kSession;
  t.header.zxid = zxid;
  t.header.time_ms = kTimeMs + zxid;
  t.header.type = ToInt(OpCode::kMulti);
  t.multi = std::move(ops);
  return t;
}

class TreeTest : public ::testing::Test {
 protected:
  ApplyResult Apply(const Txn& txn) {
    triggers_.clear();
    return tree_.Apply(txn, &triggers_);
  }
  const Stat& StatOf(const std::string& path) {
    const Node* n = tree_.Find(path);
    EXPECT_NE(n, nullptr) << path;
    static const Stat kNone;
    return n ? n->stat : kNone;
  }
  std::vector<std::pair<std::string, EventType>> Fired() const {
    std::vector<std::pair<std::string, EventType>> out;
    for (const auto& t : triggers_) out.emplace_back(t.path, t.type);
    return out;
  }

  DataTree tree_;
  std::vector<Trigger> triggers_;
};

TEST_F(TreeTest, Fresh_HasTheFourBuiltInNodesAndCountsRootTwice) {
  EXPECT_EQ(tree_.node_count(), 5u);
  ASSERT_NE(tree_.Find("/"), nullptr);
  EXPECT_EQ(tree_.Find(""), tree_.Find("/"));  // "" is the root too (snapshot spelling)
  ASSERT_NE(tree_.Find("/zookeeper"), nullptr);
  ASSERT_NE(tree_.Find("/zookeeper/quota"), nullptr);
  ASSERT_NE(tree_.Find("/zookeeper/config"), nullptr);
  EXPECT_EQ(tree_.Find("/nope"), nullptr);
  EXPECT_EQ(StatOf("/").num_children, 1);
  EXPECT_EQ(StatOf("/zookeeper").num_children, 2);
  EXPECT_EQ(StatOf("/").czxid, 0);
  EXPECT_EQ(StatOf("/").cversion, 0);
  EXPECT_EQ(*tree_.Find("/zookeeper/config")->acl, ReadAclUnsafe());
  EXPECT_EQ(*tree_.Find("/zookeeper")->acl, OpenAclUnsafe());
  // "/zookeeper" + "/zookeeper/quota" + "/zookeeper/config", as ZooKeeper's mntr reports.
  EXPECT_EQ(tree_.approximate_data_size(), 10 + 16 + 17);
  EXPECT_EQ(tree_.last_processed_zxid(), 0);
}

TEST_F(TreeTest, Create_SetsZxidsTimesAndDataLengthAndBumpsParent) {
  ApplyResult r = Apply(Single(0x100000001, CreateOp("/a", "hello")));
  EXPECT_EQ(r.err, Err::kOk);
  EXPECT_EQ(r.type, OpCode::kCreate);
  EXPECT_EQ(r.path, "/a");
  const Stat& s = StatOf("/a");
  EXPECT_EQ(s.czxid, 0x100000001);
  EXPECT_EQ(s.mzxid, 0x100000001);
  EXPECT_EQ(s.pzxid, 0x100000001);
  EXPECT_EQ(s.ctime, kTimeMs + 0x100000001);
  EXPECT_EQ(s.mtime, s.ctime);
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.data_length, 5);
  EXPECT_EQ(s.ephemeral_owner, 0);
  EXPECT_EQ(r.stat, s);
  EXPECT_EQ(tree_.Find("/a")->data, "hello");
  EXPECT_EQ(StatOf("/").cversion, 1);
  EXPECT_EQ(StatOf("/").pzxid, 0x100000001);
  EXPECT_EQ(StatOf("/").num_children, 2);
  EXPECT_EQ(tree_.node_count(), 6u);
  EXPECT_EQ(tree_.approximate_data_size(), 43 + 2 + 5);
  EXPECT_EQ(tree_.last_processed_zxid(), 0x100000001);
}

TEST_F(TreeTest, Create_FiresNodeCreatedThenParentChildrenChanged) {
  Apply(Single(1, CreateOp("/a")));
  Apply(Single(2, CreateOp("/a/b")));
  EXPECT_EQ(Fired(),
            (std::vector<std::pair<std::string, EventType>>{
                {"/a/b", EventType::kNodeCreated}, {"/a", EventType::kNodeChildrenChanged}}));
}

TEST_F(TreeTest, Create_ParentCversionFromTheTxnIsKeptAndNeverLowered) {
  // The preparing server fixed the parent's cversion (the sequential suffix came from it):
  // applying the txn takes that value, and replaying an older txn does not move it back.
  Apply(Single(1, CreateOp("/p")));
  TxnOp seq = CreateOp("/p/lock-0000000007");
  seq.parent_cversion = 8;
  Apply(Single(2, seq));
  EXPECT_EQ(StatOf("/p").cversion, 8);
  EXPECT_EQ(StatOf("/p").pzxid, 2);
  TxnOp older = CreateOp("/p/x");
  older.parent_cversion = 3;
  Apply(Single(3, older));
  EXPECT_EQ(StatOf("/p").cversion, 8);
  EXPECT_EQ(StatOf("/p").pzxid, 2);  // pzxid moves only with the cversion
  EXPECT_EQ(StatOf("/p").num_children, 2);
}

TEST_F(TreeTest, Create_ExistingNodeIsNodeExistsAndChangesNothing) {
  Apply(Single(1, CreateOp("/a", "first")));
  int64_t size_before = tree_.approximate_data_size();
  ApplyResult r = Apply(Single(2, CreateOp("/a", "second")));
  EXPECT_EQ(r.err, Err::kNodeExists);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_EQ(tree_.Find("/a")->data, "first");
  EXPECT_EQ(StatOf("/").cversion, 1);
  EXPECT_EQ(tree_.approximate_data_size(), size_before);
  EXPECT_EQ(tree_.last_processed_zxid(), 2);  // the zxid is consumed all the same
}

TEST_F(TreeTest, Create_ExistingNodeBeforeTheLastSiblingIsNodeExists) {
  Apply(Single(1, CreateOp("/b")));
  Apply(Single(2, CreateOp("/c")));
  EXPECT_EQ(Apply(Single(3, CreateOp("/b"))).err, Err::kNodeExists);
  EXPECT_EQ(Apply(Single(4, CreateOp("/a"))).err, Err::kOk);  // before every sibling
  EXPECT_EQ(StatOf("/").num_children, 4);                     // zookeeper, a, b, c
}

TEST_F(TreeTest, Create_UnderMissingParentIsNoNode) {
  ApplyResult r = Apply(Single(1, CreateOp("/missing/child")));
  EXPECT_EQ(r.err, Err::kNoNode);
  EXPECT_EQ(tree_.Find("/missing/child"), nullptr);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_EQ(tree_.node_count(), 5u);
}

TEST_F(TreeTest, Create_NullDataIsRemembered) {
  TxnOp op = CreateOp("/n", "");
  op.data_null = true;
  Apply(Single(1, op));
  EXPECT_TRUE(tree_.Find("/n")->data_null);
  EXPECT_EQ(StatOf("/n").data_length, 0);
}

TEST_F(TreeTest, Delete_UpdatesParentPzxidButNotCversion) {
  Apply(Single(1, CreateOp("/a")));
  Apply(Single(2, CreateOp("/a/b", "xyz")));
  int64_t size_before = tree_.approximate_data_size();
  ApplyResult r = Apply(Single(7, DeleteOp("/a/b")));
  EXPECT_EQ(r.err, Err::kOk);
  EXPECT_EQ(tree_.Find("/a/b"), nullptr);
  EXPECT_EQ(StatOf("/a").cversion, 1);
  EXPECT_EQ(StatOf("/a").pzxid, 7);
  EXPECT_EQ(StatOf("/a").num_children, 0);
  EXPECT_TRUE(tree_.Find("/a")->children.empty());
  EXPECT_EQ(tree_.approximate_data_size(), size_before - 4 - 3);
  EXPECT_EQ(Fired(),
            (std::vector<std::pair<std::string, EventType>>{
                {"/a/b", EventType::kNodeDeleted}, {"/a", EventType::kNodeChildrenChanged}}));
}

TEST_F(TreeTest, Delete_MissingNodeIsNoNode) {
  ApplyResult r = Apply(Single(1, DeleteOp("/ghost")));
  EXPECT_EQ(r.err, Err::kNoNode);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_EQ(StatOf("/").pzxid, 0);
}

TEST_F(TreeTest, SetData_TakesTheTxnsVersionAndMovesMzxidAndMtimeOnly) {
  Apply(Single(1, CreateOp("/a", "old")));
  ApplyResult r = Apply(Single(5, SetDataOp("/a", "newer", 1)));
  EXPECT_EQ(r.err, Err::kOk);
  const Stat& s = StatOf("/a");
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.mzxid, 5);
  EXPECT_EQ(s.mtime, kTimeMs + 5);
  EXPECT_EQ(s.czxid, 1);
  EXPECT_EQ(s.ctime, kTimeMs + 1);
  EXPECT_EQ(s.pzxid, 1);
  EXPECT_EQ(s.data_length, 5);
  EXPECT_EQ(r.stat, s);
  EXPECT_EQ(tree_.Find("/a")->data, "newer");
  EXPECT_EQ(tree_.approximate_data_size(), 43 + 2 + 5);
  EXPECT_EQ(Fired(),
            (std::vector<std::pair<std::string, EventType>>{{"/a", EventType::kNodeDataChanged}}));
}

TEST_F(TreeTest, SetData_MissingNodeIsNoNode) {
  EXPECT_EQ(Apply(Single(1, SetDataOp("/ghost", "x", 1))).err, Err::kNoNode);
  EXPECT_TRUE(triggers_.empty());
}

TEST_F(TreeTest, SetAcl_ReplacesAclAndSetsAversionWithoutTriggers) {
  Apply(Single(1, CreateOp("/a")));
  TxnOp op;
  op.type = OpCode::kSetAcl;
  op.path = "/a";
  op.acl = ReadAclUnsafe();
  op.version = 3;
  ApplyResult r = Apply(Single(2, op));
  EXPECT_EQ(r.err, Err::kOk);
  EXPECT_EQ(*tree_.Find("/a")->acl, ReadAclUnsafe());
  EXPECT_EQ(StatOf("/a").aversion, 3);
  EXPECT_EQ(StatOf("/a").mzxid, 1);  // an ACL change is not a data change
  EXPECT_TRUE(triggers_.empty());
  op.path = "/ghost";
  EXPECT_EQ(Apply(Single(3, op)).err, Err::kNoNode);
}

TEST_F(TreeTest, Ephemeral_IsOwnedBySessionUntilCloseSessionDeletesIt) {
  Apply(Single(1, CreateOp("/e1", "", true), kSession));
  Apply(Single(2, CreateOp("/e2", "", true), kSession));
  Apply(Single(3, CreateOp("/other", "", true), kOtherSession));
  EXPECT_EQ(StatOf("/e1").ephemeral_owner, kSession);
  EXPECT_EQ(tree_.ephemeral_count(), 3u);
  EXPECT_EQ(tree_.ephemerals().at(kSession), (std::set<std::string>{"/e1", "/e2"}));

  // The txn names only /e1; /e2 goes too because the session still owns it.
  TxnOp close;
  close.type = OpCode::kCloseSession;
  close.paths = {"/e1"};
  Apply(Single(4, close, kSession));
  EXPECT_EQ(tree_.Find("/e1"), nullptr);
  EXPECT_EQ(tree_.Find("/e2"), nullptr);
  ASSERT_NE(tree_.Find("/other"), nullptr);
  EXPECT_EQ(tree_.ephemerals().count(kSession), 0u);
  EXPECT_EQ(tree_.ephemeral_count(), 1u);
  EXPECT_EQ(StatOf("/").pzxid, 4);
  EXPECT_EQ(Fired(), (std::vector<std::pair<std::string, EventType>>{
                         {"/e1", EventType::kNodeDeleted},
                         {"/", EventType::kNodeChildrenChanged},
                         {"/e2", EventType::kNodeDeleted},
                         {"/", EventType::kNodeChildrenChanged}}));
}

TEST_F(TreeTest, Ephemeral_DeletedByHandLeavesNoBookkeeping) {
  Apply(Single(1, CreateOp("/e", "", true)));
  Apply(Single(2, DeleteOp("/e")));
  EXPECT_TRUE(tree_.ephemerals().empty());
  EXPECT_EQ(tree_.ephemeral_count(), 0u);
}

TEST_F(TreeTest, ContainerAndTtl_AreMarkedInOwnerAndTracked) {
  TxnOp container = CreateOp("/c");
  container.type = OpCode::kCreateContainer;
  Apply(Single(1, container));
  TxnOp ttl = CreateOp("/t");
  ttl.type = OpCode::kCreateTtl;
  ttl.ttl = 5000;
  Apply(Single(2, ttl));
  EXPECT_EQ(StatOf("/c").ephemeral_owner, kContainerOwner);
  EXPECT_EQ(StatOf("/t").ephemeral_owner, static_cast<int64_t>(0xFF00000000001388ULL));
  EXPECT_EQ(tree_.containers(), (std::set<std::string>{"/c"}));
  EXPECT_EQ(tree_.ttls(), (std::set<std::string>{"/t"}));
  EXPECT_TRUE(tree_.ephemerals().empty());
  EXPECT_EQ(ClientStat(StatOf("/c")).ephemeral_owner, 0);
  EXPECT_EQ(ClientStat(StatOf("/t")).ephemeral_owner, 0);

  TxnOp del = DeleteOp("/c");
  del.type = OpCode::kDeleteContainer;
  EXPECT_EQ(Apply(Single(3, del)).err, Err::kOk);
  Apply(Single(4, DeleteOp("/t")));
  EXPECT_TRUE(tree_.containers().empty());
  EXPECT_TRUE(tree_.ttls().empty());
}

TEST_F(TreeTest, Multi_AppliesEveryOpInOrderWithOneResultEach) {
  ApplyResult r = Apply(Multi(
      9, {CreateOp("/m"), CreateOp("/m/child"), SetDataOp("/m", "v", 1), DeleteOp("/m/child")}));
  EXPECT_EQ(r.type, OpCode::kMulti);
  EXPECT_EQ(r.err, Err::kOk);
  ASSERT_EQ(r.multi.size(), 4u);
  EXPECT_EQ(r.multi[0].type, OpCode::kCreate);
  EXPECT_EQ(r.multi[1].path, "/m/child");
  EXPECT_EQ(r.multi[2].type, OpCode::kSetData);
  EXPECT_EQ(r.multi[2].stat.version, 1);
  EXPECT_EQ(r.multi[3].type, OpCode::kDelete);
  for (const auto& sub : r.multi) EXPECT_EQ(sub.err, Err::kOk);
  EXPECT_EQ(tree_.Find("/m")->data, "v");
  EXPECT_EQ(tree_.Find("/m/child"), nullptr);
  EXPECT_EQ(StatOf("/m").czxid, 9);
  EXPECT_EQ(tree_.last_processed_zxid(), 9);
}

TEST_F(TreeTest, Multi_WithAnErrorTxnAppliesNothingAndReportsTheFirstError) {
  // A failed multi is logged as error txns: ok (0) before the failure, its code, then -2.
  ApplyResult r = Apply(
      Multi(4, {ErrorOp(Err::kOk), ErrorOp(Err::kNoNode), ErrorOp(Err::kRuntimeInconsistency)}));
  EXPECT_EQ(r.err, Err::kNoNode);
  ASSERT_EQ(r.multi.size(), 3u);
  EXPECT_EQ(r.multi[0].err, Err::kOk);
  EXPECT_EQ(r.multi[1].err, Err::kNoNode);
  EXPECT_EQ(r.multi[2].err, Err::kRuntimeInconsistency);
  for (const auto& sub : r.multi) EXPECT_EQ(sub.type, OpCode::kError);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_EQ(tree_.node_count(), 5u);
  EXPECT_EQ(tree_.last_processed_zxid(), 4);
}

TEST_F(TreeTest, Apply_LastProcessedZxidNeverGoesBack) {
  Apply(Single(10, CreateOp("/a")));
  Apply(Single(3, CreateOp("/b")));
  EXPECT_EQ(tree_.last_processed_zxid(), 10);
}

TEST_F(TreeTest, ForEachDescendant_IsPreOrderWithSiblingsSorted) {
  for (const char* p : {"/b", "/a", "/a/z", "/a/y", "/a/y/x"}) Apply(Single(1, CreateOp(p)));
  std::vector<std::string> seen;
  tree_.ForEachDescendant("/", [&](const std::string& path, const Node&) { seen.push_back(path); });
  EXPECT_EQ(seen, (std::vector<std::string>{"/a", "/a/y", "/a/y/x", "/a/z", "/b", "/zookeeper",
                                            "/zookeeper/config", "/zookeeper/quota"}));
  seen.clear();
  tree_.ForEachDescendant("/a",
                          [&](const std::string& path, const Node&) { seen.push_back(path); });
  EXPECT_EQ(seen, (std::vector<std::string>{"/a/y", "/a/y/x", "/a/z"}));
  seen.clear();
  tree_.ForEachDescendant("/ghost",
                          [&](const std::string& path, const Node&) { seen.push_back(path); });
  EXPECT_TRUE(seen.empty());
}

TEST_F(TreeTest, HasChild_FindsOnlyExistingNames) {
  Apply(Single(1, CreateOp("/a")));
  Apply(Single(2, CreateOp("/c")));
  const Node& root = *tree_.Find("/");
  EXPECT_TRUE(DataTree::HasChild(root, "a"));
  EXPECT_TRUE(DataTree::HasChild(root, "c"));
  EXPECT_TRUE(DataTree::HasChild(root, "zookeeper"));
  EXPECT_FALSE(DataTree::HasChild(root, "b"));
  EXPECT_FALSE(DataTree::HasChild(root, "zzz"));  // after the last child
  EXPECT_FALSE(DataTree::HasChild(*tree_.Find("/a"), "anything"));
}

TEST_F(TreeTest, SetConfig_WritesConfigNodeAsZooKeeperDoesAtStartUp) {
  const std::string text = "server.1=127.0.0.1:2888:3888:participant\nversion=100000000";
  tree_.SetConfig(text, 0x100000000, 1234);
  const Node& n = *tree_.Find("/zookeeper/config");
  EXPECT_EQ(n.data, text);
  EXPECT_EQ(n.stat.data_length, static_cast<int32_t>(text.size()));
  EXPECT_EQ(n.stat.mzxid, 0x100000000);
  EXPECT_EQ(n.stat.version, -1);
  EXPECT_EQ(n.stat.mtime, 1234);
  EXPECT_EQ(tree_.approximate_data_size(), 43 + static_cast<int64_t>(text.size()));
  tree_.SetConfig("x", 2, 5);
  EXPECT_EQ(tree_.approximate_data_size(), 43 + 1);
}

TEST_F(TreeTest, Restore_NeedsTheParentFirst) {
  Node n;
  n.data = "v";
  EXPECT_FALSE(tree_.Restore("/a/b", n));
  EXPECT_EQ(tree_.Find("/a/b"), nullptr);
  EXPECT_TRUE(tree_.Restore("/a", n));
  EXPECT_TRUE(tree_.Restore("/a/b", n));
  EXPECT_EQ(StatOf("/a").num_children, 1);
  EXPECT_EQ(StatOf("/a/b").data_length, 1);
  EXPECT_EQ(StatOf("/").num_children, 2);
  EXPECT_EQ(tree_.approximate_data_size(), 43 + 2 + 1 + 4 + 1);
}

TEST_F(TreeTest, Restore_ReplacesBuiltInNodeButKeepsItsChildren) {
  Node zk;
  zk.data = "stored";
  zk.stat.czxid = 0;
  zk.stat.num_children = 99;  // recomputed from the children, not taken from the snapshot
  ASSERT_TRUE(tree_.Restore("/zookeeper", zk));
  const Node* n = tree_.Find("/zookeeper");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->data, "stored");
  EXPECT_EQ(n->stat.num_children, 2);
  EXPECT_EQ(n->children.size(), 2u);
  // The root points at the node now in the table, not the replaced one.
  EXPECT_EQ(tree_.Find("/")->children.at("zookeeper"), n);
  EXPECT_EQ(tree_.node_count(), 5u);
  EXPECT_EQ(tree_.approximate_data_size(), 43 + 6);
}

TEST_F(TreeTest, Restore_RebuildsEphemeralContainerAndTtlBookkeeping) {
  Node e;
  e.stat.ephemeral_owner = kSession;
  Node c;
  c.stat.ephemeral_owner = kContainerOwner;
  Node t;
  t.stat.ephemeral_owner = kTtlOwnerMask | 100;
  ASSERT_TRUE(tree_.Restore("/e", e));
  ASSERT_TRUE(tree_.Restore("/c", c));
  ASSERT_TRUE(tree_.Restore("/t", t));
  EXPECT_EQ(tree_.ephemerals().at(kSession), (std::set<std::string>{"/e"}));
  EXPECT_EQ(tree_.containers(), (std::set<std::string>{"/c"}));
  EXPECT_EQ(tree_.ttls(), (std::set<std::string>{"/t"}));
}

TEST(DataTreePaths, ParentPathAndBaseName) {
  EXPECT_EQ(ParentPath("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentPath("/a"), "/");
  EXPECT_EQ(ParentPath("/"), "");
  EXPECT_EQ(ParentPath(""), "");
  EXPECT_EQ(BaseName("/a/b/c"), "c");
  EXPECT_EQ(BaseName("/a"), "a");
  EXPECT_EQ(BaseName("/"), "");
}

}  // namespace
}  // namespace zk
