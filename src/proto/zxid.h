// How a zxid (or any other 64-bit id: session ids, cxids) is printed as text: lower-case hex of
// the unsigned value, no padding, as Java's Long.toHexString. One formatter for the logs, the
// four-letter words, the simulator's traces, storage errors and the supervisor's status.
// Pure and header-only (the supervisor prints zxids without linking the core): no I/O,
// callable from any thread.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace zk {

// "1f", "100000000", "ffffffffffffffff" for -1: the digits alone, as in file names
// (log.<hex>, snapshot.<hex>) and after a literal "0x" in the four-letter words.
inline std::string HexDigits(int64_t v) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v), 16);
  return std::string(buf, end);
}

// "0x1f": the digits with the 0x prefix, as the logs and traces print a zxid or session id.
inline std::string ZxidHex(int64_t zxid) { return "0x" + HexDigits(zxid); }

}  // namespace zk
