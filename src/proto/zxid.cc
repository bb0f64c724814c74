#include "proto/zxid.h"

#include <charconv>

namespace zk {

std::string HexDigits(int64_t v) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v), 16);
  return std::string(buf, end);
}

std::string ZxidHex(int64_t zxid) { return "0x" + HexDigits(zxid); }

}  // namespace zk
