// Status: the error value every storage call returns (LevelDB style). The OK case is an empty
// string and costs nothing; an error carries one human-readable line that names the file and,
// where it applies, the byte offset — the server logs it as is — and, for a failed system call,
// its errno, so the server can say "No space left on device" without parsing the line (the
// ensemble's storage event, issue 16). No exceptions leave storage.
#pragma once

#include <string>
#include <utility>

namespace zk::storage {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  static Status Error(std::string message, int error_number) {
    Status s(std::move(message));
    s.error_number_ = error_number;
    return s;
  }

  bool ok() const { return message_.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }
  // The errno of the system call that failed; 0 when the error is not one (a bad checksum).
  int error_number() const { return error_number_; }

 private:
  explicit Status(std::string message) : message_(std::move(message)) {
    if (message_.empty()) message_ = "unknown error";
  }
  std::string message_;
  int error_number_ = 0;
};

}  // namespace zk::storage
