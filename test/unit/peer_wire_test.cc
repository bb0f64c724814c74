// The election port's wire (core/peer_wire): exact bytes of notifications, hellos and frames,
// round trips that check every field, the named limits, and what the decoders refuse.
#include "core/peer_wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace zk {
namespace {

const Notification kN{3, PeerState::kLeading, 3, 0x100000008, 7, 1};

// Big-endian bytes built by hand, independent of JuteWriter.
std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
std::string Be64(uint64_t v) { return Be32(static_cast<uint32_t>(v >> 32)) + Be32(v & 0xffffffff); }
std::string Str(std::string_view s) {
  return Be32(static_cast<uint32_t>(s.size())) + std::string(s);
}

int32_t IntAt(std::string_view bytes, size_t offset) {
  return static_cast<int32_t>(
      (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset])) << 24) |
      (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 1])) << 16) |
      (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 2])) << 8) |
      static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 3])));
}

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

TEST(PeerWire, Notification_ExactBytesInHeaderOrder) {
  // sid, state, leader, zxid, election epoch, peer epoch, version 2, config.
  EXPECT_EQ(EncodeNotification(kN, "cfg"), Be64(3) + Be32(2) + Be64(3) + Be64(0x100000008) +
                                               Be64(7) + Be64(1) + Be32(2) + Str("cfg"));
  EXPECT_EQ(EncodeNotification(kN), Be64(3) + Be32(2) + Be64(3) + Be64(0x100000008) + Be64(7) +
                                        Be64(1) + Be32(2) + Be32(0));
}

TEST(PeerWire, Notification_EveryStateRoundTripsWithEveryField) {
  for (PeerState state :
       {PeerState::kLooking, PeerState::kFollowing, PeerState::kLeading, PeerState::kObserving}) {
    Notification n{0x0102030405060708, state,           -5, 0x7fffffff00000001,
                   0x1122334455667788, int64_t{1} << 40};
    auto back = DecodeNotification(EncodeNotification(n, "server.9=h:1:2"));
    ASSERT_TRUE(back) << static_cast<int>(state);
    EXPECT_EQ(back->n.sid, 0x0102030405060708);
    EXPECT_EQ(back->n.state, state);
    EXPECT_EQ(back->n.leader, -5);
    EXPECT_EQ(back->n.zxid, 0x7fffffff00000001);
    EXPECT_EQ(back->n.election_epoch, 0x1122334455667788);
    EXPECT_EQ(back->n.peer_epoch, int64_t{1} << 40);
    EXPECT_EQ(back->config, "server.9=h:1:2");
  }
  // An observer proposes nothing: kNoVote (Long.MIN_VALUE) survives the trip.
  auto observer = DecodeNotification(
      EncodeNotification({4, PeerState::kObserving, kNoVote, kNoVote, 2, kNoVote}));
  ASSERT_TRUE(observer);
  EXPECT_EQ(observer->n.leader, kNoVote);
  EXPECT_EQ(observer->n.zxid, kNoVote);
  EXPECT_EQ(observer->n.peer_epoch, kNoVote);
  EXPECT_EQ(observer->n.election_epoch, 2);
  EXPECT_EQ(observer->config, "");
}

TEST(PeerWire, Notification_ConfigUpToItsLimitAndNullConfigAsEmpty) {
  std::string biggest(kElectionConfigMax, 'c');
  auto back = DecodeNotification(EncodeNotification(kN, biggest));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->config, biggest);
  std::string null_config = EncodeNotification(kN);
  null_config.replace(null_config.size() - 4, 4, Be32(0xffffffff));
  auto null_back = DecodeNotification(null_config);
  ASSERT_TRUE(null_back);
  EXPECT_EQ(null_back->n, kN);
  EXPECT_EQ(null_back->config, "");
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

