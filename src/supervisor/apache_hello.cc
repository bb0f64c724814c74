#include "supervisor/apache_hello.h"

#include <cstdint>

namespace pc {

namespace {

int64_t Be64(const std::string& b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return static_cast<int64_t>(v);
}

int32_t Be32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return static_cast<int32_t>(v);
}

std::string Be32Bytes(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

constexpr int64_t kVersionOneAddress = -65536;
constexpr int64_t kVersionAddresses = -65535;
constexpr size_t kHeaderBytes = 8 + 8 + 4;

}  // namespace

bool RewriteApacheElectionHello(std::string* bytes, const std::string& address) {
  if (bytes->size() < 8) return bytes->size() >= kApacheHelloBytesMax;
  const int64_t version = Be64(*bytes, 0);
  if (version != kVersionOneAddress && version != kVersionAddresses) return true;
  if (bytes->size() < kHeaderBytes) return false;
  const int32_t length = Be32(*bytes, 16);
  if (length <= 0 || static_cast<size_t>(length) > kApacheHelloBytesMax) return true;
  if (bytes->size() < kHeaderBytes + static_cast<size_t>(length)) return false;
  std::string out = bytes->substr(0, 16);
  out += Be32Bytes(static_cast<uint32_t>(address.size()));
  out += address;
  out += bytes->substr(kHeaderBytes + static_cast<size_t>(length));
  *bytes = std::move(out);
  return true;
}

}  // namespace pc
