#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "storage/recovery.h"
#include "storage/snapshot.h"
#include "storage/txn_log.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::ExpectSameTree;
using testing::TempDir;
using testing::TxnMaker;

// The server's write path in miniature: log the txn, sync, then apply.
class Writer {
 public:
  explicit Writer(const std::string& dir, bool force_sync = true)
      : dir_(dir),
        core_(CoreConfig{}, 0x100),
        log_(dir, {.preallocate_bytes = 1 << 16, .force_sync = force_sync}) {}

  void Do(const Txn& txn, bool sync = true) {
    ASSERT_TRUE(log_.Append(txn.header.zxid, txn.Encode()).ok());
    if (sync) ASSERT_TRUE(log_.Sync().ok());
    core_.ApplyTxn(txn);
  }
  void Snapshot() {
    ASSERT_TRUE(
        SaveSnapshot(dir_, core_.tree(), SessionsOf(core_.sessions()), core_.last_zxid()).ok());
  }

  std::string dir_;
  Core core_;
  TxnLog log_;
  TxnMaker maker_;
  const DataTree& tree() const { return core_.tree(); }
};

void ExpectRecovered(const Core& want, const Core& got) {
  ExpectSameTree(want.tree(), got.tree());
  EXPECT_EQ(SessionsOf(want.sessions()), SessionsOf(got.sessions()));
  EXPECT_EQ(want.last_zxid(), got.last_zxid());
}

// Sessions 0x101 and 0x102 with ephemerals, persistent nodes, data changes, a delete, a multi.
void Populate(Writer& w) {
  TxnMaker& m = w.maker_;
  w.Do(m.CreateSession(0x101, 30000));
  w.Do(m.CreateSession(0x102, 12000));
  w.Do(m.Create(w.tree(), "/app", "cfg"));
  w.Do(m.Create(w.tree(), "/app/leader", "me", 0x101, true));
  w.Do(m.Create(w.tree(), "/app/member-1", "a", 0x102, true));
  w.Do(m.Create(w.tree(), "/app/data", std::string(300, 'd')));
  w.Do(m.SetData(w.tree(), "/app/data", "v2"));
  w.Do(m.Create(w.tree(), "/tmp", ""));
  w.Do(m.Delete("/tmp"));
  w.Do(m.Error(Err::kNodeExists));
  w.Do(m.Multi({m.Create(w.tree(), "/m1", "x"), m.SetData(w.tree(), "/app", "cfg2")}));
}

TEST(RecoveryTest, NothingOnDisk_EmptyTreeAtZxidZero) {
  TempDir dir;
  Core core(CoreConfig{}, 0x100);
  RecoveryResult r;
  ASSERT_TRUE(Recover(dir.sub("data"), dir.sub("log"), core, &r).ok());
  EXPECT_EQ(r.last_zxid, 0);
  EXPECT_TRUE(r.snapshot.empty());
  EXPECT_EQ(core.tree().node_count(), DataTree().node_count());
}

TEST(RecoveryTest, LogOnly_ReplaysEverything) {
  TempDir dir;
  Writer w(dir.path());
  Populate(w);
  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(r.txns_replayed, w.core_.last_zxid());
  ExpectRecovered(w.core_, got);
}

TEST(RecoveryTest, SnapshotPlusLog_IdenticalNodesStatsEphemeralsAndSessions) {
  TempDir dir;
  Writer w(dir.sub("log"));
  w.dir_ = dir.sub("data");
  Populate(w);
  w.Snapshot();
  int64_t snap_zxid = w.core_.last_zxid();
  TxnMaker& m = w.maker_;
  w.Do(m.CreateSession(0x103, 6000));
  w.Do(m.Create(w.tree(), "/app/member-2", "b", 0x103, true));
  w.Do(m.CloseSession(w.tree(), 0x102));
  w.Do(m.SetData(w.tree(), "/app/data", "v3"));

  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.sub("data"), dir.sub("log"), got, &r);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(r.snapshot_zxid, snap_zxid);
  EXPECT_EQ(r.txns_replayed, 4);
  ExpectRecovered(w.core_, got);
  EXPECT_EQ(got.tree().ephemerals().at(0x101), std::set<std::string>{"/app/leader"});
  EXPECT_EQ(got.tree().ephemerals().count(0x102), 0u);
  EXPECT_EQ(got.sessions().Find(0x101)->timeout_ms, 30000);
  EXPECT_GT(got.next_session_id(), 0x103);
}