TEST(PeerWire, MutatedBytesDecodeToExactlyWhatTheySayOrAreRejected) {
  // One byte changed (and sometimes the tail cut off): the decoder accepts exactly the inputs
  // with a known state, version 2 and a config length that matches, and what it returns
  // re-encodes to the same bytes, so every field was read from its own place.
  uint64_t x = 12345;
  const std::string good = EncodeNotification(kN, "abc");
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string s = good;
    s[(x >> 33) % s.size()] = static_cast<char>(x >> 56);
    if (i % 3 == 0) s.resize((x >> 20) % (s.size() + 1));
    const bool want = s.size() == good.size() && IntAt(s, 8) >= 0 && IntAt(s, 8) <= 3 &&
                      IntAt(s, 44) == kNotificationVersion && IntAt(s, 48) == 3;
    auto n = DecodeNotification(s);
    ASSERT_EQ(n.has_value(), want) << "input " << i;
    if (n) {
      ++accepted;
      EXPECT_EQ(EncodeNotification(n->n, n->config), s) << "input " << i;
      EXPECT_EQ(static_cast<int32_t>(n->n.state), IntAt(s, 8));
      EXPECT_EQ(n->config, s.substr(52));
    }
  }
  EXPECT_GT(accepted, 10000);  // most single-byte changes land in a free field
}

TEST(PeerWire, Hello_ExactBytesAndRoundTripWithWhatFollows) {
  std::string hello = EncodeElectionHello({0x0102030405060708, "10.0.0.7:3888"});
  EXPECT_EQ(hello, Be64(static_cast<uint64_t>(kElectionProtocolVersion)) +
                       Be64(0x0102030405060708) + Str("10.0.0.7:3888"));
  ElectionHello h;
  size_t used = 0;
  ASSERT_EQ(DecodeElectionHello(hello + "next", &h, &used), FrameResult::kOk);
  EXPECT_EQ(h.sid, 0x0102030405060708);
  EXPECT_EQ(h.address, "10.0.0.7:3888");
  EXPECT_EQ(used, hello.size());
  for (size_t len = 0; len < hello.size(); ++len) {
    EXPECT_EQ(DecodeElectionHello(std::string_view(hello).substr(0, len), &h, &used),
              FrameResult::kNeedMore)
        << len;
  }
}

TEST(PeerWire, Hello_AddressUpToItsLimitNegativeOrLongerIsBad) {
  ElectionHello h;
  size_t used = 0;
  std::string longest(kElectionAddressMax, 'a');
  ASSERT_EQ(DecodeElectionHello(EncodeElectionHello({1, longest}), &h, &used), FrameResult::kOk);
  EXPECT_EQ(h.address, longest);
  EXPECT_EQ(used, 20 + kElectionAddressMax);
  EXPECT_EQ(DecodeElectionHello(EncodeElectionHello({1, longest + "a"}), &h, &used),
            FrameResult::kBad);
  std::string negative =
      Be64(static_cast<uint64_t>(kElectionProtocolVersion)) + Be64(1) + Be32(0xffffffff);
  EXPECT_EQ(DecodeElectionHello(negative, &h, &used), FrameResult::kBad);
}

TEST(PeerWire, Frame_LengthPrefixThenPayloadUpToTheLimit) {
  EXPECT_EQ(EncodeFrame("abc"), Be32(3) + "abc");
  std::string_view payload;
  size_t used = 0;
  std::string biggest(kElectionFrameMax, 'p');
  std::string frame = EncodeFrame(biggest);
  ASSERT_EQ(TakeFrame(frame, &payload, &used), FrameResult::kOk);
  EXPECT_EQ(payload.size(), kElectionFrameMax);
  EXPECT_EQ(payload, biggest);
  EXPECT_EQ(used, 4 + kElectionFrameMax);
  EXPECT_EQ(TakeFrame(Be32(static_cast<uint32_t>(kElectionFrameMax) + 1), &payload, &used),
            FrameResult::kBad);
  EXPECT_EQ(TakeFrame(Be32(0xffffffff), &payload, &used), FrameResult::kBad);
  EXPECT_EQ(TakeFrame(std::string("\0\0\0", 3), &payload, &used), FrameResult::kNeedMore);
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
