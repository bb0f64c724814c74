#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "storage/disk.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::TempDir;
using testing::TxnMaker;

std::string TxnBytes(int64_t zxid, const std::string& path = "/node") {
  return testing::CreateTxnBytes(zxid, path, "payload-" + std::to_string(zxid));
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

void FlipByte(const std::string& path, int64_t offset) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(::pread(fd, &c, 1, offset), 1);
  c ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &c, 1, offset), 1);
  ::close(fd);
}

void ZeroRange(const std::string& path, int64_t offset, int64_t len) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::string zeros(static_cast<size_t>(len), '\0');
  ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), offset), len);
  ::close(fd);
}

struct ReadAll {
  std::vector<int64_t> zxids;
  std::vector<int64_t> offsets;
  std::vector<std::string> files;
  Status status;
  TornTail torn;
};

ReadAll Read(const std::string& dir, int64_t from = 1) {
  ReadAll out;
  TxnLogReader reader(dir, from);
  TxnLogEntry e;
  while (reader.Next(&e)) {
    EXPECT_EQ(TxnZxid(e.bytes), e.zxid);
    out.zxids.push_back(e.zxid);
    out.offsets.push_back(e.offset);
    out.files.emplace_back(e.file);
  }
  out.status = reader.status();
  out.torn = reader.torn_tail();
  return out;
}

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t z = from; z <= to; ++z) v.push_back(z);
  return v;
}

TEST(TxnLogTest, AppendSync_RoundTripsEntriesInOrder) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 20});
  for (int64_t z = 1; z <= 5; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.last_synced_zxid(), 5);
  EXPECT_EQ(log.current_file(), VersionDir(dir.path()) + "/log.1");

  TxnLogReader reader(dir.path(), 1);
  TxnLogEntry e;
  for (int64_t z = 1; z <= 5; ++z) {
    ASSERT_TRUE(reader.Next(&e)) << reader.status().message();
    EXPECT_EQ(e.zxid, z);
    EXPECT_EQ(std::string(e.bytes), TxnBytes(z));
  }
  EXPECT_FALSE(reader.Next(&e));
  EXPECT_TRUE(reader.status().ok());
  EXPECT_FALSE(reader.torn_tail().present());
}

TEST(TxnLogTest, FileLayoutIsZooKeepers) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 0});
  std::string txn = TxnBytes(1);
  ASSERT_TRUE(log.Append(1, txn).ok());
  ASSERT_TRUE(log.Sync().ok());
  std::string data;
  ASSERT_TRUE(ReadFile(log.current_file(), &data).ok());
  ASSERT_EQ(data.size(), 16 + 8 + 4 + txn.size() + 1);
  EXPECT_EQ(data.substr(0, 4), "ZKLG");
  EXPECT_EQ(LoadBigEndian32(data.data() + 4), 2);
  EXPECT_EQ(LoadBigEndian64(data.data() + 8), 0u);  // dbid
  EXPECT_EQ(LoadBigEndian64(data.data() + 16), Adler32(txn));
  EXPECT_EQ(LoadBigEndian32(data.data() + 24), static_cast<int32_t>(txn.size()));
  EXPECT_EQ(data.substr(28, txn.size()), txn);
  EXPECT_EQ(static_cast<uint8_t>(data.back()), 0x42);
}

TEST(TxnLogTest, GroupCommit_ManyEntriesInOneSync_OnPreallocatedFile) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 20});
  for (int64_t z = 1; z <= 1000; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  EXPECT_EQ(log.pending_entries(), 1000u);
  EXPECT_EQ(log.last_synced_zxid(), 0);
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.pending_entries(), 0u);
  EXPECT_EQ(log.last_synced_zxid(), 1000);
  EXPECT_EQ(FileSize(log.current_file()), 1 << 20);  // grown once, ahead of the data
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 1000));
  // Nothing to do is fine.
  EXPECT_TRUE(log.Sync().ok());
}

TEST(TxnLogTest, Preallocation_GrowsInSteps) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  std::string big(10000, 'x');
  Txn t;
  t.header = {1, 1, 1, 1, ToInt(OpCode::kSetData)};
  t.op.type = OpCode::kSetData;
  t.op.path = "/a";
  t.op.data = big;
  ASSERT_TRUE(log.Append(1, t.Encode()).ok());
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(FileSize(log.current_file()), 3 * 4096);
}

TEST(TxnLogTest, ForceSyncNo_StillWritesEverything) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16, .force_sync = false});
  for (int64_t z = 1; z <= 10; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 10));
}

