#include "server/frame_reader.h"

#include <cassert>

#include "proto/jute.h"

namespace zk {

void FrameReader::Feed(std::string_view bytes) {
  if (failed_) return;
  // Compact: frames handed out before this call are no longer referenced.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

FrameReader::Status FrameReader::Next(std::string_view* frame) {
  if (failed_) return Status::kBadLength;
  size_t available = buffer_.size() - consumed_;
  if (available < 4) return Status::kNeedMore;
  int64_t len = LoadBigEndian32(buffer_.data() + consumed_);
  if (len < 0 || len > packet_bytes_max_) {
    failed_ = true;
    bad_length_ = len;
    return Status::kBadLength;
  }
  if (available - 4 < static_cast<size_t>(len)) return Status::kNeedMore;
  *frame = std::string_view(buffer_.data() + consumed_ + 4, static_cast<size_t>(len));
  consumed_ += 4 + static_cast<size_t>(len);
  assert(consumed_ <= buffer_.size());
  return Status::kFrame;
}

void FrameReader::Skip(size_t n) {
  assert(n <= buffer_.size() - consumed_);
  consumed_ += n;
}

}  // namespace zk
