// CutHistoryAfter (storage/log_cut.h): a learner's part of a leader's TRUNC.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "storage/disk.h"
#include "storage/log_cut.h"
#include "storage/recovery.h"
#include "storage/snapshot.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::ExpectSameTree;
using testing::TempDir;
using testing::TxnMaker;

// Creates /n1 .. /nN, one txn each, logged and synced; `at` snapshots are taken after those
// zxids; `roll_at` rolls the log after those zxids. Keeps the txns, to replay a prefix.
struct History {
  explicit History(const std::string& dir)
      : dir(dir),
        core(CoreConfig{}, 0x100),
        log(dir, {.preallocate_bytes = 1 << 16, .force_sync = true}) {}
  void Write(int n, std::set<int64_t> snap_at, std::set<int64_t> roll_at) {
    for (int i = 1; i <= n; ++i) {
      Txn t = maker.Create(core.tree(), "/n" + std::to_string(i), "v");
      ASSERT_TRUE(log.Append(t.header.zxid, t.Encode()).ok());
      ASSERT_TRUE(log.Sync().ok());
      core.ApplyTxn(t);
      txns.push_back(t);
      if (snap_at.count(core.last_zxid())) {
        ASSERT_TRUE(
            SaveSnapshot(dir, core.tree(), SessionsOf(core.sessions()), core.last_zxid()).ok());
      }
      if (roll_at.count(core.last_zxid())) ASSERT_TRUE(log.Roll().ok());
    }
  }
  std::string dir;
  Core core;
  TxnLog log;
  TxnMaker maker;
  std::vector<Txn> txns;
  // The tree as it was at `zxid`, replayed from the txns.
  std::unique_ptr<Core> At(int64_t zxid) const {
    auto c = std::make_unique<Core>(CoreConfig{}, 0x100);
    for (const Txn& t : txns) {
      if (t.header.zxid <= zxid) c->ApplyTxn(t);
    }
    return c;
  }
};

Core Recovered(const std::string& dir, RecoveryResult* r) {
  Core got(CoreConfig{}, 0x100);
  Status s = Recover(dir, dir, got, r);
  EXPECT_TRUE(s.ok()) << s.message();
  return got;
}

TEST(LogCutTest, CutsInsideAFileAndRemovesLaterFiles_RecoveryEndsAtTheCut) {
  TempDir d;
  History h(d.path());
  h.Write(10, {}, {4, 7});  // files start at 1, 5, 8
  CutResult cut;
  ASSERT_TRUE(CutHistoryAfter(d.path(), d.path(), 5, &cut).ok());
  EXPECT_TRUE(cut.refused.empty());
  EXPECT_TRUE(cut.log_file_cut);
  EXPECT_EQ(cut.log_files_removed, 1);  // the one starting at 8
  RecoveryResult r;
  Core got = Recovered(d.path(), &r);
  EXPECT_EQ(got.last_zxid(), 5);
  ExpectSameTree(h.At(got.last_zxid())->tree(), got.tree());
}

TEST(LogCutTest, CutAtAFileStart_RemovesThatFile) {
  TempDir d;
  History h(d.path());
  h.Write(6, {}, {3});  // files start at 1 and 4
  CutResult cut;
  ASSERT_TRUE(CutHistoryAfter(d.path(), d.path(), 3, &cut).ok());
  RecoveryResult r;
  EXPECT_EQ(Recovered(d.path(), &r).last_zxid(), 3);
  EXPECT_EQ(ListZxidFiles(VersionDir(d.path()), "log").size(), 1u);
}

TEST(LogCutTest, SnapshotPastTheCutGoes_WhenAnOlderOneRemains) {
  TempDir d;
  History h(d.path());
  h.Write(8, {2, 6}, {});
  CutResult cut;
  ASSERT_TRUE(CutHistoryAfter(d.path(), d.path(), 4, &cut).ok());
  EXPECT_EQ(cut.snapshots_removed, 1);
  RecoveryResult r;
  Core got = Recovered(d.path(), &r);
  EXPECT_EQ(r.snapshot_zxid, 2);
  EXPECT_EQ(got.last_zxid(), 4);
  ExpectSameTree(h.At(got.last_zxid())->tree(), got.tree());
}

TEST(LogCutTest, OnlySnapshotIsPastTheCut_RefusedAndNothingTouched) {
  TempDir d;
  History h(d.path());
  h.Write(8, {6}, {});
  CutResult cut;
  ASSERT_TRUE(CutHistoryAfter(d.path(), d.path(), 4, &cut).ok());
  EXPECT_FALSE(cut.refused.empty());
  EXPECT_EQ(FindSnapshots(d.path()).size(), 1u);
  RecoveryResult r;
  EXPECT_EQ(Recovered(d.path(), &r).last_zxid(), 8);
}

TEST(LogCutTest, NothingPastTheCut_NothingChanges) {
  TempDir d;
  History h(d.path());
  h.Write(3, {}, {});
  CutResult cut;
  ASSERT_TRUE(CutHistoryAfter(d.path(), d.path(), 3, &cut).ok());
  EXPECT_FALSE(cut.log_file_cut);
  RecoveryResult r;
  EXPECT_EQ(Recovered(d.path(), &r).last_zxid(), 3);
}

}  // namespace
}  // namespace zk::storage
