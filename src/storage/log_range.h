// What a leader needs of its own files to DIFF a learner from the log (core/txn_log_source.h):
// the newest snapshot's size, the size of the log files a read from a zxid goes through, and
// the entries of a zxid range. ZooKeeper's ZKDatabase.calculateTxnLogSizeLimit and
// getProposalsFromTxnLog over FileTxnSnapLog, on zkd's files (txn_log.h, snapshot.h).
// Blocking; callable from any thread (no shared state), but reading a log file that a SyncJob
// is writing may see its newest entries half written: such a read ends there (torn tail).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace zk::storage {

// Size in bytes of the newest snapshot that looks complete (SnapshotLooksComplete, as
// ZooKeeper's findMostRecentSnapshot takes the newest valid one); 0 when there is none.
int64_t NewestSnapshotBytes(const std::string& data_dir);

// Sum of the sizes of the log files a read from `from` goes through: the newest file starting
// at or before `from` (all of them if none does) and every later one — File.length(), so the
// preallocated tail counts, as in ZooKeeper's FileTxnIterator.getStorageSize.
int64_t LogBytesFrom(const std::string& data_log_dir, int64_t from);

// Appends the entries with from <= zxid <= through to *out (zxid, txn bytes), oldest first.
// Stops at the end of the log or past `through`; an unreadable or corrupt log is an error
// (what was read before it stays in *out).
Status ReadLogRange(const std::string& data_log_dir, int64_t from, int64_t through,
                    std::vector<std::pair<int64_t, std::string>>* out);

}  // namespace zk::storage
