// Status: the error value every storage call returns (LevelDB style). The OK case is an empty
// string and costs nothing; an error carries one human-readable line that names the file and,
// where it applies, the byte offset — the server logs it as is. No exceptions leave storage.
#pragma once

#include <string>
#include <utility>

namespace zk::storage {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return message_.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : message_(std::move(message)) {
    if (message_.empty()) message_ = "unknown error";
  }
  std::string message_;
};

}  // namespace zk::storage
