// libFuzzer target: the shell's FrameReader over arbitrary byte streams fed in arbitrary chunks.
// It must never crash or read out of bounds, must hand out exactly the frames a straight decode
// finds, and must keep its buffer bounded (packet_bytes_max + 4 + one chunk).
// The fuzz build links only the pure libraries, so the (pure) reader is compiled in here.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/frame_reader.cc"  // NOLINT(bugprone-suspicious-include): not in zk_pure

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk;
  if (size < 2) return 0;
  const int64_t max = 1 + data[0] * 4;  // small limits reach the error path often
  const size_t chunk = 1 + data[1] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  // Reference: a straight decode of the whole input.
  std::vector<std::string> expected;
  bool expected_error = false;
  for (size_t off = 0; off + 4 <= input.size();) {
    int64_t len = LoadBigEndian32(input.data() + off);
    if (len < 0 || len > max) {
      expected_error = true;
      break;
    }
    if (off + 4 + static_cast<size_t>(len) > input.size()) break;
    expected.emplace_back(input.substr(off + 4, static_cast<size_t>(len)));
    off += 4 + static_cast<size_t>(len);
  }

  FrameReader reader(max);
  std::vector<std::string> got;
  bool error = false;
  for (size_t off = 0; off < input.size() && !error; off += chunk) {
    reader.Feed(input.substr(off, chunk));
    assert(reader.capacity_used() <= static_cast<size_t>(max) + 4 + chunk);
    std::string_view frame;
    for (;;) {
      FrameReader::Status s = reader.Next(&frame);
      if (s == FrameReader::Status::kFrame) {
        got.emplace_back(frame);
        continue;
      }
      error = s == FrameReader::Status::kBadLength;
      break;
    }
  }
  assert(got == expected);
  assert(error == expected_error);
  return 0;
}
