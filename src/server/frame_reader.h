// FrameReader: splits a client byte stream into ZooKeeper packets (docs/wire-format.md,
// Framing): a 4-byte
// big-endian length, then that many bytes. A length < 0 or > packet_bytes_max is an error that
// ends the connection (and only that connection).
//
// Pure: no I/O. The caller feeds whatever a read returned and takes complete frames out. The
// buffered bytes never exceed one partial frame plus the bytes of the last Feed, so the buffer is
// bounded by packet_bytes_max + 4 + the caller's read size. Frames are views into the buffer,
// valid until the next Feed. One owner; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zk {

class FrameReader {
 public:
  enum class Status {
    kFrame,      // *frame holds the next packet body (without the length)
    kNeedMore,   // no complete frame buffered
    kBadLength,  // the next length is < 0 or > packet_bytes_max; bad_length() says which
  };

  explicit FrameReader(int64_t packet_bytes_max) : packet_bytes_max_(packet_bytes_max) {}

  void Feed(std::string_view bytes);
  Status Next(std::string_view* frame);

  // Bytes not yet taken as frames (for the four-letter-word check on a connection's first bytes).
  std::string_view buffered() const {
    return std::string_view(buffer_).substr(consumed_);
  }
  // Drops `n` buffered bytes (a four-letter word that was not a frame).
  void Skip(size_t n);
  int64_t bad_length() const { return bad_length_; }
  int64_t packet_bytes_max() const { return packet_bytes_max_; }
  // Bytes held, including ones already returned as frames and not yet compacted away.
  size_t capacity_used() const { return buffer_.size(); }

 private:
  std::string buffer_;
  size_t consumed_ = 0;
  int64_t packet_bytes_max_;
  int64_t bad_length_ = 0;
  bool failed_ = false;
};

}  // namespace zk
