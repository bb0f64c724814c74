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
namespace {

// Index one past the last non-zero byte in [from, size), or `from` if all are zero.
size_t EndOfNonZero(const std::string& data, size_t from) {
  size_t end = data.size();
  while (end > from) {
    // Word at a time while aligned on 8 from the end.
    if (end - from >= 8 && end % 8 == 0) {
      uint64_t w;
      std::memcpy(&w, data.data() + end - 8, 8);
      if (w == 0) {
        end -= 8;
        continue;
      }
    }
    if (data[end - 1] != 0) return end;
    --end;
  }
  return from;
}

}  // namespace

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

// ---------------------------------------------------------------------------------------------
// TxnLogReader

TxnLogReader::TxnLogReader(const std::string& data_log_dir, int64_t from_zxid)
    : from_zxid_(from_zxid) {
  std::vector<ZxidFile> all = ListZxidFiles(VersionDir(data_log_dir), "log");
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].zxid <= from_zxid) start = i;
  }
  files_.assign(all.begin() + static_cast<std::ptrdiff_t>(start), all.end());
}

bool TxnLogReader::Fail(int64_t offset, const std::string& what) {
  status_ = Status::Error("txn log " + current_path_ + " at offset " + std::to_string(offset) +
                          ": " + what);
  done_ = true;
  return false;
}

// A bad or short entry at `offset` whose extent is [offset, extent_end). In the newest file with
// nothing but zeros after the extent it is the torn tail; anywhere else it is corruption.
bool TxnLogReader::EndOfFile(int64_t offset, const std::string& bad) {
  bool last_file = next_file_ == files_.size();
  if (!last_file) {
    return Fail(offset, bad + " before the end of the log (newer files follow)");
  }
  size_t end = EndOfNonZero(data_, static_cast<size_t>(offset));
  torn_.file = current_path_;
  torn_.offset = offset;
  torn_.bytes_dropped = static_cast<int64_t>(end) - offset;
  torn_.file_has_entries = file_had_entry_;
  done_ = true;
  return false;
}

bool TxnLogReader::OpenNext() {
  if (next_file_ == files_.size()) {
    done_ = true;
    return false;
  }
  current_path_ = files_[next_file_].path;
  ++next_file_;
  file_had_entry_ = false;
  if (Status s = ReadFile(current_path_, &data_); !s.ok()) {
    status_ = s;
    done_ = true;
    return false;
  }
  bool header_ok = data_.size() >= static_cast<size_t>(kFileHeaderBytes) &&
                   LoadBigEndian32(data_.data()) == kTxnLogMagic;
  if (!header_ok) {
    // A file created by the crashed writer before its header reached the disk.
    if (EndOfNonZero(data_, 0) == 0 || data_.size() < static_cast<size_t>(kFileHeaderBytes)) {
      return EndOfFile(0, "missing file header");
    }
    return Fail(0, "not a txn log (bad magic)");
  }
  if (LoadBigEndian32(data_.data() + 4) != kTxnLogVersion) {
    return Fail(4, "unsupported version " + std::to_string(LoadBigEndian32(data_.data() + 4)));
  }
  pos_ = kFileHeaderBytes;
  in_file_ = true;
  return true;
}

bool TxnLogReader::Next(TxnLogEntry* out) {
  while (!done_) {
    if (!in_file_ && !OpenNext()) return false;
    const int64_t size = static_cast<int64_t>(data_.size());
    const int64_t at = pos_;
    const char* p = data_.data() + at;
    if (size - at < 12) {
      if (EndOfNonZero(data_, static_cast<size_t>(at)) == static_cast<size_t>(at)) {
        in_file_ = false;  // clean end (EOF, or zeros)
        continue;
      }
      return EndOfFile(at, "short entry header");
    }
    uint64_t checksum = LoadBigEndian64(p);
    int32_t len = LoadBigEndian32(p + 8);
    if (len == 0 && checksum == 0) {
      // The end marker (preallocated zeros): everything after it must be zeros too, otherwise
      // a block in the middle of the history reads as zeros.
      size_t end = EndOfNonZero(data_, static_cast<size_t>(at));
      if (end == static_cast<size_t>(at)) {
        in_file_ = false;
        continue;
      }
      return Fail(at, "zeros where an entry should be, but data follows up to offset " +
                          std::to_string(end));
    }
    if (len <= 0 || len > kTxnBytesMax) {
      if (EndOfNonZero(data_, static_cast<size_t>(at + 12)) == static_cast<size_t>(at + 12)) {
        return EndOfFile(at, "bad entry length " + std::to_string(len));
      }
      return Fail(at, "bad entry length " + std::to_string(len));
    }
    int64_t extent = 12 + static_cast<int64_t>(len) + 1;
    if (at + extent > size) return EndOfFile(at, "entry runs past the end of the file");
    std::string_view bytes(p + 12, static_cast<size_t>(len));
    bool good = Adler32(bytes) == checksum && static_cast<uint8_t>(p[12 + len]) == kEntryEnd;
    if (!good) {
      if (EndOfNonZero(data_, static_cast<size_t>(at + extent)) ==
              static_cast<size_t>(at + extent) &&
          next_file_ == files_.size()) {
        return EndOfFile(at, "bad checksum");
      }
      return Fail(at, Adler32(bytes) != checksum
                          ? "bad checksum (stored " + ZxidHex(static_cast<int64_t>(checksum)) +
                                ", computed " + ZxidHex(Adler32(bytes)) + ")"
                          : "missing end-of-entry byte 0x42");
    }
    int64_t zxid = TxnZxid(bytes);
    if (zxid < 0) return Fail(at, "entry too short for a txn header");
    pos_ = at + extent;
    file_had_entry_ = true;
    if (zxid < from_zxid_) {
      last_zxid_ = zxid;
      have_last_ = true;
      continue;
    }
    int64_t prev = have_last_ ? last_zxid_ : from_zxid_ - 1;
    if (!ZxidFollows(prev, zxid)) {
      if (zxid <= prev) {
        return Fail(
            at, "zxid " + ZxidHex(zxid) + " does not increase (previous " + ZxidHex(prev) + ")");
      }
      return Fail(at, "zxid " + ZxidHex(zxid) + " does not follow " + ZxidHex(prev) +
                          ": history is missing (log file " + ZxidFileName("log", prev + 1) +
                          " deleted or lost?)");
    }
    last_zxid_ = zxid;
    have_last_ = true;
    out->zxid = zxid;
    out->bytes = bytes;
    out->file = current_path_;
    out->offset = at;
    return true;
  }
  return false;
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
