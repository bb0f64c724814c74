// Watches: which registrations an event fires (docs/data-tree.md, Watches), one-shot versus
// persistent, the recursive walk up the ancestors, the named limit, and the dumps.
#include "tree/watches.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace zk {
namespace {

constexpr int64_t kA = 0xa;
constexpr int64_t kB = 0xb;
constexpr int64_t kC = 0xc;

std::vector<int64_t> Sessions(const std::vector<WatchEvent>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.session_id);
  return out;
}

TEST(Watches, DataWatch_FiresOnceThenIsGone) {
  Watches w;
  ASSERT_TRUE(w.Add("/a", kA, WatchKind::kData));
  EXPECT_EQ(w.count(), 1u);
  std::vector<WatchEvent> fired = w.Trigger("/a", EventType::kNodeDataChanged);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].session_id, kA);
  EXPECT_EQ(fired[0].type, EventType::kNodeDataChanged);
  EXPECT_EQ(fired[0].path, "/a");
  EXPECT_FALSE(w.Has("/a", kA, WatchKind::kData));
  EXPECT_EQ(w.count(), 0u);
  EXPECT_TRUE(w.Trigger("/a", EventType::kNodeDataChanged).empty());
}

TEST(Watches, DataWatch_FiresOnCreatedChangedAndDeletedButNotOnChildren) {
  for (EventType t :
       {EventType::kNodeCreated, EventType::kNodeDataChanged, EventType::kNodeDeleted}) {
    Watches w;
    w.Add("/a", kA, WatchKind::kData);
    EXPECT_EQ(Sessions(w.Trigger("/a", t)), std::vector<int64_t>{kA}) << static_cast<int>(t);
  }
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  EXPECT_TRUE(w.Trigger("/a", EventType::kNodeChildrenChanged).empty());
  EXPECT_TRUE(w.Has("/a", kA, WatchKind::kData));
}

TEST(Watches, ChildWatch_FiresOnChildrenChangedAndDeletedOnly) {
  Watches w;
  w.Add("/p", kA, WatchKind::kChild);
  EXPECT_TRUE(w.Trigger("/p", EventType::kNodeDataChanged).empty());
  EXPECT_TRUE(w.Trigger("/p", EventType::kNodeCreated).empty());
  EXPECT_EQ(Sessions(w.Trigger("/p", EventType::kNodeChildrenChanged)), std::vector<int64_t>{kA});
  EXPECT_FALSE(w.Has("/p", kA, WatchKind::kChild));
  w.Add("/p", kA, WatchKind::kChild);
  EXPECT_EQ(Sessions(w.Trigger("/p", EventType::kNodeDeleted)), std::vector<int64_t>{kA});
  EXPECT_EQ(w.count(), 0u);
}

TEST(Watches, Delete_ConsumesDataAndChildWatchesWithOneEventPerSession) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/a", kA, WatchKind::kChild);
  w.Add("/a", kB, WatchKind::kChild);
  std::vector<WatchEvent> fired = w.Trigger("/a", EventType::kNodeDeleted);
  EXPECT_EQ(Sessions(fired), (std::vector<int64_t>{kA, kB}));  // in session order
  EXPECT_EQ(w.count(), 0u);
}

TEST(Watches, Trigger_OnlyTheExactPathFiresOneShotWatches) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/a/b", kB, WatchKind::kData);
  EXPECT_EQ(Sessions(w.Trigger("/a/b", EventType::kNodeDataChanged)), std::vector<int64_t>{kB});
  EXPECT_TRUE(w.Has("/a", kA, WatchKind::kData));
}

TEST(Watches, PersistentWatch_FiresEveryTimeIncludingChildrenChanged) {
  Watches w;
  w.Add("/a", kA, WatchKind::kPersistent);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeDataChanged)), std::vector<int64_t>{kA});
  }
  EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeChildrenChanged)), std::vector<int64_t>{kA});
  EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeDeleted)), std::vector<int64_t>{kA});
  EXPECT_TRUE(w.Has("/a", kA, WatchKind::kPersistent));
  EXPECT_EQ(w.count(), 1u);
  EXPECT_TRUE(w.Trigger("/a/child", EventType::kNodeCreated).empty());  // not recursive
}

TEST(Watches, RecursiveWatch_FiresForTheSubtreeButNotForChildrenChanged) {
  Watches w;
  w.Add("/a", kA, WatchKind::kPersistentRecursive);
  w.Add("/", kB, WatchKind::kPersistentRecursive);
  EXPECT_EQ(Sessions(w.Trigger("/a/b/c", EventType::kNodeCreated)), (std::vector<int64_t>{kA, kB}));
  EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeDataChanged)), (std::vector<int64_t>{kA, kB}));
  EXPECT_EQ(Sessions(w.Trigger("/ab", EventType::kNodeDeleted)),
            std::vector<int64_t>{kB});  // "/ab" is not under "/a"
  EXPECT_TRUE(w.Trigger("/a", EventType::kNodeChildrenChanged).empty());
  EXPECT_EQ(w.count(), 2u);
}

