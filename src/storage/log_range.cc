#include "storage/log_range.h"

#include <sys/stat.h>

#include "storage/disk.h"
#include "storage/snapshot.h"
#include "storage/txn_log.h"

namespace zk::storage {
namespace {

int64_t FileBytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;  // gone meanwhile (purged): nothing to read
  return static_cast<int64_t>(st.st_size);
}

}  // namespace

int64_t NewestSnapshotBytes(const std::string& data_dir) {
  for (const ZxidFile& f : FindSnapshots(data_dir)) {
    if (SnapshotLooksComplete(f.path)) return FileBytes(f.path);
  }
  return 0;
}

int64_t LogBytesFrom(const std::string& data_log_dir, int64_t from) {
  const std::vector<ZxidFile> files = ListZxidFiles(VersionDir(data_log_dir), "log");
  size_t start = 0;  // the same choice of files as TxnLogReader's
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].zxid <= from) start = i;
  }
  int64_t bytes = 0;
  for (size_t i = start; i < files.size(); ++i) bytes += FileBytes(files[i].path);
  return bytes;
}

Status ReadLogRange(const std::string& data_log_dir, int64_t from, int64_t through,
                    std::vector<std::pair<int64_t, std::string>>* out) {
  TxnLogReader reader(data_log_dir, from);
  TxnLogEntry e;
  while (reader.Next(&e)) {
    if (e.zxid > through) return Status::Ok();
    out->emplace_back(e.zxid, std::string(e.bytes));
    // Asking for one more would read the rest of the file to check that only zeros follow.
    if (e.zxid == through) return Status::Ok();
  }
  return reader.status();
}

}  // namespace zk::storage
