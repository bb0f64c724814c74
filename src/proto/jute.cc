#include "proto/jute.h"

#include <cstring>

namespace zk {

int32_t LoadBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int32_t>((uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
                              (uint32_t{u[2]} << 8) | uint32_t{u[3]});
}

void StoreBigEndian32(char* p, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  p[0] = static_cast<char>(u >> 24);
  p[1] = static_cast<char>(u >> 16);
  p[2] = static_cast<char>(u >> 8);
  p[3] = static_cast<char>(u);
}

bool JuteReader::Need(size_t n) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    return false;
  }
  return true;
}

void JuteReader::Skip(size_t n) {
  if (Need(n)) p_ += n;
}

int32_t JuteReader::Int() {
  if (!Need(4)) return 0;
  int32_t v = LoadBigEndian32(p_);
  p_ += 4;
  return v;
}

int64_t JuteReader::Long() {
  if (!Need(8)) return 0;
  uint64_t hi = static_cast<uint32_t>(LoadBigEndian32(p_));
  uint64_t lo = static_cast<uint32_t>(LoadBigEndian32(p_ + 4));
  p_ += 8;
  return static_cast<int64_t>((hi << 32) | lo);
}

bool JuteReader::Bool() {
  if (!Need(1)) return false;
  return *p_++ != 0;
}

std::string JuteReader::Buffer(bool* is_null) {
  int32_t len = Int();
  if (is_null) *is_null = (len == -1);
  if (!ok_ || len == -1) return {};
  if (len < 0 || !Need(static_cast<size_t>(len))) {
    ok_ = false;
    return {};
  }
  std::string s(p_, static_cast<size_t>(len));
  p_ += len;
  return s;
}

std::vector<std::string> JuteReader::StringVector() {
  int32_t n = Int();
  std::vector<std::string> v;
  if (!ok_ || n <= 0) {
    if (n < -1) ok_ = false;
    return v;
  }
  // Each element needs at least 4 bytes: refuse counts the input cannot hold.
  if (static_cast<size_t>(n) > remaining() / 4) {
    ok_ = false;
    return v;
  }
  v.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && ok_; ++i) v.push_back(String());
  return v;
}

void JuteWriter::Int(int32_t v) {
  char b[4];
  StoreBigEndian32(b, v);
  out_.append(b, 4);
}

void JuteWriter::Long(int64_t v) {
  Int(static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  Int(static_cast<int32_t>(static_cast<uint64_t>(v) & 0xffffffffULL));
}

void JuteWriter::Bool(bool v) { out_.push_back(v ? 1 : 0); }

void JuteWriter::Buffer(std::string_view v) {
  Int(static_cast<int32_t>(v.size()));
  out_.append(v);
}

void JuteWriter::StringVector(const std::vector<std::string>& v) {
  Int(static_cast<int32_t>(v.size()));
  for (const auto& s : v) String(s);
}

void JuteWriter::PatchInt(size_t offset, int32_t v) { StoreBigEndian32(&out_[offset], v); }

}  // namespace zk
