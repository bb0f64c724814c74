#include "server/frame_reader.h"

#include <gtest/gtest.h>

#include "proto/jute.h"

namespace zk {
namespace {

std::string Frame(std::string_view body) {
  std::string out(4, '\0');
  StoreBigEndian32(out.data(), static_cast<int32_t>(body.size()));
  out.append(body);
  return out;
}

TEST(FrameReader, WholeFrames_ComeOutInOrder) {
  FrameReader r(100);
  r.Feed(Frame("abc") + Frame("") + Frame("hello"));
  std::string_view f;
  ASSERT_EQ(r.Next(&f), FrameReader::Status::kFrame);
  EXPECT_EQ(f, "abc");
  ASSERT_EQ(r.Next(&f), FrameReader::Status::kFrame);
  EXPECT_EQ(f, "");
  ASSERT_EQ(r.Next(&f), FrameReader::Status::kFrame);
  EXPECT_EQ(f, "hello");
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kNeedMore);
}

TEST(FrameReader, ByteByByte_SameFrames) {
  FrameReader r(100);
  std::string stream = Frame("first") + Frame("second");
  std::vector<std::string> got;
  for (char c : stream) {
    r.Feed(std::string_view(&c, 1));
    std::string_view f;
    while (r.Next(&f) == FrameReader::Status::kFrame) got.emplace_back(f);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(r.buffered().empty());
}

TEST(FrameReader, LengthAboveMax_IsAnError) {
  FrameReader r(10);
  r.Feed(Frame("0123456789"));
  std::string_view f;
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kFrame);
  r.Feed(Frame("0123456789A"));
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kBadLength);
  EXPECT_EQ(r.bad_length(), 11);
  // Sticky: nothing more comes out of a failed stream.
  r.Feed(Frame("x"));
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kBadLength);
}

TEST(FrameReader, NegativeLength_IsAnError) {
  FrameReader r(100);
  r.Feed(std::string("\xff\xff\xff\xfe", 4));
  std::string_view f;
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kBadLength);
  EXPECT_EQ(r.bad_length(), -2);
}

TEST(FrameReader, FourLetterWord_IsAHugeLengthUnlessSkipped) {
  FrameReader r(0xfffff);
  r.Feed("ruok");
  EXPECT_EQ(r.buffered(), "ruok");
  std::string_view f;
  EXPECT_EQ(r.Next(&f), FrameReader::Status::kBadLength);  // 0x72756f6b > 0xfffff
  FrameReader r2(0xfffff);
  r2.Feed("srvr");
  r2.Skip(4);
  EXPECT_EQ(r2.Next(&f), FrameReader::Status::kNeedMore);
}

TEST(FrameReader, Compaction_KeepsBufferBounded) {
  FrameReader r(1000);
  std::string_view f;
  for (int i = 0; i < 10000; ++i) {
    r.Feed(Frame(std::string(100, 'x')));
    ASSERT_EQ(r.Next(&f), FrameReader::Status::kFrame);
    ASSERT_EQ(f.size(), 100u);
  }
  EXPECT_LE(r.capacity_used(), 104u * 2);
}

}  // namespace
}  // namespace zk
