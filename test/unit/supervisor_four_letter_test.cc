// The supervisor's reading of `srvr` replies (supervisor/four_letter; the server's renderers are
// in four_letter_test.cc).
#include <gtest/gtest.h>

#include "supervisor/four_letter.h"

namespace pc {
namespace {

TEST(ParseSrvr, ReadsModeZxidAndConnections) {
  SrvrReply r = ParseSrvr(
      "Zookeeper version: 3.8.0-debian, built on 2024-06-16 UTC\n"
      "Latency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 4\nOutstanding: 0\n"
      "Zxid: 0x200000005\nMode: follower\nNode count: 5\n");
  EXPECT_TRUE(r.serving);
  EXPECT_EQ(r.role, Role::kFollowing);
  EXPECT_EQ(r.zxid, 0x200000005u);
  EXPECT_EQ(r.connections, 4);
  EXPECT_EQ(ParseSrvr("Mode: leader\n").role, Role::kLeading);
  EXPECT_EQ(ParseSrvr("Mode: observer\n").role, Role::kObserving);
  EXPECT_EQ(ParseSrvr("Mode: standalone\n").role, Role::kStandalone);
}

TEST(ParseSrvr, NotServingMeansLooking) {
  SrvrReply r = ParseSrvr("This ZooKeeper instance is not currently serving requests\n");
  EXPECT_FALSE(r.serving);
  EXPECT_EQ(r.role, Role::kLooking);
}

}  // namespace
}  // namespace pc
