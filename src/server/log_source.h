// DiskLogSource: an ensemble member's own snapshot and txn log files as the Replica's
// TxnLogSource (core/txn_log_source.h), for a DIFF from the log to a learner older than the
// in-memory history. Reads on the loop thread: the Replica asks only once the files to go
// through are within the size limit (snapshotSizeFactor × the newest snapshot), so a read is
// bounded by it; each read is timed and logged, so the stall it costs shows in the log.
// Owned by EnsembleNode, borrowed by its Replica. Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/txn_log_source.h"

namespace zk {

class DiskLogSource final : public TxnLogSource {
 public:
  DiskLogSource(std::string data_dir, std::string data_log_dir)
      : data_dir_(std::move(data_dir)), data_log_dir_(std::move(data_log_dir)) {}

  int64_t SnapshotBytes() override;
  int64_t LogBytesFrom(int64_t from) override;
  bool Read(int64_t from, int64_t through,
            std::vector<std::pair<int64_t, std::string>>* out) override;

 private:
  std::string data_dir_;
  std::string data_log_dir_;
  int64_t last_log_bytes_ = 0;  // LogBytesFrom's answer, for Read's log line
};

}  // namespace zk
