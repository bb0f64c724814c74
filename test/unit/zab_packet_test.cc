// Zab packets (docs/zab.md, Packets: QuorumPacket is int type, long zxid, buffer data) and the
// payloads zkd puts in them: exact bytes, round trips for every type, and total decoders.
#include "core/zab_packet.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "wire_bytes.h"

namespace zk {
namespace {

using namespace wire_bytes;  // NOLINT(google-build-using-namespace): test-local helpers

const std::vector<std::pair<ZabType, const char*>> kEveryType = {
    {ZabType::kRequest, "REQUEST"},
    {ZabType::kProposal, "PROPOSAL"},
    {ZabType::kAck, "ACK"},
    {ZabType::kCommit, "COMMIT"},
    {ZabType::kPing, "PING"},
    {ZabType::kSync, "SYNC"},
    {ZabType::kInform, "INFORM"},
    {ZabType::kNewLeader, "NEWLEADER"},
    {ZabType::kFollowerInfo, "FOLLOWERINFO"},
    {ZabType::kUpToDate, "UPTODATE"},
    {ZabType::kDiff, "DIFF"},
    {ZabType::kTrunc, "TRUNC"},
    {ZabType::kSnap, "SNAP"},
    {ZabType::kObserverInfo, "OBSERVERINFO"},
    {ZabType::kLeaderInfo, "LEADERINFO"},
    {ZabType::kAckEpoch, "ACKEPOCH"},
};

TEST(ZabPacket, TypeNumbersAreZooKeepers) {
  EXPECT_EQ(static_cast<int>(ZabType::kRequest), 1);
  EXPECT_EQ(static_cast<int>(ZabType::kProposal), 2);
  EXPECT_EQ(static_cast<int>(ZabType::kAck), 3);
  EXPECT_EQ(static_cast<int>(ZabType::kCommit), 4);
  EXPECT_EQ(static_cast<int>(ZabType::kPing), 5);
  EXPECT_EQ(static_cast<int>(ZabType::kSync), 7);
  EXPECT_EQ(static_cast<int>(ZabType::kInform), 8);
  EXPECT_EQ(static_cast<int>(ZabType::kNewLeader), 10);
  EXPECT_EQ(static_cast<int>(ZabType::kFollowerInfo), 11);
  EXPECT_EQ(static_cast<int>(ZabType::kUpToDate), 12);
  EXPECT_EQ(static_cast<int>(ZabType::kDiff), 13);
  EXPECT_EQ(static_cast<int>(ZabType::kTrunc), 14);
  EXPECT_EQ(static_cast<int>(ZabType::kSnap), 15);
  EXPECT_EQ(static_cast<int>(ZabType::kObserverInfo), 16);
  EXPECT_EQ(static_cast<int>(ZabType::kLeaderInfo), 17);
  EXPECT_EQ(static_cast<int>(ZabType::kAckEpoch), 18);
}

TEST(ZabPacket, EncodesTypeZxidThenDataBuffer) {
  ZabPacket p{ZabType::kProposal, 0x300000007, "txn-bytes"};
  EXPECT_EQ(EncodeZabPacket(p), Be32(2) + Be64(0x300000007) + Str("txn-bytes"));
  ZabPacket up{ZabType::kUpToDate, -1, ""};
  EXPECT_EQ(EncodeZabPacket(up), Be32(12) + Be64(~0ull) + Be32(0));
}

TEST(ZabPacket, EveryTypeRoundTripsWithItsName) {
  int64_t zxid = 0x100000000;
  for (const auto& [type, name] : kEveryType) {
    EXPECT_STREQ(ZabTypeName(type), name);
    ZabPacket p{type, ++zxid, std::string("data of ") + name};
    std::optional<ZabPacket> back = DecodeZabPacket(EncodeZabPacket(p));
    ASSERT_TRUE(back) << name;
    EXPECT_EQ(back->type, type) << name;
    EXPECT_EQ(back->zxid, zxid) << name;
    EXPECT_EQ(back->data, p.data) << name;
  }
}

TEST(ZabPacket, UnknownTypesAreRefused) {
  // 6 REVALIDATE: ZooKeeper's, not ours (zkd revalidates sessions otherwise).
  for (uint32_t type : {0u, 6u, 20u, 0xffffffffu}) {
    EXPECT_FALSE(DecodeZabPacket(Be32(type) + Be64(1) + Str(""))) << type;
  }
  EXPECT_STREQ(ZabTypeName(static_cast<ZabType>(6)), "UNKNOWN");
}

TEST(ZabPacket, CommitAndActivateCarriesTheDesignatedLeaderThenTheConfig) {
  // ZooKeeper's layout: a long, then the raw bytes.
  ZabPacket p{ZabType::kCommitAndActivate, 7, EncodeLongThen(2, "server.2=x")};
  auto back = DecodeZabPacket(EncodeZabPacket(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
  EXPECT_STREQ(ZabTypeName(ZabType::kCommitAndActivate), "COMMITANDACTIVATE");
  EXPECT_STREQ(ZabTypeName(ZabType::kInformAndActivate), "INFORMANDACTIVATE");
  bool ok = false;
  std::string_view rest;
  EXPECT_EQ(DecodeLongThen(back->data, &ok, &rest), 2);
  EXPECT_TRUE(ok);
  EXPECT_EQ(rest, "server.2=x");
  DecodeLongThen("short", &ok, &rest);
  EXPECT_FALSE(ok);
}

TEST(ZabPacket, TruncatedOrTrailingBytesAreRefused) {
  std::string bytes = EncodeZabPacket({ZabType::kCommit, 5, "abc"});
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeZabPacket(std::string_view(bytes).substr(0, len))) << len;
  }
  EXPECT_FALSE(DecodeZabPacket(bytes + '\0'));
  EXPECT_FALSE(DecodeZabPacket(Be32(4) + Be64(5) + Be32(0xfffffffe)));  // length -2
}

TEST(ZabPacket, LongPayloadIsEightBytesExactly) {
  EXPECT_EQ(EncodeLong(0x0102030405060708), Be64(0x0102030405060708));
  bool ok = false;
  EXPECT_EQ(DecodeLong(EncodeLong(-3), &ok), -3);
  EXPECT_TRUE(ok);
  DecodeLong(Be32(1), &ok);
  EXPECT_FALSE(ok);
  DecodeLong(Be64(1) + "x", &ok);
  EXPECT_FALSE(ok);
}

TEST(ZabPacket, ForwardedRequest_RoundTripsSessionXidOpBodyAndAuth) {
  ClientRequest req;
  req.session_id = 0x0200000000000001;
  req.xid = 77;
  req.op = OpCode::kSetData;
  req.body = std::string("\0\0\0\x02/a", 6);
  req.auth = {Id{"ip", "127.0.0.1"}, Id{"digest", "u:h"}};
  std::string bytes = EncodeForwardedRequest(req);
  EXPECT_EQ(bytes, Be64(0x0200000000000001) + Be32(77) + Be32(5) + Str(req.body) + Be32(2) +
                       Str("ip") + Str("127.0.0.1") + Str("digest") + Str("u:h"));
  std::optional<ClientRequest> back = DecodeForwardedRequest(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->session_id, req.session_id);
  EXPECT_EQ(back->xid, 77);
  EXPECT_EQ(back->op, OpCode::kSetData);
  EXPECT_EQ(back->body, req.body);
  EXPECT_EQ(back->auth, req.auth);
  EXPECT_EQ(back->origin, 0);  // not on the wire: the leader fills it in
}

TEST(ZabPacket, ForwardedRequest_MalformedIsRefused) {
  ClientRequest req;
  req.session_id = 1;
  req.op = OpCode::kCreate;
  req.body = "body";
  req.auth = {Id{"ip", "1.2.3.4"}};
  std::string bytes = EncodeForwardedRequest(req);
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeForwardedRequest(std::string_view(bytes).substr(0, len))) << len;
  }
  EXPECT_FALSE(DecodeForwardedRequest(bytes + 'x'));
  std::string head = Be64(1) + Be32(0) + Be32(1) + Str("body");
  EXPECT_FALSE(DecodeForwardedRequest(head + Be32(0xffffffff)));  // negative auth count
  EXPECT_FALSE(DecodeForwardedRequest(head + Be32(1000) + Str("a") + Str("b")));  // count lies
  EXPECT_TRUE(DecodeForwardedRequest(head + Be32(0)));
}

