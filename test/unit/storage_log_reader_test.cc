// TxnLogReader reads a file only as far as the entries asked for need (txn_log_reader.cc): a
// DIFF from the log must not read a 64 MB preallocated file to hand out a few entries near its
// start, while the end-of-log checks still read, and judge, the rest.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "storage/disk.h"
#include "storage/log_range.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

constexpr int64_t kPreallocated = 64 << 20;

std::string TxnBytes(int64_t zxid) {
  return testing::CreateTxnBytes(zxid, "/n" + std::to_string(zxid), std::string(100, 'v'));
}

std::string WriteLog(const std::string& dir, int64_t entries) {
  TxnLog log(dir, {.preallocate_bytes = kPreallocated, .force_sync = false});
  for (int64_t z = 1; z <= entries; ++z) EXPECT_TRUE(log.Append(z, TxnBytes(z)).ok());
  EXPECT_TRUE(log.Sync().ok());
  return VersionDir(dir) + "/log.1";
}

TEST(TxnLogReaderLazy, EntriesNearTheStartReadOnlyTheirPartOfThePreallocatedFile) {
  testing::TempDir dir;
  WriteLog(dir.path(), 200);
  TxnLogReader reader(dir.path(), 1);
  TxnLogEntry e;
  for (int64_t z = 1; z <= 200; ++z) {
    ASSERT_TRUE(reader.Next(&e)) << reader.status().message();
    ASSERT_EQ(e.zxid, z);
    ASSERT_EQ(std::string(e.bytes), TxnBytes(z));
  }
  EXPECT_LE(reader.bytes_read(), 2 << 20) << "read far past the last entry asked for";
  // One more: the end of the log, which is judged on the whole rest of the file.
  EXPECT_FALSE(reader.Next(&e));
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  EXPECT_GE(reader.bytes_read(), kPreallocated);
}

TEST(TxnLogReaderLazy, ARangeEndingAtTheLastEntryStopsThere_TheFullReadStillSeesDataInTheZeros) {
  testing::TempDir dir;
  const std::string file = WriteLog(dir.path(), 200);
  // Stray data 40 MB into the zeros after the last entry: corruption a full read must report.
  const int fd = ::open(file.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "x", 1, 40 << 20), 1);
  ::close(fd);

  std::vector<std::pair<int64_t, std::string>> out;
  ASSERT_TRUE(ReadLogRange(dir.path(), 150, 200, &out).ok());
  ASSERT_EQ(out.size(), 51u);
  EXPECT_EQ(out.back().first, 200);

  TxnLogReader reader(dir.path(), 1);
  TxnLogEntry e;
  int64_t entries = 0;
  while (reader.Next(&e)) ++entries;
  EXPECT_EQ(entries, 200);
  ASSERT_FALSE(reader.status().ok());
  EXPECT_NE(reader.status().message().find("data follows"), std::string::npos)
      << reader.status().message();
}

}  // namespace
}  // namespace zk::storage