TEST(RecoveryTest, EmptyNewestSnapshot_FallsBackToThePreviousOne) {
  TempDir dir;
  Writer w(dir.path());
  Populate(w);
  w.Snapshot();
  TxnMaker& m = w.maker_;
  w.Do(m.Create(w.tree(), "/later", "l"));
  w.Do(m.Create(w.tree(), "/later2", "l"));
  std::string newest = VersionDir(dir.path()) + "/" + ZxidFileName("snapshot", w.core_.last_zxid());
  { std::ofstream(newest) << ""; }  // a crash left an empty snapshot behind

  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(r.skipped_snapshots.size(), 1u);
  EXPECT_NE(r.skipped_snapshots[0].find(newest), std::string::npos) << r.skipped_snapshots[0];
  EXPECT_EQ(r.snapshot_zxid, w.core_.last_zxid() - 2);
  ExpectRecovered(w.core_, got);
}

TEST(RecoveryTest, TornTail_TruncatedOnce_EverythingSyncedBeforeItSurvives) {
  TempDir dir;
  Writer w(dir.path());
  Populate(w);
  int64_t synced = w.core_.last_zxid();
  Core want(CoreConfig{}, 0x100);
  {
    RecoveryResult r;
    ASSERT_TRUE(Recover(dir.path(), dir.path(), want, &r).ok());
  }
  std::string file = w.log_.current_file();
  // A write that the crash cut: the entry header and part of the txn reach the disk.
  std::string txn = w.maker_.Create(w.tree(), "/never-acked", "x").Encode();
  std::string entry;
  AppendBigEndian64(&entry, Adler32(txn));
  AppendBigEndian32(&entry, static_cast<uint32_t>(txn.size()));
  entry += txn.substr(0, txn.size() / 2);
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  // Where the next entry would go: just after the last one (find it by reading).
  TxnLogReader reader(dir.path(), 1);
  TxnLogEntry e;
  int64_t end = 0;
  while (reader.Next(&e)) end = e.offset + 12 + static_cast<int64_t>(e.bytes.size()) + 1;
  int fd = ::open(file.c_str(), O_WRONLY);
  ASSERT_EQ(::pwrite(fd, entry.data(), entry.size(), end), static_cast<ssize_t>(entry.size()));
  ::close(fd);

  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(r.last_zxid, synced);
  ASSERT_TRUE(r.torn_tail.present());
  EXPECT_EQ(r.torn_tail.offset, end);
  EXPECT_GT(r.torn_tail.bytes_dropped, 0);
  ExpectRecovered(want, got);
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, end);

  // Once truncated, the next start is clean.
  Core again(CoreConfig{}, 0x100);
  RecoveryResult r2;
  ASSERT_TRUE(Recover(dir.path(), dir.path(), again, &r2).ok());
  EXPECT_FALSE(r2.torn_tail.present());
  ExpectRecovered(want, again);
}

TEST(RecoveryTest, FlippedByteBeforeTheTail_StopsWithFileAndOffset) {
  TempDir dir;
  Writer w(dir.path());
  Populate(w);
  std::string file = w.log_.current_file();
  TxnLogReader reader(dir.path(), 1);
  TxnLogEntry e;
  int64_t third = -1;
  for (int i = 0; i < 3 && reader.Next(&e); ++i) third = e.offset;
  int fd = ::open(file.c_str(), O_RDWR);
  char c = 0x7f;
  ASSERT_EQ(::pwrite(fd, &c, 1, third + 20), 1);
  ::close(fd);

  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset " + std::to_string(third)), std::string::npos) << s.message();
}

