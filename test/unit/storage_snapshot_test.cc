#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "storage/snapshot.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::ExpectSameTree;
using testing::TempDir;
using testing::TxnMaker;

// A tree with nested nodes, binary data, a non-default ACL, ephemerals of two sessions.
DataTree SampleTree(TxnMaker& m) {
  DataTree tree;
  std::vector<Trigger> t;
  auto apply = [&](const Txn& txn) { tree.Apply(txn, &t); };
  apply(m.Create(tree, "/app", "config"));
  apply(m.Create(tree, "/app/a", std::string("\0\1\2binary", 9)));
  apply(m.Create(tree, "/app/b", ""));
  apply(m.Create(tree, "/app/a/deep", "x", 0, false, {Acl{perm::kRead, Id{"digest", "u:h"}}}));
  apply(m.Create(tree, "/locks", ""));
  apply(m.Create(tree, "/locks/lock-0000000000", "s1", 0x11, true));
  apply(m.Create(tree, "/locks/lock-0000000001", "s2", 0x22, true));
  apply(m.SetData(tree, "/app", "config-v2"));
  apply(m.Delete("/app/b"));
  return tree;
}

TEST(SnapshotTest, SaveThenRead_RoundTripsNodesStatsAclsSessions) {
  TempDir dir;
  TxnMaker m;
  DataTree tree = SampleTree(m);
  SessionMap sessions{{0x11, 30000}, {0x22, 10000}};
  int64_t zxid = m.next_zxid() - 1;
  ASSERT_TRUE(SaveSnapshot(dir.path(), tree, sessions, zxid).ok());

  auto found = FindSnapshots(dir.path());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].zxid, zxid);
  EXPECT_TRUE(SnapshotLooksComplete(found[0].path));

  LoadedSnapshot snap;
  Status s = ReadSnapshot(found[0].path, &snap);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(snap.zxid, zxid);
  EXPECT_EQ(snap.end_zxid, zxid);
  EXPECT_EQ(snap.sessions, sessions);
  EXPECT_EQ(snap.node_count, testing::Dump(tree).size());
  ExpectSameTree(tree, snap.tree);
  EXPECT_EQ(snap.tree.approximate_data_size(), tree.approximate_data_size());
}

TEST(SnapshotTest, LoadedNodesWithOneAclRef_ShareOneList) {
  TempDir dir;
  TxnMaker m;
  DataTree tree;
  std::vector<Trigger> t;
  AclList digest{Acl{perm::kAll, Id{"digest", "u:h"}}};
  tree.Apply(m.Create(tree, "/a", "", 0, false, digest), &t);
  tree.Apply(m.Create(tree, "/b", "", 0, false, digest), &t);  // its own list, equal contents
  tree.Apply(m.Create(tree, "/c", ""), &t);
  ASSERT_FALSE(tree.Find("/a")->acl.SameObject(tree.Find("/b")->acl));
  ASSERT_TRUE(SaveSnapshot(dir.path(), tree, {}, m.next_zxid() - 1).ok());
  LoadedSnapshot loaded;
  ASSERT_TRUE(ReadSnapshot(FindSnapshots(dir.path())[0].path, &loaded).ok());
  const Node* a = loaded.tree.Find("/a");
  const Node* b = loaded.tree.Find("/b");
  const Node* c = loaded.tree.Find("/c");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a->acl, digest);
  EXPECT_TRUE(a->acl.SameObject(b->acl)) << "one ACL cache entry, one list";
  EXPECT_TRUE(c->acl.SameObject(SharedAcl::Open()));
}

TEST(SnapshotTest, FileStartsWithZooKeepersHeaderAndEndsWithSeal) {
  TempDir dir;
  TxnMaker m;
  DataTree tree = SampleTree(m);
  ASSERT_TRUE(SaveSnapshot(dir.path(), tree, {}, 9).ok());
  std::string data;
  ASSERT_TRUE(ReadFile(VersionDir(dir.path()) + "/snapshot.9", &data).ok());
  EXPECT_EQ(data.substr(0, 4), "ZKSN");
  EXPECT_EQ(LoadBigEndian32(data.data() + 4), 2);
  EXPECT_EQ(static_cast<int64_t>(LoadBigEndian64(data.data() + 8)), -1);
  EXPECT_EQ(data.substr(data.size() - 5), std::string("\0\0\0\1/", 5));
}

TEST(SnapshotTest, ChunkedSteps_GiveTheSameBytesAsOneStep) {
  TxnMaker m;
  DataTree tree = SampleTree(m);
  SnapshotSerializer whole(tree, {{1, 2}}, 7);
  EXPECT_TRUE(whole.Step(SIZE_MAX));
  SnapshotImage a = whole.Finish(7);
  for (size_t chunk : {1, 2, 3, 5}) {
    SnapshotSerializer parts(tree, {{1, 2}}, 7);
    int steps = 0;
    while (!parts.Step(chunk)) ++steps;
    EXPECT_GT(steps, 0);
    SnapshotImage b = parts.Finish(7);
    EXPECT_EQ(a.head, b.head) << chunk;
    EXPECT_EQ(a.nodes, b.nodes) << chunk;
    EXPECT_EQ(b.node_count, testing::Dump(tree).size());
  }
}

