#include "server/log_syncer.h"

#include <gtest/gtest.h>

#include "storage/disk.h"
#include "storage_test_support.h"
#include "tree/txn.h"

namespace zk {
namespace {

std::string TxnBytes(int64_t zxid) {
  Txn t;
  t.header = {0x100, 1, zxid, 1000, ToInt(OpCode::kCreate)};
  t.op.type = OpCode::kCreate;
  t.op.path = "/n" + std::to_string(zxid);
  t.op.acl = OpenAclUnsafe();
  return t.Encode();
}

TEST(LogSyncerTest, BatchesComeBackOnTheLoopInOrder_NextGathersMeanwhile) {
  storage::testing::TempDir dir;
  storage::TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  uv_loop_t loop;
  uv_loop_init(&loop);
  LogSyncer syncer(&loop);
  std::vector<int64_t> synced;
  syncer.Start([&](storage::SyncJob& job) {
    ASSERT_TRUE(log.EndSync(&job).ok());
    synced.push_back(log.last_synced_zxid());
    storage::SyncJob next;
    if (log.BeginSync(&next)) {
      syncer.Submit(std::move(next));
    } else {
      syncer.Stop();  // nothing left: let the loop end
    }
  });
  ASSERT_TRUE(log.Append(1, TxnBytes(1)).ok());
  storage::SyncJob job;
  ASSERT_TRUE(log.BeginSync(&job));
  syncer.Submit(std::move(job));
  EXPECT_TRUE(syncer.busy());
  for (int64_t z = 2; z <= 4; ++z) ASSERT_TRUE(log.Append(z, TxnBytes(z)).ok());
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(synced, (std::vector<int64_t>{1, 4}));
  EXPECT_FALSE(syncer.busy());
  EXPECT_EQ(uv_loop_close(&loop), 0);

  storage::TxnLogReader reader(dir.path(), 1);
  storage::TxnLogEntry e;
  int64_t n = 0;
  while (reader.Next(&e)) EXPECT_EQ(e.zxid, ++n);
  EXPECT_EQ(n, 4);
}

TEST(LogSyncerTest, WaitHandsTheJobBackWithoutOnDone_AFailedOneGoesAheadOfLaterEntries) {
  storage::testing::TempDir dir;
  storage::TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  uv_loop_t loop;
  uv_loop_init(&loop);
  LogSyncer syncer(&loop);
  int on_done_calls = 0;
  syncer.Start([&](storage::SyncJob&) { ++on_done_calls; });
  ASSERT_TRUE(log.Append(1, TxnBytes(1)).ok());
  storage::SyncJob job;
  ASSERT_TRUE(log.BeginSync(&job));
  job.fd = -1;  // the write fails
  syncer.Submit(std::move(job));
  ASSERT_TRUE(log.Append(2, TxnBytes(2)).ok());
  ASSERT_TRUE(syncer.Wait(&job));  // without running the loop
  EXPECT_FALSE(syncer.busy());
  EXPECT_FALSE(job.status.ok());
  EXPECT_FALSE(log.EndSync(&job).ok());
  EXPECT_EQ(log.pending_entries(), 2u);  // 1 is back, ahead of 2
  EXPECT_EQ(log.last_synced_zxid(), 0);

  ASSERT_TRUE(syncer.Kick(log));
  ASSERT_TRUE(syncer.Wait(&job));
  EXPECT_EQ(job.entries, 2u);
  ASSERT_TRUE(log.EndSync(&job).ok());
  EXPECT_EQ(log.last_synced_zxid(), 2);
  syncer.Stop();
  uv_run(&loop, UV_RUN_DEFAULT);  // the late wake-ups find nothing to complete
  EXPECT_EQ(on_done_calls, 0);
  EXPECT_EQ(uv_loop_close(&loop), 0);

  storage::TxnLogReader reader(dir.path(), 1);
  storage::TxnLogEntry e;
  int64_t n = 0;
  while (reader.Next(&e)) EXPECT_EQ(e.zxid, ++n);
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  EXPECT_EQ(n, 2);
}

TEST(LogSyncerTest, KickStartsOnlyWhenIdleWithEntriesWaiting_StopRunsOnDone) {
  storage::testing::TempDir dir;
  storage::TxnLog log(dir.path(), {.preallocate_bytes = 4096});
  uv_loop_t loop;
  uv_loop_init(&loop);
  LogSyncer syncer(&loop);
  int on_done_calls = 0;
  syncer.Start([&](storage::SyncJob&) { ++on_done_calls; });
  EXPECT_FALSE(syncer.Kick(log));  // nothing waits
  storage::SyncJob job;
  EXPECT_FALSE(syncer.Wait(&job));  // nothing out

  ASSERT_TRUE(log.Append(1, TxnBytes(1)).ok());
  EXPECT_TRUE(syncer.Kick(log));
  ASSERT_TRUE(log.Append(2, TxnBytes(2)).ok());
  EXPECT_FALSE(syncer.Kick(log));  // one at a time: 2 waits for the next batch
  ASSERT_TRUE(syncer.Wait(&job));
  EXPECT_EQ(job.entries, 1u);
  EXPECT_TRUE(log.EndSync(&job).ok());
  EXPECT_EQ(log.last_synced_zxid(), 1);
  EXPECT_FALSE(syncer.busy());

  EXPECT_TRUE(syncer.Kick(log));  // now 2 goes
  syncer.Stop();                  // Stop waits, and runs on_done for it
  EXPECT_EQ(on_done_calls, 1);
  uv_run(&loop, UV_RUN_DEFAULT);  // late wake-ups find nothing to complete
  EXPECT_EQ(on_done_calls, 1);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace zk
