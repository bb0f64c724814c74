// How a zxid (or any other 64-bit id: session ids, cxids) is printed as text: lower-case hex of
// the unsigned value, no padding, as Java's Long.toHexString. One formatter for the logs, the
// four-letter words, the simulator's traces, storage errors and the supervisor's status.
// Pure: no I/O, callable from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace zk {

// "1f", "100000000", "ffffffffffffffff" for -1: the digits alone, as in file names
// (log.<hex>, snapshot.<hex>) and after a literal "0x" in the four-letter words.
std::string HexDigits(int64_t v);

// "0x1f": the digits with the 0x prefix, as the logs and traces print a zxid or session id.
std::string ZxidHex(int64_t zxid);

}  // namespace zk
