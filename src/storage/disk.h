// The POSIX file operations storage shares: the version-2 layout, durable writes (pwrite loops,
// fsync of a file and of its directory), atomic replacement of a small file, and listing of
// `<prefix>.<hex zxid>` files. Every call returns a Status naming the path; nothing throws.
// Blocking; callable from any thread (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace zk::storage {

// ZooKeeper keeps its files in `<dataDir>/version-2` and `<dataLogDir>/version-2`.
std::string VersionDir(const std::string& dir);
// mkdir -p.
Status EnsureDir(const std::string& path);
// fsync of a directory, so that a create / rename / unlink inside it is durable.
Status SyncDir(const std::string& path);
// Writes all of `bytes` at `offset` (retrying short writes and EINTR).
Status PWriteAll(int fd, std::string_view bytes, int64_t offset, const std::string& path);
Status ReadFile(const std::string& path, std::string* out);
// temp file `<name>.tmp` + write + fsync + rename + fsync of the directory: after a crash the
// file holds either the old or the new bytes, never a mix. `pieces` are written in order.
Status WriteFileAtomically(const std::string& dir, const std::string& name,
                           const std::vector<std::string_view>& pieces);
// The same, for a file written in many pieces without holding it all in memory (a snapshot of
// 1M znodes is ~200 MB): Open, Append..., Commit. A file dropped before Commit (or whose Append
// or Commit failed) has its temp file removed; a crash leaves `<name>.tmp`, which nothing reads.
class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  Status Open(const std::string& dir, const std::string& name);
  Status Append(std::string_view bytes);
  // Writes what was appended since the last call out to the disk now and waits for it
  // (sync_file_range: data only, no journal commit). A large file written in steps with this
  // between them never has more than one step dirty in the page cache, so the final fsync —
  // and every other file's fsync meanwhile, on ext4 the txn log's — does not wait behind
  // hundreds of MB of writeback (Redis's rdb-save-incremental-fsync, for the same reason).
  Status WriteBack();
  // fsync, rename over `<name>`, fsync of the directory.
  Status Commit();

 private:
  void Drop();

  std::string dir_;
  std::string final_path_;
  std::string tmp_path_;
  int fd_ = -1;
  int64_t offset_ = 0;
  int64_t written_back_ = 0;  // offset up to which WriteBack has waited
};
std::string ErrnoMessage(const std::string& what, const std::string& path, int err);

// `<prefix>.<hex>` names, e.g. log.1f or snapshot.100000000 (lower-case hex, as ZooKeeper).
std::string ZxidFileName(std::string_view prefix, int64_t zxid);
struct ZxidFile {
  int64_t zxid = 0;
  std::string path;  // dir + "/" + name
};
// The files in `dir` named `<prefix>.<hex>`, ascending by zxid. A missing dir is an empty list.
std::vector<ZxidFile> ListZxidFiles(const std::string& dir, std::string_view prefix);

uint64_t LoadBigEndian64(const char* p);
void AppendBigEndian32(std::string* out, uint32_t v);
void AppendBigEndian64(std::string* out, uint64_t v);

}  // namespace zk::storage
