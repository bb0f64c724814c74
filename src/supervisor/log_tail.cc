#include "supervisor/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace pc {

LogTail::LogTail(std::string path) : path_(std::move(path)) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    offset_ = st.st_size;
    inode_ = st.st_ino;
  }
}

std::vector<std::string> LogTail::ReadLines() {
  std::vector<std::string> lines;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return lines;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return lines;
  }
  if (st.st_ino != inode_ || st.st_size < offset_) {
    // Another file, or the same one cut short: its lines so far are all new.
    inode_ = st.st_ino;
    offset_ = 0;
    partial_.clear();
  }
  std::string data;
  const size_t want = static_cast<size_t>(std::min<int64_t>(st.st_size - offset_, kReadBytesMax));
  data.resize(want);
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, data.data() + got, want - got, offset_ + static_cast<off_t>(got));
    if (n <= 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  offset_ += static_cast<int64_t>(got);
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    partial_.append(data, start, nl - start);
    lines.push_back(std::move(partial_));
    partial_.clear();
  }
  partial_.append(data, start, std::string::npos);
  if (partial_.size() > kLineBytesMax) {
    partial_.resize(kLineBytesMax);  // keep the start, where the interesting part is
  }
  return lines;
}

}  // namespace pc