TEST(TxnLogTest, Append_RejectsNonIncreasingOrMismatchedZxid) {
  TempDir dir;
  TxnLog log(dir.path());
  ASSERT_TRUE(log.Append(5, TxnBytes(5)).ok());
  EXPECT_FALSE(log.Append(5, TxnBytes(5)).ok());
  EXPECT_FALSE(log.Append(4, TxnBytes(4)).ok());
  EXPECT_FALSE(log.Append(7, TxnBytes(6)).ok());
  EXPECT_TRUE(log.Append(6, TxnBytes(6)).ok());
}

TEST(TxnLogTest, Roll_StartsFileNamedByItsFirstZxid_ReaderCrossesFiles) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
  for (int64_t z = 1; z <= 300; ++z) {
    ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    if (z % 7 == 0) ASSERT_TRUE(log.Sync().ok());
    if (log.entries_in_file() == 100) ASSERT_TRUE(log.Roll().ok());
  }
  ASSERT_TRUE(log.Sync().ok());
  auto files = ListZxidFiles(VersionDir(dir.path()), "log");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].zxid, 1);
  EXPECT_EQ(files[1].zxid, 101);
  EXPECT_EQ(files[2].zxid, 201);
  EXPECT_EQ(files[1].path, VersionDir(dir.path()) + "/log.65");
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 300));
  // From a zxid in the middle: starts in the file that holds it.
  ReadAll from = Read(dir.path(), 150);
  EXPECT_EQ(from.zxids, Range(150, 300));
  EXPECT_EQ(from.files.front(), files[1].path);
}

TEST(TxnLogTest, ReaderAcceptsEpochChange) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
  int64_t e1 = int64_t{1} << 32;
  int64_t e3 = int64_t{3} << 32;
  for (int64_t z : {e1 | 1, e1 | 2, e3 | 1, e3 | 2}) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  ASSERT_TRUE(log.Sync().ok());
  ReadAll r = Read(dir.path(), 1);
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.zxids, (std::vector<int64_t>{e1 | 1, e1 | 2, e3 | 1, e3 | 2}));
}

TEST(TxnLogTest, TornTail_EntryCutShort_StopsAndReportsBytesDropped) {
  TempDir dir;
  std::string file;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 0});
    for (int64_t z = 1; z <= 10; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    ASSERT_TRUE(log.Sync().ok());
    file = log.current_file();
  }
  ReadAll before = Read(dir.path());
  int64_t last_offset = before.offsets.back();
  int64_t size = FileSize(file);
  ASSERT_EQ(::truncate(file.c_str(), size - 5), 0);  // the crash cut the last write

  ReadAll r = Read(dir.path());
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.zxids, Range(1, 9));
  ASSERT_TRUE(r.torn.present());
  EXPECT_EQ(r.torn.file, file);
  EXPECT_EQ(r.torn.offset, last_offset);
  // The non-zero bytes of the cut entry (its last bytes before the cut may be zeros).
  EXPECT_GT(r.torn.bytes_dropped, 0);
  EXPECT_LE(r.torn.bytes_dropped, size - 5 - last_offset);

  ASSERT_TRUE(TruncateLog(r.torn.file, r.torn.offset).ok());
  ReadAll again = Read(dir.path());
  EXPECT_EQ(again.zxids, Range(1, 9));
  EXPECT_FALSE(again.torn.present());
}

TEST(TxnLogTest, TornTail_PartialEntryInPreallocatedZeros_IsTheTail) {
  TempDir dir;
  std::string file;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 10; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    ASSERT_TRUE(log.Sync().ok());
    file = log.current_file();
  }
  ReadAll before = Read(dir.path());
  int64_t last = before.offsets.back();
  ZeroRange(file, last + 20, 100);  // the end of the last entry never reached the disk
  ReadAll r = Read(dir.path());
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.zxids, Range(1, 9));
  ASSERT_TRUE(r.torn.present());
  EXPECT_EQ(r.torn.offset, last);
  EXPECT_GT(r.torn.bytes_dropped, 12);
  EXPECT_LE(r.torn.bytes_dropped, 20);
}

