// TxnLogReader: the entries of the txn log from a zxid on, file by file. A file is read only as
// far as the entries asked for need: a DIFF from the log (log_range.cc) that wants entries in
// the middle of a 64 MB preallocated file reads up to them, not the whole file. Only the checks
// of a file's end (zeros after the last entry, a torn tail) read the rest of it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "proto/jute.h"
#include "proto/zxid.h"
#include "storage/disk.h"
#include "storage/txn_log.h"

namespace zk::storage {
namespace {

// Read a file this much at a time beyond what the next entry needs.
constexpr int64_t kReadAheadBytes = 1 << 20;

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

TxnLogReader::TxnLogReader(const std::string& data_log_dir, int64_t from_zxid)
    : from_zxid_(from_zxid) {
  std::vector<ZxidFile> all = ListZxidFiles(VersionDir(data_log_dir), "log");
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].zxid <= from_zxid) start = i;
  }
  files_.assign(all.begin() + static_cast<std::ptrdiff_t>(start), all.end());
}

TxnLogReader::~TxnLogReader() { CloseFile(); }

void TxnLogReader::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TxnLogReader::Load(int64_t end) {
  end = std::min(end, file_size_);
  const auto have = static_cast<int64_t>(data_.size());
  if (end <= have) return true;
  const int64_t want = std::min(file_size_, std::max(end, have + kReadAheadBytes));
  data_.resize(static_cast<size_t>(want));  // within the capacity reserved at open: no move
  int64_t got = have;
  while (got < want) {
    const ssize_t n = ::pread(fd_, data_.data() + got, static_cast<size_t>(want - got), got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = Status::Error(ErrnoMessage("read", current_path_, errno));
      done_ = true;
      return false;
    }
    if (n == 0) break;  // shrank meanwhile
    got += n;
    bytes_read_ += n;
  }
  data_.resize(static_cast<size_t>(got));
  if (got < want) file_size_ = got;
  return true;
}

bool TxnLogReader::ZerosFrom(int64_t from, bool* zeros, int64_t* end) {
  if (!LoadAll()) return false;
  const auto last = static_cast<int64_t>(EndOfNonZero(data_, static_cast<size_t>(from)));
  *zeros = last == from;
  if (end != nullptr) *end = last;
  return true;
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
  bool zeros = false;
  int64_t end = 0;
  if (!ZerosFrom(offset, &zeros, &end)) return false;
  torn_.file = current_path_;
  torn_.offset = offset;
  torn_.bytes_dropped = end - offset;
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
  CloseFile();
  data_.clear();
  fd_ = ::open(current_path_.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
    status_ = Status::Error(ErrnoMessage(fd_ < 0 ? "open" : "stat", current_path_, errno));
    done_ = true;
    return false;
  }
  file_size_ = static_cast<int64_t>(st.st_size);
  data_.reserve(static_cast<size_t>(file_size_));
  if (!Load(kFileHeaderBytes)) return false;
  bool header_ok = data_.size() >= static_cast<size_t>(kFileHeaderBytes) &&
                   LoadBigEndian32(data_.data()) == kTxnLogMagic;
  if (!header_ok) {
    // A file created by the crashed writer before its header reached the disk.
    bool zeros = false;
    if (!ZerosFrom(0, &zeros)) return false;
    if (zeros || data_.size() < static_cast<size_t>(kFileHeaderBytes)) {
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
    const int64_t size = file_size_;
    const int64_t at = pos_;
    if (!Load(at + 12)) return false;
    const char* p = data_.data() + at;
    bool zeros = false;
    if (size - at < 12) {
      if (!ZerosFrom(at, &zeros)) return false;
      if (zeros) {
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
      int64_t end = 0;
      if (!ZerosFrom(at, &zeros, &end)) return false;
      if (zeros) {
        in_file_ = false;
        continue;
      }
      return Fail(at, "zeros where an entry should be, but data follows up to offset " +
                          std::to_string(end));
    }
    if (len <= 0 || len > kTxnBytesMax) {
      if (!ZerosFrom(at + 12, &zeros)) return false;
      if (zeros) return EndOfFile(at, "bad entry length " + std::to_string(len));
      return Fail(at, "bad entry length " + std::to_string(len));
    }
    int64_t extent = 12 + static_cast<int64_t>(len) + 1;
    if (at + extent > size) return EndOfFile(at, "entry runs past the end of the file");
    if (!Load(at + extent)) return false;
    p = data_.data() + at;
    std::string_view bytes(p + 12, static_cast<size_t>(len));
    bool good = Adler32(bytes) == checksum && static_cast<uint8_t>(p[12 + len]) == kEntryEnd;
    if (!good) {
      if (!ZerosFrom(at + extent, &zeros)) return false;
      if (zeros && next_file_ == files_.size()) return EndOfFile(at, "bad checksum");
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

}  // namespace zk::storage
