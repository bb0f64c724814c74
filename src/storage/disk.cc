#include "storage/disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "proto/zxid.h"

namespace zk::storage {

std::string ErrnoMessage(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

std::string VersionDir(const std::string& dir) { return dir + "/version-2"; }

Status EnsureDir(const std::string& path) {
  if (path.empty()) return Status::Error("empty directory name");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::Error("not a directory: " + path);
  }
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (Status s = EnsureDir(path.substr(0, slash)); !s.ok()) return s;
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    int err = errno;
    return Status::Error(ErrnoMessage("mkdir", path, err), err);
  }
  return Status::Ok();
}

Status SyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Status::Error(ErrnoMessage("open directory", path, err), err);
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::Error(ErrnoMessage("fsync directory", path, err), err);
  return Status::Ok();
}

Status PWriteAll(int fd, std::string_view bytes, int64_t offset, const std::string& path) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd, p, left, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return Status::Error(
          ErrnoMessage("write", path, err) + " (at offset " + std::to_string(offset) + ")", err);
    }
    p += n;
    left -= static_cast<size_t>(n);
    offset += n;
  }
  return Status::Ok();
}

Status ReadFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(ErrnoMessage("open", path, errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Error(ErrnoMessage("stat", path, err));
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = ::read(fd, out->data() + got, out->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::Error(ErrnoMessage("read", path, err));
    }
    if (n == 0) break;  // shrank meanwhile
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  ::close(fd);
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& dir, const std::string& name,
                           const std::vector<std::string_view>& pieces) {
  AtomicFile file;
  if (Status s = file.Open(dir, name); !s.ok()) return s;
  for (std::string_view piece : pieces) {
    if (Status s = file.Append(piece); !s.ok()) return s;
  }
  return file.Commit();
}

AtomicFile::~AtomicFile() { Drop(); }

void AtomicFile::Drop() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_path_.c_str());
}

Status AtomicFile::Open(const std::string& dir, const std::string& name) {
  Drop();
  dir_ = dir;
  final_path_ = dir + "/" + name;
  tmp_path_ = final_path_ + ".tmp";
  offset_ = 0;
  written_back_ = 0;
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int err = errno;
    return Status::Error(ErrnoMessage("create", tmp_path_, err), err);
  }
  return Status::Ok();
}

Status AtomicFile::Append(std::string_view bytes) {
  assert(fd_ >= 0);
  Status s = PWriteAll(fd_, bytes, offset_, tmp_path_);
  if (!s.ok()) {
    Drop();
    return s;
  }
  offset_ += static_cast<int64_t>(bytes.size());
  return s;
}

Status AtomicFile::WriteBack() {
  assert(fd_ >= 0);
  if (offset_ == written_back_) return Status::Ok();
  const unsigned flags =
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (::sync_file_range(fd_, written_back_, offset_ - written_back_, flags) != 0) {
    int err = errno;
    Drop();
    return Status::Error(ErrnoMessage("sync_file_range", tmp_path_, err), err);
  }
  written_back_ = offset_;
  return Status::Ok();
}

Status AtomicFile::Commit() {
  assert(fd_ >= 0);
  if (::fsync(fd_) != 0) {
    int err = errno;
    Drop();
    return Status::Error(ErrnoMessage("fsync", tmp_path_, err), err);
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), final_path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp_path_.c_str());
    return Status::Error(ErrnoMessage("rename to " + final_path_ + ":", tmp_path_, err), err);
  }
  return SyncDir(dir_);
}

std::string ZxidFileName(std::string_view prefix, int64_t zxid) {
  std::string name(prefix);
  name += '.';
  name += HexDigits(zxid);
  return name;
}

std::vector<ZxidFile> ListZxidFiles(const std::string& dir, std::string_view prefix) {
  std::vector<ZxidFile> files;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return files;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
        name[prefix.size()] != '.') {
      continue;
    }
    std::string_view hex = name.substr(prefix.size() + 1);
    if (hex.size() > 16) continue;
    uint64_t v = 0;
    bool ok = true;
    for (char c : hex) {
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        ok = false;  // also skips "<name>.tmp" leftovers
        break;
      }
      v = v << 4 | static_cast<uint64_t>(digit);
    }
    if (!ok) continue;
    files.push_back({static_cast<int64_t>(v), dir + "/" + std::string(name)});
  }
  ::closedir(d);
  std::sort(files.begin(), files.end(),
            [](const ZxidFile& a, const ZxidFile& b) { return a.zxid < b.zxid; });
  return files;
}

uint64_t LoadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

void AppendBigEndian32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

void AppendBigEndian64(std::string* out, uint64_t v) {
  AppendBigEndian32(out, static_cast<uint32_t>(v >> 32));
  AppendBigEndian32(out, static_cast<uint32_t>(v));
}

}  // namespace zk::storage
