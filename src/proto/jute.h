// Jute binary encoding (docs/wire-format.md, Jute encoding): big-endian ints, length-prefixed
// buffers and strings, counted vectors, records as concatenated fields.
//
// JuteReader reads from a borrowed byte range and never reads past it: any short or malformed
// read sets a sticky failure flag and yields zero values, so a decoder can read a whole record
// and check ok() once at the end. JuteWriter appends to a std::string it owns.
// Pure: no I/O. Not thread-safe; one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zk {

class JuteReader {
 public:
  JuteReader(const char* data, size_t size) : p_(data), end_(data + size) {}
  explicit JuteReader(std::string_view s) : JuteReader(s.data(), s.size()) {}

  int32_t Int();
  int64_t Long();
  bool Bool();
  // A buffer or ustring; a length of -1 (null) reads as empty and sets *is_null if given.
  std::string Buffer(bool* is_null = nullptr);
  std::string String(bool* is_null = nullptr) { return Buffer(is_null); }
  std::vector<std::string> StringVector();

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool AtEnd() const { return p_ == end_; }
  const char* position() const { return p_; }
  void Skip(size_t n);

 private:
  bool Need(size_t n);
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

class JuteWriter {
 public:
  JuteWriter() = default;
  void Int(int32_t v);
  void Long(int64_t v);
  void Bool(bool v);
  void Buffer(std::string_view v);
  void NullBuffer() { Int(-1); }
  // A buffer that may be null (length -1), as jute writes a null byte[].
  void MaybeNullBuffer(std::string_view v, bool is_null) {
    if (is_null) {
      NullBuffer();
    } else {
      Buffer(v);
    }
  }
  void String(std::string_view v) { Buffer(v); }
  void StringVector(const std::vector<std::string>& v);
  void Raw(std::string_view v) { out_.append(v); }
  void Reserve(size_t bytes) { out_.reserve(bytes); }

  // Overwrites 4 bytes at `offset` (used for a length prefix written after the body).
  void PatchInt(size_t offset, int32_t v);

  size_t size() const { return out_.size(); }
  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Big-endian helpers for framing code that does not want a whole reader.
int32_t LoadBigEndian32(const char* p);
void StoreBigEndian32(char* p, int32_t v);

}  // namespace zk
