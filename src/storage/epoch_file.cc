#include "storage/epoch_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "storage/disk.h"

namespace zk::storage {

Status ReadEpoch(const std::string& data_dir, const std::string& name, int64_t default_value,
                 int64_t* out) {
  std::string path = VersionDir(data_dir) + "/" + name;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    *out = default_value;
    return Status::Ok();
  }
  std::string text;
  if (Status s = ReadFile(path, &text); !s.ok()) return s;
  std::string_view v(text);
  if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    std::string shown(v.substr(0, 40));
    return Status::Error("epoch file " + path + ": not a decimal number: \"" + shown + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status WriteEpoch(const std::string& data_dir, const std::string& name, int64_t value) {
  std::string dir = VersionDir(data_dir);
  if (Status s = EnsureDir(dir); !s.ok()) return s;
  std::string text = std::to_string(value);
  return WriteFileAtomically(dir, name, {text});
}

}  // namespace zk::storage