TEST(ZabPacket, Touches_RoundTripAndEmptyDataMeansNone) {
  std::vector<std::pair<int64_t, int32_t>> touches = {{0x0100000000000001, 30000},
                                                      {0x0100000000000002, 4000}};
  std::string bytes = EncodeTouches(touches);
  EXPECT_EQ(bytes, Be32(2) + Be64(0x0100000000000001) + Be32(30000) + Be64(0x0100000000000002) +
                       Be32(4000));
  auto back = DecodeTouches(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, touches);
  // The leader's PING to a learner carries no data.
  auto none = DecodeTouches("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(EncodeTouches({}), Be32(0));
  EXPECT_TRUE(DecodeTouches(Be32(0))->empty());
}

TEST(ZabPacket, Touches_MalformedIsRefused) {
  std::string bytes = EncodeTouches({{1, 2}, {3, 4}});
  for (size_t len = 1; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeTouches(std::string_view(bytes).substr(0, len))) << len;
  }
  EXPECT_FALSE(DecodeTouches(bytes + 'x'));
  EXPECT_FALSE(DecodeTouches(Be32(0xffffffff)));
  EXPECT_FALSE(DecodeTouches(Be32(0x7fffffff) + Be64(1) + Be32(1)));
}

}  // namespace
}  // namespace zk
