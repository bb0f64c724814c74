// The rule for a DIFF from the leader's on-disk log (core/txn_log_source.h, ZooKeeper's
// LearnerHandler.syncFollower + ZKDatabase.getProposalsFromTxnLog) over a fake log, and the
// storage half it runs on in zkd (storage/log_range.h) over real log and snapshot files.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/txn_log_source.h"
#include "server/config.h"
#include "storage/disk.h"
#include "storage/log_range.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"
#include "tree/txn.h"

namespace zk {
namespace {

// A log of txns named by zxid, with sizes the test sets.
class FakeLog : public TxnLogSource {
 public:
  int64_t snapshot_bytes = 0;
  int64_t log_bytes = 0;
  std::map<int64_t, std::string> txns;
  int64_t fail_after = -1;  // Read stops (false) after returning txns up to this zxid
  int reads = 0;

  int64_t SnapshotBytes() override { return snapshot_bytes; }
  int64_t LogBytesFrom(int64_t) override { return log_bytes; }
  bool Read(int64_t from, int64_t through,
            std::vector<std::pair<int64_t, std::string>>* out) override {
    ++reads;
    for (auto it = txns.lower_bound(from); it != txns.end() && it->first <= through; ++it) {
      if (fail_after >= 0 && it->first > fail_after) return false;
      out->emplace_back(it->first, it->second);
    }
    return true;
  }
};

FakeLog LogOf(int64_t first, int64_t last) {
  FakeLog log;
  for (int64_t z = first; z <= last; ++z) log.txns[z] = "txn " + std::to_string(z);
  return log;
}

std::vector<int64_t> Zxids(const LogDiff& d) {
  std::vector<int64_t> v;
  for (const auto& [zxid, txn] : d.txns) v.push_back(zxid);
  return v;
}

TEST(LogDiff, SizeLimit_IsZooKeepersFactorTimesSnapshotTruncated) {
  EXPECT_EQ(TxnLogSizeLimit(0.33, 1000), 330);
  EXPECT_EQ(TxnLogSizeLimit(0.33, 1001), 330);  // (long) 330.33
  EXPECT_EQ(TxnLogSizeLimit(0.33, 0), 0);
  EXPECT_EQ(TxnLogSizeLimit(1.0, 12345), 12345);
}

TEST(LogDiff, OnDiskUnderTheLimit_SendsEverythingAfterTheLearnersZxidUpToTheHistory) {
  FakeLog log = LogOf(1, 100);
  log.snapshot_bytes = 10'000;
  log.log_bytes = 3'300;  // exactly the limit: allowed ("exceeds" is strictly more)
  LogDiff d = ReadLogForDiff(&log, 0.33, 40, 90);
  ASSERT_TRUE(d.ok) << d.why_not;
  std::vector<int64_t> want;
  for (int64_t z = 41; z <= 90; ++z) want.push_back(z);
  EXPECT_EQ(Zxids(d), want);
  EXPECT_EQ(d.txns.front().second, "txn 41");
  EXPECT_EQ(d.limit_bytes, 3'300);
}

TEST(LogDiff, OverTheLimit_NoDiffAndNothingRead) {
  FakeLog log = LogOf(1, 100);
  log.snapshot_bytes = 10'000;
  log.log_bytes = 3'301;
  LogDiff d = ReadLogForDiff(&log, 0.33, 40, 90);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why_not.find("over the limit of 3300"), std::string::npos) << d.why_not;
  EXPECT_EQ(log.reads, 0);  // the size decides before the loop reads anything
}

TEST(LogDiff, LimitZero_NoSnapshotOrFactorZero_ChecksNoSize) {
  // ZooKeeper checks the size only when the limit is > 0.
  FakeLog log = LogOf(1, 100);
  log.log_bytes = 1 << 30;
  EXPECT_TRUE(ReadLogForDiff(&log, 0.33, 40, 90).ok);  // no snapshot
  log.snapshot_bytes = 10'000;
  EXPECT_TRUE(ReadLogForDiff(&log, 0, 40, 90).ok);  // factor 0
}

TEST(LogDiff, NegativeFactorOrNoLog_Disabled) {
  FakeLog log = LogOf(1, 100);
  LogDiff d = ReadLogForDiff(&log, -1, 40, 90);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why_not.find("disabled"), std::string::npos);
  EXPECT_EQ(log.reads, 0);
  EXPECT_FALSE(ReadLogForDiff(nullptr, 0.33, 40, 90).ok);
}

TEST(LogDiff, LogWithoutTheLearnersZxid_NoDiff) {
  FakeLog log = LogOf(50, 100);  // purged below 50
  LogDiff d = ReadLogForDiff(&log, 0.33, 40, 90);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why_not.find("does not hold the learner's zxid"), std::string::npos);
  // A zxid the leader never logged (the learner's own), between two of ours: no DIFF either.
  log = LogOf(1, 100);
  log.txns.erase(40);
  EXPECT_FALSE(ReadLogForDiff(&log, 0.33, 40, 90).ok);
  // An empty learner, or one asking for a SNAP (-1): nothing is read.
  log = LogOf(1, 100);
  EXPECT_FALSE(ReadLogForDiff(&log, 0.33, 0, 90).ok);
  EXPECT_FALSE(ReadLogForDiff(&log, 0.33, -1, 90).ok);
  EXPECT_EQ(log.reads, 0);
}

