// TxnLog::DiscardPending: what DurableStore relies on when a sync fails (server/durable_store.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include "storage/disk.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::TempDir;

std::string Entry(int64_t zxid, const std::string& data) {
  Txn t;
  t.header = {0x100, 1, zxid, 1000, ToInt(OpCode::kCreate)};
  t.op.type = OpCode::kCreate;
  t.op.path = "/n" + std::to_string(zxid);
  t.op.data = data;
  t.op.acl = OpenAclUnsafe();
  return t.Encode();
}

std::vector<std::pair<int64_t, std::string>> ReadAll(const std::string& dir, int64_t from_zxid) {
  std::vector<std::pair<int64_t, std::string>> out;
  TxnLogReader r(dir, from_zxid);
  TxnLogEntry e;
  while (r.Next(&e)) out.emplace_back(e.zxid, std::string(e.bytes));
  EXPECT_TRUE(r.status().ok()) << r.status().message();
  EXPECT_FALSE(r.torn_tail().present());
  return out;
}

TEST(TxnLogDiscardTest, DiscardedBatch_ZxidsReusedByTheNextBatch_OnlyItIsRead) {
  TempDir dir;
  TxnLog log(dir.path(), TxnLogOptions{4096, true});
  ASSERT_TRUE(log.Append(1, Entry(1, "kept")).ok());
  ASSERT_TRUE(log.Sync().ok());
  // A long batch that "failed": it is given up, and a shorter one reuses its zxids.
  ASSERT_TRUE(log.Append(2, Entry(2, std::string(3000, 'x'))).ok());
  ASSERT_TRUE(log.Append(3, Entry(3, std::string(3000, 'y'))).ok());
  ASSERT_TRUE(log.DiscardPending().ok());
  EXPECT_EQ(log.last_appended_zxid(), 1);
  EXPECT_EQ(log.pending_entries(), 0u);
  EXPECT_EQ(log.entries_in_file(), 1);
  ASSERT_TRUE(log.Append(2, Entry(2, "short")).ok());
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.last_synced_zxid(), 2);

  auto all = ReadAll(dir.path(), 1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].second, Entry(2, "short"));
}

TEST(TxnLogDiscardTest, DiscardedFirstBatchOfAFile_RemovesTheFile) {
  TempDir dir;
  TxnLog log(dir.path(), TxnLogOptions{4096, true});
  ASSERT_TRUE(log.Append(5, Entry(5, "gone")).ok());
  std::string path = log.current_file();
  ASSERT_TRUE(log.DiscardPending().ok());
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  ASSERT_TRUE(log.Append(5, Entry(5, "again")).ok());  // same name: no O_EXCL clash
  ASSERT_TRUE(log.Sync().ok());
  auto all = ReadAll(dir.path(), 5);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].second, Entry(5, "again"));
}

}  // namespace
}  // namespace zk::storage
