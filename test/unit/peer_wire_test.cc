#include "core/peer_wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace zk {
namespace {

const Notification kN{3, PeerState::kLeading, 3, 0x100000008, 7, 1};

TEST(PeerWire, NotificationRoundTrips) {
  std::string bytes = EncodeNotification(kN, "server.1=127.0.0.1:2881:3881");
  EXPECT_EQ(bytes.size(), 8u + 4 + 8 * 4 + 4 + 4 + 28);
  auto back = DecodeNotification(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->n, kN);
  EXPECT_EQ(back->config, "server.1=127.0.0.1:2881:3881");
  auto observer = Notification{4, PeerState::kLooking, kNoVote, kNoVote, 1, kNoVote};
  EXPECT_EQ(DecodeNotification(EncodeNotification(observer))->n, observer);
}

TEST(PeerWire, EveryTruncationAndTrailingByteIsRejected) {
  std::string bytes = EncodeNotification(kN, "cfg");
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeNotification(std::string_view(bytes).substr(0, len))) << len;
  }
  EXPECT_FALSE(DecodeNotification(bytes + "x"));
}

TEST(PeerWire, BadStateVersionOrLengthIsRejected) {
  std::string bytes = EncodeNotification(kN);
  std::string bad_state = bytes;
  bad_state[11] = 4;  // state is the int after the 8-byte sid
  EXPECT_FALSE(DecodeNotification(bad_state));
  std::string bad_version = bytes;
  bad_version[8 + 4 + 32 + 3] = 3;
  EXPECT_FALSE(DecodeNotification(bad_version));
  std::string negative_len = bytes;
  negative_len[8 + 4 + 32 + 4] = static_cast<char>(0xff);  // config length -16777216
  EXPECT_FALSE(DecodeNotification(negative_len));
  EXPECT_FALSE(
      DecodeNotification(EncodeNotification(kN, std::string(kElectionConfigMax + 1, 'c'))));
}

TEST(PeerWire, ArbitraryBytesNeverCrash) {
  uint64_t x = 12345;
  std::string good = EncodeNotification(kN, "abc");
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string s = good;
    s[(x >> 33) % s.size()] = static_cast<char>(x >> 56);
    if (i % 3 == 0) s.resize((x >> 20) % (s.size() + 1));
    auto n = DecodeNotification(s);
    if (n) {
      EXPECT_GE(static_cast<int>(n->n.state), 0);
      EXPECT_LE(static_cast<int>(n->n.state), 3);
    }
  }
}

TEST(PeerWire, FramesAndHello) {
  std::string stream =
      EncodeElectionHello({5, "127.0.0.1:3885"}) + EncodeFrame("abc") + EncodeFrame("de");
  ElectionHello h;
  size_t used = 0;
  EXPECT_EQ(DecodeElectionHello(std::string_view(stream).substr(0, 10), &h, &used),
            FrameResult::kNeedMore);
  ASSERT_EQ(DecodeElectionHello(stream, &h, &used), FrameResult::kOk);
  EXPECT_EQ(h, (ElectionHello{5, "127.0.0.1:3885"}));
  std::string_view rest = std::string_view(stream).substr(used);
  std::string_view payload;
  ASSERT_EQ(TakeFrame(rest, &payload, &used), FrameResult::kOk);
  EXPECT_EQ(payload, "abc");
  rest = rest.substr(used);
  EXPECT_EQ(TakeFrame(rest.substr(0, 5), &payload, &used), FrameResult::kNeedMore);
  ASSERT_EQ(TakeFrame(rest, &payload, &used), FrameResult::kOk);
  EXPECT_EQ(payload, "de");
  EXPECT_EQ(TakeFrame(std::string("\x7f\0\0\0", 4), &payload, &used), FrameResult::kBad);
  EXPECT_EQ(TakeFrame(std::string("\0\0\0\0", 4), &payload, &used), FrameResult::kBad);
  std::string bad_hello = EncodeElectionHello({5, "x"});
  bad_hello[7] = 1;  // wrong protocol version
  EXPECT_EQ(DecodeElectionHello(bad_hello, &h, &used), FrameResult::kBad);
}

}  // namespace
}  // namespace zk