TEST(TxnLogTest, TornHeaderOnlyFile_IsTheTail_WithNoEntries) {
  TempDir dir;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 3; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    ASSERT_TRUE(log.Roll().ok());
  }
  std::string second = VersionDir(dir.path()) + "/log.4";
  { std::ofstream(second) << "ZK"; }  // crash right after creating the next file
  ReadAll r = Read(dir.path());
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.zxids, Range(1, 3));
  ASSERT_TRUE(r.torn.present());
  EXPECT_EQ(r.torn.file, second);
  EXPECT_FALSE(r.torn.file_has_entries);
  ASSERT_TRUE(TruncateLog(second, 0).ok());
  EXPECT_EQ(FileSize(second), -1);
  // The next writer can create log.4 again.
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
  EXPECT_TRUE(log.Append(4, TxnBytes(4)).ok());
  EXPECT_TRUE(log.Sync().ok());
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 4));
}

TEST(TxnLogTest, FlippedByteMidLog_ErrorNamesFileAndOffset) {
  TempDir dir;
  std::string file;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 10; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    ASSERT_TRUE(log.Sync().ok());
    file = log.current_file();
  }
  ReadAll before = Read(dir.path());
  int64_t bad = before.offsets[4];  // zxid 5
  FlipByte(file, bad + 30);
  ReadAll r = Read(dir.path());
  EXPECT_EQ(r.zxids, Range(1, 4));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find(file), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("offset " + std::to_string(bad)), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("checksum"), std::string::npos) << r.status.message();
  EXPECT_FALSE(r.torn.present());
}

TEST(TxnLogTest, FlippedByteInOlderFile_IsAnErrorEvenAtItsEnd) {
  TempDir dir;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 20; ++z) {
      ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
      if (z == 10) ASSERT_TRUE(log.Roll().ok());
    }
    ASSERT_TRUE(log.Sync().ok());
  }
  std::string first = VersionDir(dir.path()) + "/log.1";
  ReadAll before = Read(dir.path());
  FlipByte(first, before.offsets[9] + 30);  // the last entry of the older file
  ReadAll r = Read(dir.path());
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find(first), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("offset " + std::to_string(before.offsets[9])),
            std::string::npos);
}

TEST(TxnLogTest, ZeroedBlockMidLog_IsAnError) {
  TempDir dir;
  std::string file;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 10; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
    ASSERT_TRUE(log.Sync().ok());
    file = log.current_file();
  }
  ReadAll before = Read(dir.path());
  ZeroRange(file, before.offsets[3], before.offsets[5] - before.offsets[3]);
  ReadAll r = Read(dir.path());
  EXPECT_EQ(r.zxids, Range(1, 3));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("offset " + std::to_string(before.offsets[3])),
            std::string::npos)
      << r.status.message();
}

TEST(TxnLogTest, MissingMiddleFile_IsAnErrorNamingTheGap) {
  TempDir dir;
  {
    TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
    for (int64_t z = 1; z <= 30; ++z) {
      ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
      if (z % 10 == 0) ASSERT_TRUE(log.Roll().ok());
    }
  }
  std::string middle = VersionDir(dir.path()) + "/log.b";
  ASSERT_EQ(::unlink(middle.c_str()), 0);
  ReadAll r = Read(dir.path());
  EXPECT_EQ(r.zxids, Range(1, 10));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("log.15"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("0x15 does not follow 0xa"), std::string::npos)
      << r.status.message();
}

TEST(TxnLogTest, FailedSync_KeepsTheBatchForTheNextSync) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
  ASSERT_TRUE(log.Append(1, TxnBytes(1)).ok());
  ASSERT_TRUE(log.Sync().ok());
  ASSERT_TRUE(log.Append(2, TxnBytes(2)).ok());
  ASSERT_TRUE(log.Append(3, TxnBytes(3)).ok());
  // Make the next preallocation impossible by asking for far more than any disk holds.
  TxnLog huge(dir.sub("other"), {.preallocate_bytes = int64_t{1} << 60});
  ASSERT_TRUE(huge.Append(1, TxnBytes(1)).ok());
  Status s = huge.Sync();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("preallocate"), std::string::npos) << s.message();
  EXPECT_EQ(huge.pending_entries(), 1u);
  EXPECT_EQ(huge.last_synced_zxid(), 0);
  // The healthy log is unaffected.
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 3));
}

