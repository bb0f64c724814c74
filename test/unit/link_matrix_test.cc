// The pure parts of network faults: the quorum math over a link matrix, the duration and
// bandwidth parsers of the fault commands, and the rewrite of Apache's election hello.
#include "supervisor/link_matrix.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "supervisor/apache_hello.h"
#include "wire_bytes.h"

namespace pc {
namespace {

LinkFault Blackhole() {
  LinkFault f;
  f.blackhole = true;
  return f;
}

LinkMatrix Partition(int nodes, const std::vector<int>& group) {
  LinkMatrix m(nodes);
  for (int a = 1; a <= nodes; ++a) {
    for (int b = 1; b <= nodes; ++b) {
      const bool in_a = std::count(group.begin(), group.end(), a) > 0;
      const bool in_b = std::count(group.begin(), group.end(), b) > 0;
      if (a != b && in_a != in_b) m.Set(a, b, Blackhole());
    }
  }
  return m;
}

TEST(LinkMatrix, TwoThreeSplit_MajorityHoldsTheQuorum) {
  const LinkMatrix m = Partition(5, {1, 2});
  EXPECT_EQ(TalkingGroups(m), (std::vector<std::vector<int>>{{1, 2}, {3, 4, 5}}));
  EXPECT_EQ(PredictQuorum(m, 5),
            "{3,4,5} holds a quorum (3 of 5 voters); "
            "{1,2} cannot serve writes (2 of 5 voters, 3 needed)");
}

TEST(LinkMatrix, ObserversNeverMakeAQuorum) {
  // 3 voters + 2 observers: {1,4,5} has three members but one voter.
  const LinkMatrix m = Partition(5, {1, 4, 5});
  EXPECT_EQ(PredictQuorum(m, 3),
            "{2,3} holds a quorum (2 of 3 voters); "
            "{1,obs 4,obs 5} cannot serve writes (1 of 3 voters, 2 needed)");
}

TEST(LinkMatrix, HealthyLinksAreOneGroup) {
  LinkMatrix m(3);
  EXPECT_TRUE(m.healthy());
  EXPECT_EQ(PredictQuorum(m, 3), "{1,2,3} holds a quorum (3 of 3 voters)");
}

TEST(LinkMatrix, OneWayCutBreaksThePairButNotTheGroup) {
  LinkMatrix m(3);
  m.Set(3, 1, Blackhole());
  EXPECT_FALSE(m.Talks(1, 3));
  EXPECT_FALSE(m.Talks(3, 1));
  EXPECT_TRUE(m.Talks(1, 2));
  EXPECT_EQ(PredictQuorum(m, 3), "{1,2,3} holds a quorum (3 of 3 voters) though 1-3 do not talk");
}

TEST(LinkMatrix, OnlyAMemberWithDirectLinksToAQuorumCanLead) {
  // 5 voters in a chain-like mesh: 1 talks to 2 only; 2 talks to everyone.
  LinkMatrix m(5);
  for (int b : {3, 4, 5}) m.SetBoth(1, b, Blackhole());
  m.SetBoth(3, 4, Blackhole());
  m.SetBoth(3, 5, Blackhole());
  m.SetBoth(4, 5, Blackhole());
  EXPECT_EQ(PredictQuorum(m, 5),
            "{1,2,3,4,5} holds a quorum (5 of 5 voters) if one of {2} leads (1-3, 1-4, 1-5, "
            "3-4, 3-5, 4-5 do not talk; a leader needs direct links to a quorum)");
}

TEST(LinkMatrix, AChainOfSevenReachesEveryoneButNoQuorumDirectly) {
  LinkMatrix m(7);
  for (int a = 1; a <= 7; ++a) {
    for (int b = a + 2; b <= 7; ++b) m.SetBoth(a, b, Blackhole());
  }
  ASSERT_EQ(TalkingGroups(m).size(), 1u);
  EXPECT_EQ(PredictQuorum(m, 7),
            "{1,2,3,4,5,6,7} cannot serve writes (7 of 7 voters, 4 needed, but no member has "
            "direct links to a quorum)");
}

TEST(LinkMatrix, DelayIsNotACut) {
  LinkMatrix m(3);
  LinkFault slow;
  slow.delay_ms = 200;
  m.SetBoth(1, 2, slow);
  EXPECT_TRUE(m.Talks(1, 2));
  EXPECT_FALSE(m.healthy());
  m.HealAll();
  EXPECT_TRUE(m.healthy());
}

TEST(FaultArguments, DurationsParse) {
  EXPECT_EQ(ParseDurationMs("50ms"), 50);
  EXPECT_EQ(ParseDurationMs("200"), 200);
  EXPECT_EQ(ParseDurationMs("1.5s"), 1500);
  EXPECT_EQ(ParseDurationMs("0"), 0);
  EXPECT_EQ(ParseDurationMs("5xs"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("ms"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("-5ms"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("2h"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("4000s"), std::nullopt);
}

TEST(FaultArguments, BandwidthsParse) {
  EXPECT_EQ(ParseBandwidth("1MB/s"), 1048576);
  EXPECT_EQ(ParseBandwidth("512KB/s"), 512 * 1024);
  EXPECT_EQ(ParseBandwidth("10Mbit/s"), 1250000);
  EXPECT_EQ(ParseBandwidth("2000B/s"), 2000);
  EXPECT_EQ(ParseBandwidth("0MB/s"), std::nullopt);
  EXPECT_EQ(ParseBandwidth("1MB"), std::nullopt);
  EXPECT_EQ(ParseBandwidth("fast"), std::nullopt);
}

std::string Hello(int64_t version, int64_t sid, const std::string& address) {
  return zk::wire_bytes::Be64(uint64_t(version)) + zk::wire_bytes::Be64(uint64_t(sid)) +
         zk::wire_bytes::Str(address);
}

TEST(ApacheHello, AddressIsReplacedAndTheRestKept) {
  std::string bytes = Hello(-65536, 1, "127.0.0.1:3881") + "next";
  EXPECT_TRUE(RewriteApacheElectionHello(&bytes, "127.0.2.1:3881"));
  EXPECT_EQ(bytes, Hello(-65536, 1, "127.0.2.1:3881") + "next");
}

TEST(ApacheHello, APartialHelloWaitsForTheRest) {
  const std::string whole = Hello(-65535, 12, "127.0.0.1:3881|127.0.0.1:3999");
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    std::string part = whole.substr(0, cut);
    EXPECT_FALSE(RewriteApacheElectionHello(&part, "127.0.3.12:3881")) << cut;
  }
  std::string all = whole;
  EXPECT_TRUE(RewriteApacheElectionHello(&all, "127.0.3.12:3881"));
  EXPECT_EQ(all, Hello(-65535, 12, "127.0.3.12:3881"));
}

TEST(ApacheHello, AnOldOrForeignHelloPassesUnchanged) {
  std::string old = zk::wire_bytes::Be64(3) + "rest";  // pre-3.5: the sid comes first
  EXPECT_TRUE(RewriteApacheElectionHello(&old, "x"));
  EXPECT_EQ(old, zk::wire_bytes::Be64(3) + "rest");
  std::string huge = zk::wire_bytes::Be64(uint64_t(-65536)) + zk::wire_bytes::Be64(1) + zk::wire_bytes::Be32(1 << 20);
  EXPECT_TRUE(RewriteApacheElectionHello(&huge, "x"));
  EXPECT_EQ(huge.size(), 20u);
}

}  // namespace
}  // namespace pc
