// Big-endian wire bytes built by hand, independent of JuteWriter, for tests that pin exact
// encodings (records, txns, Zab packets).
#pragma once

#include <cstdint>
#include <string>

namespace zk::wire_bytes {

inline std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
inline std::string Be64(uint64_t v) {
  return Be32(static_cast<uint32_t>(v >> 32)) + Be32(v & 0xffffffff);
}
// A jute ustring / buffer: its length, then its bytes.
inline std::string Str(const std::string& s) { return Be32(static_cast<uint32_t>(s.size())) + s; }
inline std::string Byte(char c) { return std::string(1, c); }

}  // namespace zk::wire_bytes
