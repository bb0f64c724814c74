// LogTail: reads what was appended to a log file since the last look, line by line, without
// blocking for long (one bounded read per call, on the Supervisor's loop thread). Restart-safe:
// a file that was replaced (another inode) or truncated (shorter than what was read) is read
// again from its start; a file that does not exist yet is waited for. Used to follow Apache
// ZooKeeper members' election lines (apache_election_log.h).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pc {

class LogTail {
 public:
  static constexpr size_t kReadBytesMax = size_t{1} << 20;    // per call
  static constexpr size_t kLineBytesMax = size_t{64} * 1024;  // longer lines are cut

  // Starts at the file's current end: what is already there is history, not news.
  explicit LogTail(std::string path);

  // The complete lines appended since the last call (at most kReadBytesMax of them; the rest
  // comes with the next call), without their newlines.
  std::vector<std::string> ReadLines();

  const std::string& path() const { return path_; }
  int64_t offset() const { return offset_; }

 private:
  std::string path_;
  int64_t offset_ = 0;
  ino_t inode_ = 0;
  std::string partial_;  // a line without its newline yet
};

}  // namespace pc
