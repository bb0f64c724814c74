#include "storage/log_cut.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "proto/zxid.h"
#include "storage/disk.h"
#include "storage/snapshot.h"
#include "storage/txn_log.h"

namespace zk::storage {
namespace {

Status Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::Error("cannot remove " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// A snapshot's end_zxid (snapshot.h: the long before the seal's long and ustring "/"), or -1
// when it cannot be read (recovery would skip such a file anyway).
int64_t SnapshotEndZxid(const std::string& path) {
  constexpr off_t kTailBytes = 8 + 8 + 4 + 1;  // end_zxid, Adler32 long, ustring "/"
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  char b[8];
  bool ok = ::fstat(fd, &st) == 0 && st.st_size >= kTailBytes &&
            ::pread(fd, b, sizeof b, st.st_size - kTailBytes) == static_cast<ssize_t>(sizeof b);
  ::close(fd);
  return ok ? static_cast<int64_t>(LoadBigEndian64(b)) : -1;
}

}  // namespace

Status CutHistoryAfter(const std::string& data_dir, const std::string& data_log_dir, int64_t zxid,
                       CutResult* result) {
  *result = CutResult{};
  std::vector<std::string> doomed;
  bool kept = false;
  for (const ZxidFile& f : FindSnapshots(data_dir)) {
    // Past the cut, or fuzzy across it (txns past it may be partly in the file).
    const int64_t end = SnapshotEndZxid(f.path);
    if (f.zxid <= zxid && end >= 0 && end <= zxid) {
      kept = kept || SnapshotLooksComplete(f.path);
    } else {
      doomed.push_back(f.path);
    }
  }
  if (!doomed.empty() && !kept) {
    // Without an older snapshot the log alone cannot rebuild the state (it starts where
    // that snapshot was taken, or after a SNAP): leave everything as it is.
    result->refused =
        doomed.front() + " holds txns past " + ZxidHex(zxid) + " and no older snapshot remains";
    return Status::Ok();
  }
  for (const std::string& path : doomed) {
    if (Status s = Remove(path); !s.ok()) return s;
    ++result->snapshots_removed;
  }
  if (!doomed.empty()) {
    if (Status s = SyncDir(VersionDir(data_dir)); !s.ok()) return s;
  }
  // The first entry past the cut: where its file is cut; every later file goes.
  TxnLogReader reader(data_log_dir, zxid + 1);
  TxnLogEntry e;
  std::string cut_file;
  int64_t cut_offset = -1;
  while (reader.Next(&e)) {
    if (e.zxid > zxid) {
      cut_file = std::string(e.file);
      cut_offset = e.offset;
      break;
    }
  }
  if (!reader.status().ok()) return reader.status();
  if (cut_offset < 0) return Status::Ok();  // nothing logged past it
  const std::string log_dir = VersionDir(data_log_dir);
  int64_t cut_file_zxid = -1;
  for (const ZxidFile& f : ListZxidFiles(log_dir, "log")) {
    if (f.path == cut_file) cut_file_zxid = f.zxid;
  }
  for (const ZxidFile& f : ListZxidFiles(log_dir, "log")) {
    if (f.path == cut_file || f.zxid < cut_file_zxid) continue;
    if (Status s = Remove(f.path); !s.ok()) return s;
    ++result->log_files_removed;
  }
  if (Status s = TruncateLog(cut_file, cut_offset); !s.ok()) return s;
  result->log_file_cut = true;
  return SyncDir(log_dir);
}

}  // namespace zk::storage