TEST(LogDiff, GapBeforeTheHistory_NoDiff) {
  // The log ends before the in-memory history starts (ZooKeeper: "Detected gap between end of
  // txnlog and start of committedLog").
  FakeLog log = LogOf(1, 80);
  LogDiff d = ReadLogForDiff(&log, 0.33, 40, 90);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why_not.find("gap"), std::string::npos) << d.why_not;
  // A read that fails half-way is the same: not all of it.
  log = LogOf(1, 100);
  log.fail_after = 60;
  d = ReadLogForDiff(&log, 0.33, 40, 90);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why_not.find("could not be read"), std::string::npos) << d.why_not;
}

TEST(LogDiff, LearnerInTheHistory_NotTheLogsBusiness) {
  FakeLog log = LogOf(1, 100);
  EXPECT_FALSE(ReadLogForDiff(&log, 0.33, 90, 90).ok);
  EXPECT_EQ(log.reads, 0);
}

// ---------------------------------------------------------------- zkd's files

std::string TxnBytes(int64_t zxid) {
  return storage::testing::CreateTxnBytes(zxid, "/n" + std::to_string(zxid), std::string(100, 'x'));
}

TEST(LogRange, ReadsTheRangeAcrossFiles_AndCountsFileLengthsFromTheFileHoldingTheStart) {
  storage::testing::TempDir dir;
  storage::TxnLog log(dir.path(), {.preallocate_bytes = 4096, .force_sync = false});
  for (int64_t z = 1; z <= 30; ++z) {
    ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    if (z % 10 == 0) ASSERT_TRUE(log.Roll().ok());  // log.1, log.b, log.15
  }
  std::vector<std::pair<int64_t, std::string>> out;
  ASSERT_TRUE(storage::ReadLogRange(dir.path(), 5, 25, &out).ok());
  ASSERT_EQ(out.size(), 21u);
  EXPECT_EQ(out.front().first, 5);
  EXPECT_EQ(out.back().first, 25);
  EXPECT_EQ(out.back().second, TxnBytes(25));

  const std::string v2 = storage::VersionDir(dir.path());
  auto size = [&](const char* name) {
    std::string bytes;
    EXPECT_TRUE(storage::ReadFile(v2 + "/" + name, &bytes).ok());
    return static_cast<int64_t>(bytes.size());
  };
  const int64_t all = size("log.1") + size("log.b") + size("log.15");
  EXPECT_GE(size("log.1"), 4096);  // preallocated: the padding counts, as in ZooKeeper
  EXPECT_EQ(storage::LogBytesFrom(dir.path(), 5), all);
  EXPECT_EQ(storage::LogBytesFrom(dir.path(), 11), all - size("log.1"));
  EXPECT_EQ(storage::LogBytesFrom(dir.path(), 25), size("log.15"));
  EXPECT_EQ(storage::NewestSnapshotBytes(dir.path()), 0);

  // Through the rule: the learner at 5, the history from 26 on.
  struct Disk : TxnLogSource {
    std::string d;
    int64_t SnapshotBytes() override { return storage::NewestSnapshotBytes(d); }
    int64_t LogBytesFrom(int64_t from) override { return storage::LogBytesFrom(d, from); }
    bool Read(int64_t from, int64_t through,
              std::vector<std::pair<int64_t, std::string>>* o) override {
      return storage::ReadLogRange(d, from, through, o).ok();
    }
  } disk;
  disk.d = dir.path();
  LogDiff diff = ReadLogForDiff(&disk, 0.33, 5, 25);
  ASSERT_TRUE(diff.ok) << diff.why_not;
  EXPECT_EQ(diff.txns.size(), 20u);
  // A middle file lost: the read stops with an error, and no DIFF.
  ASSERT_EQ(::unlink((v2 + "/log.b").c_str()), 0);
  out.clear();
  EXPECT_FALSE(storage::ReadLogRange(dir.path(), 5, 25, &out).ok());
  EXPECT_FALSE(ReadLogForDiff(&disk, 0.33, 5, 25).ok);
}

TEST(SnapshotSizeFactorConfig, ZooKeepersDefault_NegativeDisables_AboveOneWarns_TypoRefused) {
  const std::string base = "dataDir=/tmp/zk\nclientPort=2181\n";
  ConfigResult r = ParseConfigText(base, "zoo.cfg");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_DOUBLE_EQ(r.config.snapshot_size_factor, 0.33);
  r = ParseConfigText(base + "snapshotSizeFactor=0.5\n", "zoo.cfg");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_DOUBLE_EQ(r.config.snapshot_size_factor, 0.5);
  r = ParseConfigText(base + "zookeeper.snapshotSizeFactor=-1\n", "zoo.cfg");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_DOUBLE_EQ(r.config.snapshot_size_factor, -1);
  r = ParseConfigText(base + "snapshotSizeFactor=3\n", "zoo.cfg");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_DOUBLE_EQ(r.config.snapshot_size_factor, 0.33);
  ASSERT_EQ(r.config.warnings.size(), 1u);
  EXPECT_NE(r.config.warnings[0].find("snapshotSizeFactor=3"), std::string::npos);
  r = ParseConfigText(base + "snapshotSizeFactor=0.3x\n", "zoo.cfg");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("zoo.cfg: snapshotSizeFactor=0.3x: expected a number"),
            std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace zk
