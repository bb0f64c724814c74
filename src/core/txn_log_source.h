// TxnLogSource: a leader's way to its own on-disk txn log, for a DIFF to a learner older than the
// in-memory history (ZooKeeper's LearnerHandler.syncFollower, "use txnlog and committedLog").
//
// Why an interface the core calls, rather than the shell reading ahead or the core asking by a
// Ready and waiting: the sync decision needs the answer at once (DIFF or SNAP, in the same step
// as ZooKeeper's), and the core stays pure because it never touches a file itself. The shell
// implements it over src/storage's log files (server/log_source.h), the simulator over its
// SimDisk (sim/replica_member.cc), both deterministic for the same disk contents. The shell's
// read is synchronous on the loop, and bounded: it happens only when the bytes of log to go
// through are within ZooKeeper's limit, snapshotSizeFactor × the newest snapshot's size (see
// ReadLogForDiff), checked from file sizes before anything is read.
//
// ReadLogForDiff is ZooKeeper's rule (ZKDatabase.calculateTxnLogSizeLimit, getProposalsFromTxnLog,
// and syncFollower's gap check), as a pure function over a source:
//   - factor < 0: on-disk sync disabled (ZooKeeper's isTxnLogSyncEnabled);
//   - limit = (long)(snapshot bytes × factor); when limit > 0 and the log files a read from
//     `from` goes through (the one holding `from` and every later one, preallocation included:
//     ZooKeeper sums File.length()) are larger, no DIFF (ZooKeeper checks nothing when the limit
//     is 0: no snapshot, or factor 0. ZooKeeper's leader always has one, taken as it starts
//     leading; a zkd member without one has logged fewer than snapCount txns since its log
//     began, as every log roll takes a snapshot, so that read is bounded by snapCount);
//   - the log must hold `from` itself (its first entry at or past `from` is `from`), or the
//     learner's history is not known to be ours;
//   - it must reach `through` (the zxid just before the in-memory history) without a gap,
//     or the DIFF would miss txns ("Detected gap between end of txnlog and start of
//     committedLog").
// Pure (the source does the I/O); single-threaded, as the Replica that calls it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zk {

// ZooKeeper's default zookeeper.snapshotSizeFactor.
inline constexpr double kDefaultSnapshotSizeFactor = 0.33;

class TxnLogSource {
 public:
  virtual ~TxnLogSource() = default;
  // Size in bytes of the newest snapshot; 0 when there is none.
  virtual int64_t SnapshotBytes() = 0;
  // Size in bytes of the log a read from `from` goes through (see above); -1 if unknown.
  virtual int64_t LogBytesFrom(int64_t from) = 0;
  // Appends the logged txns with from <= zxid <= through to *out, oldest first: (zxid, the
  // encoded txn as it was logged). Stops early, returning false, where the log cannot be read.
  virtual bool Read(int64_t from, int64_t through,
                    std::vector<std::pair<int64_t, std::string>>* out) = 0;
};

struct LogDiff {
  bool ok = false;
  // With ok: the txns after `from` up to `through`, oldest first. Without: why not, one phrase.
  std::vector<std::pair<int64_t, std::string>> txns;
  std::string why_not;
  int64_t log_bytes = 0;    // what LogBytesFrom said
  int64_t limit_bytes = 0;  // the size limit (0: none)
};

// ZooKeeper's ZKDatabase.calculateTxnLogSizeLimit.
int64_t TxnLogSizeLimit(double snapshot_size_factor, int64_t snapshot_bytes);

// The txns a leader may DIFF a learner at `from` with, from its log, up to `through` (its
// in-memory history goes on from there). `source` may be null (no log: no DIFF).
LogDiff ReadLogForDiff(TxnLogSource* source, double snapshot_size_factor, int64_t from,
                       int64_t through);

}  // namespace zk
