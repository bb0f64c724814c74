#include "server/log_source.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "proto/zxid.h"
#include "storage/log_range.h"

namespace zk {

int64_t DiskLogSource::SnapshotBytes() { return storage::NewestSnapshotBytes(data_dir_); }

int64_t DiskLogSource::LogBytesFrom(int64_t from) {
  last_log_bytes_ = storage::LogBytesFrom(data_log_dir_, from);
  return last_log_bytes_;
}

bool DiskLogSource::Read(int64_t from, int64_t through,
                         std::vector<std::pair<int64_t, std::string>>* out) {
  const auto start = std::chrono::steady_clock::now();
  const size_t before = out->size();
  const storage::Status s = storage::ReadLogRange(data_log_dir_, from, through, out);
  // The loop was held this long: the figure the size limit bounds.
  spdlog::info("read {} txns from {} to {} from the txn log ({} bytes of log files) in {:.1f} ms",
               out->size() - before, ZxidHex(from), ZxidHex(through), last_log_bytes_,
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                   .count());
  if (!s.ok()) spdlog::warn("txn log read for a DIFF stopped: {}", s.message());
  return s.ok();
}

}  // namespace zk