TEST(TxnLogTest, SplitSync_AppendsContinueWhileABatchIsOut) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  for (int64_t z = 1; z <= 3; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  SyncJob job;
  ASSERT_TRUE(log.BeginSync(&job));
  EXPECT_TRUE(log.sync_in_flight());
  EXPECT_FALSE(log.BeginSync(&job));  // one batch out at a time
  EXPECT_EQ(job.entries, 3u);
  EXPECT_EQ(job.last_zxid, 3);
  EXPECT_EQ(log.pending_entries(), 0u);
  // The next batch gathers while the first is on its way.
  for (int64_t z = 4; z <= 6; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  EXPECT_EQ(log.last_synced_zxid(), 0);
  job.Run();
  ASSERT_TRUE(log.EndSync(&job).ok());
  EXPECT_EQ(log.last_synced_zxid(), 3);
  EXPECT_EQ(log.pending_entries(), 3u);
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.last_synced_zxid(), 6);
  ReadAll all = Read(dir.path());
  EXPECT_TRUE(all.status.ok()) << all.status.message();
  EXPECT_EQ(all.zxids, Range(1, 6));
}

TEST(TxnLogTest, SplitSync_FailedBatchGoesBackAheadOfLaterEntries) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  for (int64_t z = 1; z <= 2; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  ASSERT_TRUE(log.Sync().ok());
  for (int64_t z = 3; z <= 4; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  SyncJob job;
  ASSERT_TRUE(log.BeginSync(&job));
  for (int64_t z = 5; z <= 6; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  job.status = Status::Error("injected: no space left on device");  // as if Run() failed
  EXPECT_FALSE(log.EndSync(&job).ok());
  EXPECT_FALSE(log.sync_in_flight());
  EXPECT_EQ(log.last_synced_zxid(), 2);
  EXPECT_EQ(log.pending_entries(), 4u);
  // A retry writes 3..6 in order where the failed batch was to go.
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 6));
}

TEST(TxnLogTest, SplitSync_FailedBatchThenDiscard_KeepsOnlyWhatWasSynced) {
  TempDir dir;
  TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  ASSERT_TRUE(log.Append(1, TxnBytes(1)).ok());
  ASSERT_TRUE(log.Sync().ok());
  ASSERT_TRUE(log.Append(2, TxnBytes(2)).ok());
  SyncJob job;
  ASSERT_TRUE(log.BeginSync(&job));
  job.Run();  // on disk, but the server is told it failed: it must not survive a discard
  job.status = Status::Error("injected: fdatasync failed");
  ASSERT_TRUE(log.Append(3, TxnBytes(3)).ok());
  EXPECT_FALSE(log.EndSync(&job).ok());
  ASSERT_TRUE(log.DiscardPending().ok());
  EXPECT_EQ(log.last_appended_zxid(), 1);
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 1));
  // The server reuses zxid 2 for its next write.
  ASSERT_TRUE(log.Append(2, TxnBytes(2, "/other")).ok());
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(Read(dir.path()).zxids, Range(1, 2));
}

TEST(TxnLogTest, ZxidFollows_SameEpochPlusOneOrNewEpochAtOne) {
  int64_t e1 = int64_t{1} << 32;
  EXPECT_TRUE(ZxidFollows(e1 | 5, e1 | 6));
  EXPECT_FALSE(ZxidFollows(e1 | 5, e1 | 7));
  EXPECT_TRUE(ZxidFollows(e1 | 5, (e1 << 1) | 1));
  EXPECT_FALSE(ZxidFollows(e1 | 5, (e1 << 1) | 2));
  EXPECT_TRUE(ZxidFollows(0, 1));
}

TEST(TxnLogTest, RollAfterEntries_InZooKeepersRange_DrawnAnewPerRollAndPerMember) {
  std::set<int64_t> points;
  int64_t sum = 0;
  for (int64_t roll = 0; roll < 1000; ++roll) {
    int64_t n = RollAfterEntries(100000, 0, roll);
    ASSERT_GE(n, 50001) << roll;
    ASSERT_LE(n, 100000) << roll;
    points.insert(n);
    sum += n;
    EXPECT_EQ(n, RollAfterEntries(100000, 0, roll)) << "deterministic";
  }
  EXPECT_GT(points.size(), 900u);
  EXPECT_NEAR(sum / 1000.0, 75000, 3000);  // ZooKeeper's average: 3/4 of snapCount
  EXPECT_NE(RollAfterEntries(100000, 1, 0), RollAfterEntries(100000, 2, 0));
  for (int64_t roll = 0; roll < 10; ++roll) {
    EXPECT_EQ(RollAfterEntries(1, 0, roll), 1);
    EXPECT_EQ(RollAfterEntries(2, 0, roll), 2);
    EXPECT_EQ(RollAfterEntries(0, 0, roll), 1);
  }
}

}  // namespace
}  // namespace zk::storage
