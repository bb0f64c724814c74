#include "storage/txn_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "proto/jute.h"
#include "proto/zxid.h"

namespace zk::storage {

uint32_t Adler32(std::string_view bytes) {
  uLong a = adler32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; txns are far below 4 GiB but stay correct for any size.
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {
    uInt n = left > (1u << 30) ? (1u << 30) : static_cast<uInt>(left);
    a = adler32(a, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(a);
}

int64_t TxnZxid(std::string_view txn_bytes) {
  if (txn_bytes.size() < 20) return -1;
  return static_cast<int64_t>(LoadBigEndian64(txn_bytes.data() + 12));
}

bool ZxidFollows(int64_t a, int64_t b) {
  if (b == a + 1) return true;
  return (b >> 32) > (a >> 32) && (b & 0xffffffffLL) == 1;
}

// ---------------------------------------------------------------------------------------------
// TxnLog

TxnLog::TxnLog(std::string data_log_dir, TxnLogOptions options)
    : dir_(VersionDir(data_log_dir)), options_(options) {
  buffer_.reserve(1 << 20);
}

TxnLog::~TxnLog() { CloseFile(); }

Status TxnLog::OpenFile(int64_t first_zxid) {
  if (Status s = EnsureDir(dir_); !s.ok()) return s;
  std::string path = dir_ + "/" + ZxidFileName("log", first_zxid);
  // O_EXCL: a file of that name holds history; recovery removes a leftover without entries.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return Status::Error(ErrnoMessage("create log file", path, err), err);
  }
  fd_ = fd;
  path_ = std::move(path);
  dir_synced_ = false;
  write_offset_ = 0;
  allocated_ = 0;
  entries_in_file_ = 0;
  assert(buffer_.empty());
  AppendBigEndian32(&buffer_, kTxnLogMagic);
  AppendBigEndian32(&buffer_, kTxnLogVersion);
  AppendBigEndian64(&buffer_, 0);  // dbid
  return Status::Ok();
}

void TxnLog::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  path_.clear();
}

Status TxnLog::Append(int64_t zxid, std::string_view txn_bytes) {
  if (zxid <= last_appended_zxid_) {
    return Status::Error("txn log: zxid " + ZxidHex(zxid) + " appended after " +
                         ZxidHex(last_appended_zxid_));
  }
  if (TxnZxid(txn_bytes) != zxid) {
    return Status::Error("txn log: entry for zxid " + ZxidHex(zxid) + " has header zxid " +
                         ZxidHex(TxnZxid(txn_bytes)));
  }
  if (txn_bytes.size() > static_cast<size_t>(kTxnBytesMax)) {
    return Status::Error("txn log: entry of " + std::to_string(txn_bytes.size()) +
                         " bytes exceeds the limit of " + std::to_string(kTxnBytesMax));
  }
  if (fd_ < 0) {
    if (Status s = OpenFile(zxid); !s.ok()) return s;
  }
  AppendBigEndian64(&buffer_, Adler32(txn_bytes));
  AppendBigEndian32(&buffer_, static_cast<uint32_t>(txn_bytes.size()));
  buffer_.append(txn_bytes);
  buffer_.push_back(static_cast<char>(kEntryEnd));
  ++pending_entries_;
  ++entries_in_file_;
  pending_last_zxid_ = zxid;
  last_appended_zxid_ = zxid;
  return Status::Ok();
}

namespace {

Status PreallocateRange(int fd, const std::string& path, int64_t from, int64_t to) {
  int rc = ::fallocate(fd, 0, from, to - from);
  if (rc != 0 && (errno == EOPNOTSUPP || errno == ENOSYS)) rc = ::ftruncate(fd, to);
  if (rc != 0) {
    return Status::Error(
        ErrnoMessage("preallocate " + std::to_string(to) + " bytes for", path, errno));
  }
  return Status::Ok();
}

}  // namespace

void SyncJob::Run() {
  status = Status::Ok();
  if (allocate_to > allocate_from) {
    status = PreallocateRange(fd, path, allocate_from, allocate_to);
    if (!status.ok()) return;
  }
  status = PWriteAll(fd, bytes, offset, path);
  if (!status.ok() || !force_sync) return;
  if (::fdatasync(fd) != 0) {
    status = Status::Error(ErrnoMessage("fdatasync", path, errno));
    return;
  }
  if (!sync_dir.empty()) status = SyncDir(sync_dir);
}

bool TxnLog::BeginSync(SyncJob* job) {
  if (in_flight_ || buffer_.empty()) return false;
  assert(fd_ >= 0);
  int64_t end = write_offset_ + static_cast<int64_t>(buffer_.size());
  job->fd = fd_;
  job->path = path_;
  job->offset = write_offset_;
  job->allocate_from = job->allocate_to = 0;
  if (end > allocated_) {
    if (options_.preallocate_bytes <= 0) {
      allocated_ = end;  // nothing to allocate ahead; the write grows the file
    } else {
      int64_t size = allocated_;
      while (size < end) size += options_.preallocate_bytes;
      job->allocate_from = allocated_;
      job->allocate_to = size;
    }
  }
  job->force_sync = options_.force_sync;
  job->sync_dir = options_.force_sync && !dir_synced_ ? dir_ : std::string();
  job->entries = pending_entries_;
  job->last_zxid = pending_last_zxid_;
  job->bytes.swap(buffer_);
  buffer_.swap(spare_);
  buffer_.clear();
  pending_entries_ = 0;
  in_flight_ = true;
  return true;
}

Status TxnLog::EndSync(SyncJob* job) {
  assert(in_flight_);
  in_flight_ = false;
  if (!job->status.ok()) {
    // Back in front of what was appended since: the next sync rewrites it all at job->offset.
    job->bytes.append(buffer_);
    buffer_.swap(job->bytes);
    pending_entries_ += job->entries;
    job->bytes.clear();
    return job->status;
  }
  write_offset_ = job->offset + static_cast<int64_t>(job->bytes.size());
  if (job->allocate_to > allocated_) allocated_ = job->allocate_to;
  if (!job->sync_dir.empty()) dir_synced_ = true;
  last_synced_zxid_ = job->last_zxid;
  job->bytes.clear();
  spare_.swap(job->bytes);
  return Status::Ok();
}

Status TxnLog::Sync() {
  assert(!in_flight_);
  SyncJob job;
  if (!BeginSync(&job)) return Status::Ok();
  job.Run();
  return EndSync(&job);
}

Status TxnLog::Roll() {
  assert(!in_flight_);
  if (Status s = Sync(); !s.ok()) return s;
  CloseFile();
  return Status::Ok();
}

Status TxnLog::DiscardPending() {
  assert(!in_flight_);
  if (buffer_.empty()) return Status::Ok();
  entries_in_file_ -= static_cast<int64_t>(pending_entries_);
  buffer_.clear();
  pending_entries_ = 0;
  pending_last_zxid_ = last_synced_zxid_;
  last_appended_zxid_ = last_synced_zxid_;
  if (write_offset_ == 0) {
    // Not even the header was synced: the file holds nothing; the next Append recreates it.
    std::string path = path_;
    CloseFile();
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::Error(ErrnoMessage("remove unsynced log file", path, errno));
    }
    return Status::Ok();
  }
  if (::ftruncate(fd_, write_offset_) != 0) {
    return Status::Error(ErrnoMessage("truncate unsynced batch of", path_, errno));
  }
  allocated_ = write_offset_;
  if (options_.force_sync && ::fdatasync(fd_) != 0) {
    return Status::Error(ErrnoMessage("fdatasync", path_, errno));
  }
  return Status::Ok();
}

Status TruncateLog(const std::string& file, int64_t offset) {
  std::string dir = file.substr(0, file.rfind('/'));
  if (offset <= kFileHeaderBytes) {
    if (::unlink(file.c_str()) != 0) return Status::Error(ErrnoMessage("unlink", file, errno));
    return SyncDir(dir);
  }
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(ErrnoMessage("open", file, errno));
  if (::ftruncate(fd, offset) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Error(ErrnoMessage("truncate", file, err));
  }
  ::close(fd);
  return Status::Ok();
}

int64_t RollAfterEntries(int64_t snap_count, int64_t server_id, int64_t roll) {
  snap_count = std::max<int64_t>(1, snap_count);
  int64_t half = snap_count / 2;
  int64_t span = snap_count - half;  // values half+1 .. snap_count
  // splitmix64 of (myid, roll): a different point per member and per roll.
  uint64_t z = static_cast<uint64_t>(server_id) * 0x9E3779B97F4A7C15ULL +
               static_cast<uint64_t>(roll) * 0xD1B54A32D192ED03ULL + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return half + 1 + static_cast<int64_t>(z % static_cast<uint64_t>(span));
}

}  // namespace zk::storage