TEST(Watches, Trigger_SessionWithSeveralMatchingWatchesGetsOneEvent) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/a", kA, WatchKind::kPersistent);
  w.Add("/", kA, WatchKind::kPersistentRecursive);
  w.Add("/a", kA, WatchKind::kPersistentRecursive);
  std::vector<WatchEvent> fired = w.Trigger("/a", EventType::kNodeDataChanged);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].session_id, kA);
  EXPECT_EQ(w.count(), 3u);  // only the data watch was consumed
}

TEST(Watches, Add_SameRegistrationTwiceCountsOnce) {
  Watches w;
  EXPECT_TRUE(w.Add("/a", kA, WatchKind::kData));
  EXPECT_TRUE(w.Add("/a", kA, WatchKind::kData));
  EXPECT_EQ(w.count(), 1u);
  EXPECT_TRUE(w.Add("/a", kA, WatchKind::kChild));  // another kind is another watch
  EXPECT_EQ(w.count(), 2u);
}

TEST(Watches, Add_RefusedAtTheLimitButReAddingAnExistingOneSucceeds) {
  Watches w;
  w.set_limit(2);
  EXPECT_TRUE(w.Add("/a", kA, WatchKind::kData));
  EXPECT_TRUE(w.Add("/b", kA, WatchKind::kData));
  EXPECT_FALSE(w.Add("/c", kA, WatchKind::kData));
  EXPECT_FALSE(w.Has("/c", kA, WatchKind::kData));
  EXPECT_EQ(w.ByPath().count("/c"), 0u);  // the refused path leaves no empty entry
  EXPECT_TRUE(w.Add("/a", kA, WatchKind::kData));
  EXPECT_EQ(w.count(), 2u);
  w.Trigger("/a", EventType::kNodeDataChanged);  // frees one slot
  EXPECT_TRUE(w.Add("/c", kA, WatchKind::kData));
}

TEST(Watches, Remove_OneRegistrationAndSaysWhetherItExisted) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/a", kB, WatchKind::kData);
  EXPECT_FALSE(w.Remove("/a", kA, WatchKind::kChild));
  EXPECT_TRUE(w.Remove("/a", kA, WatchKind::kData));
  EXPECT_FALSE(w.Remove("/a", kA, WatchKind::kData));
  EXPECT_FALSE(w.Remove("/zzz", kA, WatchKind::kData));
  EXPECT_EQ(w.count(), 1u);
  EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeDataChanged)), std::vector<int64_t>{kB});
}

TEST(Watches, RemoveSession_DropsEveryKindOfThatSessionOnly) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/a", kA, WatchKind::kChild);
  w.Add("/a", kA, WatchKind::kPersistent);
  w.Add("/", kA, WatchKind::kPersistentRecursive);
  w.Add("/a", kB, WatchKind::kData);
  w.RemoveSession(kA);
  EXPECT_EQ(w.count(), 1u);
  EXPECT_FALSE(w.Has("/a", kA, WatchKind::kData));
  EXPECT_FALSE(w.Has("/a", kA, WatchKind::kChild));
  EXPECT_FALSE(w.Has("/a", kA, WatchKind::kPersistent));
  EXPECT_FALSE(w.Has("/", kA, WatchKind::kPersistentRecursive));
  EXPECT_TRUE(w.Has("/a", kB, WatchKind::kData));
  EXPECT_EQ(Sessions(w.Trigger("/a", EventType::kNodeDeleted)), std::vector<int64_t>{kB});
}

TEST(Watches, Dumps_CoverDataWatchesOnlyAsZooKeepersWchcAndWchp) {
  Watches w;
  w.Add("/a", kA, WatchKind::kData);
  w.Add("/b", kA, WatchKind::kData);
  w.Add("/b", kC, WatchKind::kData);
  w.Add("/x", kB, WatchKind::kChild);
  w.Add("/y", kB, WatchKind::kPersistent);
  EXPECT_EQ(w.data_watch_count(), 3u);
  EXPECT_EQ(w.count(), 5u);
  EXPECT_EQ(w.BySession(),
            (std::map<int64_t, std::set<std::string>>{{kA, {"/a", "/b"}}, {kC, {"/b"}}}));
  EXPECT_EQ(w.ByPath(), (std::map<std::string, std::set<int64_t>>{{"/a", {kA}}, {"/b", {kA, kC}}}));
}

}  // namespace
}  // namespace zk
