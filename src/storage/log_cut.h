// CutHistoryAfter: a learner's part of a leader's TRUNC (ZooKeeper's FileTxnSnapLog.truncateLog).
// The learner logged proposals past `zxid` that no leader committed: every snapshot that may
// hold a txn past `zxid` (named past it, or fuzzy across it: end_zxid past it) is removed, then the
// log is cut right after the entry `zxid` (the file holding the first later entry is truncated
// there, or removed if that entry opens it; later files are removed), each step synced. A crash
// half-way leaves a history that still starts over cleanly: the snapshots go first, so what remains
// past `zxid` is log only, and the next sync TRUNCs again. The caller then recovers (recovery.h)
// and must not have the log open for writing meanwhile. Blocking.
#pragma once

#include <cstdint>
#include <string>

#include "storage/status.h"

namespace zk::storage {

struct CutResult {
  // Not cut, and why: a snapshot would have to go and no older one remains to rebuild from
  // (the caller then needs the state from elsewhere: a SNAP). Nothing was touched.
  std::string refused;
  int64_t snapshots_removed = 0;
  int64_t log_files_removed = 0;
  bool log_file_cut = false;
};

Status CutHistoryAfter(const std::string& data_dir, const std::string& data_log_dir, int64_t zxid,
                       CutResult* result);

}  // namespace zk::storage