TEST(RecoveryTest, MissingLogFileInTheMiddle_Stops) {
  TempDir dir;
  Writer w(dir.path());
  TxnMaker& m = w.maker_;
  for (int i = 0; i < 30; ++i) {
    w.Do(m.Create(w.tree(), "/n" + std::to_string(i), ""));
    if (i % 10 == 9) ASSERT_TRUE(w.log_.Roll().ok());
  }
  auto logs = ListZxidFiles(VersionDir(dir.path()), "log");
  ASSERT_EQ(logs.size(), 3u);
  ASSERT_EQ(::unlink(logs[1].path.c_str()), 0);
  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(logs[2].path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
}

TEST(RecoveryTest, SnapshotNewerThanAGap_DoesNotNeedTheMissingFile) {
  TempDir dir;
  Writer w(dir.path());
  TxnMaker& m = w.maker_;
  for (int i = 0; i < 30; ++i) {
    w.Do(m.Create(w.tree(), "/n" + std::to_string(i), ""));
    if (i % 10 == 9) ASSERT_TRUE(w.log_.Roll().ok());
    if (i == 25) w.Snapshot();
  }
  auto logs = ListZxidFiles(VersionDir(dir.path()), "log");
  ASSERT_EQ(::unlink(logs[1].path.c_str()), 0);
  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  Status s = Recover(dir.path(), dir.path(), got, &r);
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectRecovered(w.core_, got);
}

TEST(RecoveryTest, RestartedWriter_StartsANewFile_NextRecoveryReadsBoth) {
  TempDir dir;
  {
    Writer w(dir.path());
    Populate(w);
  }
  Core mid(CoreConfig{}, 0x100);
  RecoveryResult r;
  ASSERT_TRUE(Recover(dir.path(), dir.path(), mid, &r).ok());
  // The restarted server appends after the recovered zxid into a fresh file.
  TxnLog log(dir.path(), {.preallocate_bytes = 1 << 16});
  TxnMaker m(mid.last_zxid() + 1);
  Txn t = m.Create(mid.tree(), "/after-restart", "y");
  ASSERT_TRUE(log.Append(t.header.zxid, t.Encode()).ok());
  ASSERT_TRUE(log.Sync().ok());
  mid.ApplyTxn(t);
  EXPECT_EQ(ListZxidFiles(VersionDir(dir.path()), "log").size(), 2u);

  Core got(CoreConfig{}, 0x100);
  ASSERT_TRUE(Recover(dir.path(), dir.path(), got, &r).ok());
  ExpectRecovered(mid, got);
}

// Random writes interleaved with the chunked walk of a fuzzy snapshot; recovery from that
// snapshot plus the log must give exactly the live tree.
class FuzzyWorkload {
 public:
  FuzzyWorkload(Writer& w, uint32_t seed) : w_(w), rng_(seed) {}

  void Steps(int n) {
    for (int i = 0; i < n; ++i) One();
  }

 private:
  std::vector<std::string> Paths(bool leaves_only, bool persistent_only) {
    std::vector<std::string> out;
    if (!leaves_only) out.push_back("/");
    w_.tree().ForEachDescendant("/", [&](const std::string& p, const Node& n) {
      if (p.rfind("/zookeeper", 0) == 0) return;
      if (leaves_only && !n.children.empty()) return;
      if (persistent_only && n.stat.ephemeral_owner != 0) return;
      out.push_back(p);
    });
    return out;
  }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }

  void One() {
    TxnMaker& m = w_.maker_;
    int what = std::uniform_int_distribution<int>(0, 99)(rng_);
    if (what < 40) {
      auto parents = Paths(false, true);
      std::string parent = Pick(parents);
      std::string path = (parent == "/" ? "" : parent) + "/n" +
                         std::to_string(std::uniform_int_distribution<int>(0, 3)(rng_));
      if (w_.tree().Find(path)) return;
      bool eph = !sessions_.empty() && what < 10;
      int64_t sid = eph ? Pick(sessions_) : 0;
      w_.Do(m.Create(w_.tree(), path, "d" + std::to_string(m.next_zxid()), sid, eph));
    } else if (what < 65) {
      auto leaves = Paths(true, false);
      if (leaves.empty()) return;
      w_.Do(m.Delete(Pick(leaves)));
    } else if (what < 85) {
      auto all = Paths(false, false);
      w_.Do(m.SetData(w_.tree(), Pick(all), "s" + std::to_string(m.next_zxid())));
    } else if (what < 90) {
      int64_t sid = next_session_++;
      sessions_.push_back(sid);
      w_.Do(m.CreateSession(sid, 5000 + static_cast<int32_t>(sid)));
    } else if (what < 94) {
      if (sessions_.empty()) return;
      size_t i = std::uniform_int_distribution<size_t>(0, sessions_.size() - 1)(rng_);
      int64_t sid = sessions_[i];
      sessions_.erase(sessions_.begin() + static_cast<std::ptrdiff_t>(i));
      w_.Do(m.CloseSession(w_.tree(), sid));
    } else {
      auto all = Paths(false, true);
      std::string a = Pick(all);
      std::string b = (a == "/" ? "" : a) + "/m" + std::to_string(m.next_zxid() % 3);
      if (const Node* n = w_.tree().Find(b)) {
        if (!n->children.empty()) return;
        w_.Do(m.Multi({m.SetData(w_.tree(), b, "multi"), m.Delete(b)}));
      } else {
        w_.Do(m.Multi({m.Create(w_.tree(), b, "multi"), m.SetData(w_.tree(), a, "ma")}));
      }
    }
  }

  Writer& w_;
  std::mt19937 rng_;
  std::vector<int64_t> sessions_;
  int64_t next_session_ = 0x200;
};

