#include "core/txn_log_source.h"

namespace zk {

int64_t TxnLogSizeLimit(double snapshot_size_factor, int64_t snapshot_bytes) {
  // Java's (long) cast of a double truncates towards zero, as this one does.
  return static_cast<int64_t>(static_cast<double>(snapshot_bytes) * snapshot_size_factor);
}

LogDiff ReadLogForDiff(TxnLogSource* source, double snapshot_size_factor, int64_t from,
                       int64_t through) {
  LogDiff d;
  if (snapshot_size_factor < 0) {
    d.why_not = "DIFF from the log disabled (snapshotSizeFactor < 0)";
    return d;
  }
  if (source == nullptr) {
    d.why_not = "no log to read";
    return d;
  }
  if (from >= through) {
    d.why_not = "nothing older than the in-memory history to read";
    return d;
  }
  if (from <= 0) {
    // An empty learner (or one asking for a SNAP, -1): no log holds that zxid.
    d.why_not = "the log does not hold the learner's zxid";
    return d;
  }
  d.limit_bytes = TxnLogSizeLimit(snapshot_size_factor, source->SnapshotBytes());
  d.log_bytes = source->LogBytesFrom(from);
  if (d.log_bytes < 0) {
    d.why_not = "the log's size is unknown";
    return d;
  }
  if (d.limit_bytes > 0 && d.log_bytes > d.limit_bytes) {
    d.why_not = "the log from there is " + std::to_string(d.log_bytes) +
                " bytes, over the limit of " + std::to_string(d.limit_bytes) +
                " (snapshotSizeFactor x the newest snapshot)";
    return d;
  }
  std::vector<std::pair<int64_t, std::string>> read;
  const bool read_ok = source->Read(from, through, &read);
  if (read.empty() || read.front().first != from) {
    d.why_not = "the log does not hold the learner's zxid";
    return d;
  }
  if (read.back().first != through) {
    // A read that failed half-way, or a log that ends before the history starts.
    d.why_not = read_ok ? "the log has a gap before the in-memory history"
                        : "the log could not be read up to the in-memory history";
    return d;
  }
  for (size_t i = 1; i < read.size(); ++i) {
    if (read[i].first <= read[i - 1].first) {
      d.why_not = "the log's zxids do not increase";
      return d;
    }
  }
  read.erase(read.begin());  // the learner has `from` already
  d.txns = std::move(read);
  d.ok = true;
  return d;
}

}  // namespace zk