TEST(SnapshotTest, StreamedFile_HoldsTheBytesOfTheWholeImage) {
  // SaveSnapshot writes a few MB at a time, with the ACL cache gathered before the nodes: the
  // file must be what the image serialized in one piece and sealed would be. 60k nodes of
  // 100 bytes make ~10 MB, several chunks; ACLs appear late in the walk too.
  TempDir dir;
  TxnMaker m;
  DataTree tree = SampleTree(m);
  std::vector<Trigger> t;
  const std::string value(100, 'v');
  for (int i = 0; i < 60000; ++i) {
    AclList acl;
    if (i % 20000 == 19999) acl = {Acl{perm::kRead, Id{"digest", "u" + std::to_string(i)}}};
    tree.Apply(m.Create(tree, "/big-" + std::to_string(i), value, 0, false, acl), &t);
  }
  const int64_t zxid = m.next_zxid() - 1;
  SessionMap sessions{{0x11, 30000}};
  ASSERT_TRUE(SaveSnapshot(dir.path(), tree, sessions, zxid).ok());
  SnapshotSerializer whole(tree, sessions, zxid);
  ASSERT_TRUE(whole.Step(SIZE_MAX));
  std::string file;
  ASSERT_TRUE(ReadFile(FindSnapshots(dir.path())[0].path, &file).ok());
  const std::string expected = SealedSnapshot(whole.Finish(zxid));
  ASSERT_GT(expected.size(), size_t{8} << 20);
  EXPECT_EQ(file.size(), expected.size());
  EXPECT_TRUE(file == expected) << "the streamed file differs from the image";
}

TEST(SnapshotTest, StepsResumeAfterTheCursorWasDeleted) {
  TxnMaker m;
  DataTree tree;
  std::vector<Trigger> t;
  for (const char* p : {"/a", "/a/x", "/a/x/1", "/a/y", "/b"})
    tree.Apply(m.Create(tree, p, ""), &t);
  SnapshotSerializer s(tree, {}, m.next_zxid() - 1);
  // Root, /a, /a/x, /a/x/1 ... then the walk's position disappears.
  ASSERT_FALSE(s.Step(4));
  tree.Apply(m.Delete("/a/x/1"), &t);
  tree.Apply(m.Delete("/a/x"), &t);
  tree.Apply(m.Create(tree, "/a/z", ""), &t);
  while (!s.Step(1)) {
  }
  SnapshotImage image = s.Finish(m.next_zxid() - 1);
  // root, zookeeper subtree (3), /a, /a/x, /a/x/1, /a/y, /a/z, /b
  EXPECT_EQ(image.node_count, 1u + 3 + 4 + 2);
}

TEST(SnapshotTest, EmptyOrTruncatedOrCorruptFile_IsRejectedWithReason) {
  TempDir dir;
  TxnMaker m;
  DataTree tree = SampleTree(m);
  ASSERT_TRUE(SaveSnapshot(dir.path(), tree, {}, 9).ok());
  std::string good;
  std::string path = VersionDir(dir.path()) + "/snapshot.9";
  ASSERT_TRUE(ReadFile(path, &good).ok());
  LoadedSnapshot snap;

  { std::ofstream(path, std::ios::trunc); }
  Status s = ReadSnapshot(path, &snap);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_FALSE(SnapshotLooksComplete(path));

  { std::ofstream(path, std::ios::trunc) << good.substr(0, good.size() / 2); }
  EXPECT_FALSE(ReadSnapshot(path, &snap).ok());

  std::string flipped = good;
  flipped[good.size() / 2] ^= 1;
  { std::ofstream(path, std::ios::trunc | std::ios::binary) << flipped; }
  s = ReadSnapshot(path, &snap);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
}

TEST(SnapshotTest, FindSnapshots_NewestFirst_IgnoresTempFiles) {
  TempDir dir;
  DataTree tree;
  for (int64_t z : {int64_t{0x5}, int64_t{0x100000003}, int64_t{0x20}})
    ASSERT_TRUE(SaveSnapshot(dir.path(), tree, {}, z).ok());
  { std::ofstream(VersionDir(dir.path()) + "/snapshot.99.tmp") << "partial"; }
  auto found = FindSnapshots(dir.path());
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].zxid, 0x100000003);
  EXPECT_EQ(found[1].zxid, 0x20);
  EXPECT_EQ(found[2].zxid, 0x5);
  EXPECT_EQ(found[0].path, VersionDir(dir.path()) + "/snapshot.100000003");
}

}  // namespace
}  // namespace zk::storage
