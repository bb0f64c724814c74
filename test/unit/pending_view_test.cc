// PendingView: the tree overlaid with prepared-but-unapplied changes, in zxid order; rollback of
// a failed multi and forgetting applied txns must leave exactly the right newest change per path.
#include <gtest/gtest.h>

#include "core/pending.h"

namespace zk {
namespace {

NodeRecord WithVersion(int32_t version) {
  NodeRecord r;
  r.stat.version = version;
  return r;
}

int32_t VersionOf(const PendingView& view, const std::string& path) {
  auto r = view.Get(path);
  return r ? r->stat.version : -100;
}

TEST(PendingViewTest, NewestChangeWins_ThenTheTreeOnceApplied) {
  DataTree tree;
  PendingView view(tree);
  EXPECT_FALSE(view.Get("/a"));
  ASSERT_TRUE(view.Get("/zookeeper"));
  view.Put(1, "/a", WithVersion(0));
  view.Put(2, "/a", WithVersion(1));
  view.Erase(3, "/b");
  EXPECT_EQ(VersionOf(view, "/a"), 1);
  EXPECT_FALSE(view.Get("/b"));
  EXPECT_EQ(view.size(), 3u);

  view.Forget(1);  // the oldest change of /a is applied; the newer one still shows
  EXPECT_EQ(VersionOf(view, "/a"), 1);
  view.Forget(3);
  EXPECT_EQ(view.size(), 0u);
  EXPECT_FALSE(view.Get("/a"));  // the tree never got it in this test: nothing pending shows
}

TEST(PendingViewTest, RollbackRestoresTheChangeItCovered) {
  DataTree tree;
  PendingView view(tree);
  view.Put(1, "/a", WithVersion(0));
  view.Put(2, "/b", WithVersion(7));
  // A multi at zxid 3 touches /a twice and /c, then fails.
  view.Put(3, "/a", WithVersion(1));
  view.Put(3, "/c", WithVersion(0));
  view.Erase(3, "/a");
  EXPECT_FALSE(view.Get("/a"));
  view.Rollback(3);
  EXPECT_EQ(VersionOf(view, "/a"), 0);
  EXPECT_EQ(VersionOf(view, "/b"), 7);
  EXPECT_FALSE(view.Get("/c"));
  EXPECT_EQ(view.size(), 2u);

  // After the covered change is forgotten, a later rollback leaves the path to the tree.
  view.Put(4, "/a", WithVersion(5));
  view.Forget(2);
  EXPECT_EQ(VersionOf(view, "/a"), 5);
  view.Rollback(4);
  EXPECT_FALSE(view.Get("/a"));
  EXPECT_EQ(view.size(), 0u);
}

TEST(PendingViewTest, ManyChangesOfOneParent_ForgottenInOrder) {
  DataTree tree;
  PendingView view(tree);
  for (int i = 1; i <= 1000; ++i) view.Put(i, "/", WithVersion(i));
  for (int i = 1; i <= 999; ++i) {
    view.Forget(i);
    ASSERT_EQ(VersionOf(view, "/"), 1000);
  }
  view.Clear();
  EXPECT_EQ(VersionOf(view, "/"), 0);  // the tree's root
}

TEST(PendingViewTest, ChildExists_AgreesWithGet_ForTreeAndPendingChildren) {
  DataTree tree;
  std::vector<Trigger> triggers;
  int64_t zxid = 0;
  auto create = [&](const std::string& path) {
    Txn t;
    t.header = {1, 1, ++zxid, 0, ToInt(OpCode::kCreate)};
    t.op.type = OpCode::kCreate;
    t.op.path = path;
    t.op.acl = OpenAclUnsafe();
    tree.Apply(t, &triggers);
  };
  create("/q");
  create("/q/b");
  create("/q/d");
  PendingView view(tree);
  view.Put(10, "/q/e", NodeRecord{});  // pending create after the last child
  view.Erase(11, "/q/b");              // pending delete of a child in the tree
  view.Put(12, "/p", NodeRecord{});    // a pending parent with a pending child
  view.Put(13, "/p/x", NodeRecord{});
  for (std::string path : {"/q/a", "/q/b", "/q/c", "/q/d", "/q/e", "/q/f", "/p/x", "/p/y",
                           "/none/x", "/"}) {
    EXPECT_EQ(view.ChildExists(ParentPath(path), path), view.Get(path).has_value()) << path;
  }
  EXPECT_TRUE(view.ChildExists("/q", "/q/d"));
  EXPECT_FALSE(view.ChildExists("/q", "/q/b"));
  EXPECT_TRUE(view.ChildExists("/q", "/q/e"));
  EXPECT_FALSE(view.ChildExists("/q", "/q/c"));
}

TEST(DataTreeTest, HasChild_BeforeBetweenAndAfterTheChildren) {
  Node parent;
  Node child;
  EXPECT_FALSE(DataTree::HasChild(parent, "a"));
  parent.children.emplace("b", &child);
  parent.children.emplace("d", &child);
  EXPECT_FALSE(DataTree::HasChild(parent, "a"));
  EXPECT_TRUE(DataTree::HasChild(parent, "b"));
  EXPECT_FALSE(DataTree::HasChild(parent, "c"));
  EXPECT_TRUE(DataTree::HasChild(parent, "d"));
  EXPECT_FALSE(DataTree::HasChild(parent, "e"));
}

}  // namespace
}  // namespace zk