TEST(RecoveryTest, FuzzySnapshot_WritesDuringTheWalk_RecoversTheExactTree) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    TempDir dir;
    Writer w(dir.path(), /*force_sync=*/false);  // fsync adds nothing here but minutes
    FuzzyWorkload load(w, seed);
    load.Steps(150);
    SnapshotSerializer s(w.tree(), SessionsOf(w.core_.sessions()), w.core_.last_zxid());
    std::mt19937 rng(seed);
    while (!s.Step(std::uniform_int_distribution<size_t>(1, 4)(rng))) load.Steps(3);
    ASSERT_TRUE(WriteSnapshot(dir.path(), s.Finish(w.core_.last_zxid())).ok());
    load.Steps(20);

    Core got(CoreConfig{}, 0x100);
    RecoveryResult r;
    Status st = Recover(dir.path(), dir.path(), got, &r);
    ASSERT_TRUE(st.ok()) << "seed " << seed << ": " << st.message();
    ASSERT_FALSE(r.snapshot.empty());
    SCOPED_TRACE("seed " + std::to_string(seed));
    ExpectRecovered(w.core_, got);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(RecoveryTest, Purge_KeepsTheNewestSnapshotsAndTheLogsToReplayThem) {
  TempDir dir;
  Writer w(dir.sub("log"));
  w.dir_ = dir.sub("data");
  TxnMaker& m = w.maker_;
  // log.1: 1-10, log.b: 11-20, log.15: 21-30, log.1f: 31-40; snapshots at 5, 15, 25, 35.
  for (int i = 1; i <= 40; ++i) {
    w.Do(m.Create(w.tree(), "/n" + std::to_string(i), ""));
    if (i % 10 == 5) w.Snapshot();
    if (i % 10 == 0) ASSERT_TRUE(w.log_.Roll().ok());
  }
  std::vector<std::string> removed;
  ASSERT_TRUE(Purge(dir.sub("data"), dir.sub("log"), 2, &removed).ok());
  auto names = [](const std::vector<ZxidFile>& files) {
    std::vector<int64_t> z;
    for (const auto& f : files) z.push_back(f.zxid);
    return z;
  };
  EXPECT_EQ(names(ListZxidFiles(VersionDir(dir.sub("data")), "snapshot")),
            (std::vector<int64_t>{25, 35}));
  // Replaying from 25 needs 26.. which starts in log.15 (21-30).
  EXPECT_EQ(names(ListZxidFiles(VersionDir(dir.sub("log")), "log")),
            (std::vector<int64_t>{21, 31}));
  EXPECT_EQ(removed.size(), 4u);

  // What is left still recovers, from either kept snapshot.
  Core got(CoreConfig{}, 0x100);
  RecoveryResult r;
  ASSERT_TRUE(Recover(dir.sub("data"), dir.sub("log"), got, &r).ok());
  ExpectRecovered(w.core_, got);
  ASSERT_EQ(::unlink((VersionDir(dir.sub("data")) + "/snapshot.23").c_str()), 0);
  Core older(CoreConfig{}, 0x100);
  ASSERT_TRUE(Recover(dir.sub("data"), dir.sub("log"), older, &r).ok());
  EXPECT_EQ(r.snapshot_zxid, 25);
  ExpectRecovered(w.core_, older);
}

TEST(RecoveryTest, Purge_IncompleteNewestSnapshotDoesNotCount) {
  TempDir dir;
  Writer w(dir.path());
  TxnMaker& m = w.maker_;
  for (int i = 1; i <= 3; ++i) {
    w.Do(m.Create(w.tree(), "/n" + std::to_string(i), ""));
    w.Snapshot();
  }
  { std::ofstream(VersionDir(dir.path()) + "/snapshot.4") << "torn"; }
  ASSERT_TRUE(Purge(dir.path(), dir.path(), 2).ok());
  auto snaps = ListZxidFiles(VersionDir(dir.path()), "snapshot");
  ASSERT_EQ(snaps.size(), 3u);  // 2, 3 kept as the valid two; the torn 4 is newer, left alone
  EXPECT_EQ(snaps[0].zxid, 2);
}

}  // namespace
}  // namespace zk::storage
