// The zkd event contract: the JSON lines zkd prints on its event stream, as the supervisor
// parses them.
#include "supervisor/zkd_events.h"

#include <gtest/gtest.h>

#include <string>

namespace pc {
namespace {

TEST(ParseZkdEvent, StateLineCarriesRoleEpochZxidAndElectionTime) {
  std::string error;
  auto e = ParseZkdEvent(
      R"({"event":"state","state":"LEADING","epoch":3,"zxid":"0x300000002","election_ms":212})",
      &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->kind, ZkdEvent::Kind::kState);
  EXPECT_EQ(e->role, Role::kLeading);
  EXPECT_EQ(e->epoch, 3);
  EXPECT_EQ(e->zxid, 0x300000002u);
  EXPECT_EQ(e->election_ms, 212);
}

TEST(ParseZkdEvent, ServingQuorumLostAndUnknownEvents) {
  EXPECT_EQ(ParseZkdEvent(R"({"event":"serving"})", nullptr)->kind, ZkdEvent::Kind::kServing);
  EXPECT_EQ(ParseZkdEvent(R"({"event":"quorum_lost"})", nullptr)->kind,
            ZkdEvent::Kind::kQuorumLost);
  EXPECT_EQ(ParseZkdEvent(R"({"event":"future","x":1})", nullptr)->kind, ZkdEvent::Kind::kOther);
}

TEST(ParseZkdEvent, GarbageIsRefusedWithAReason) {
  std::string error;
  EXPECT_FALSE(ParseZkdEvent("not json", &error));
  EXPECT_EQ(error, "not a JSON object");
  EXPECT_FALSE(ParseZkdEvent(R"({"state":"LEADING"})", &error));
  EXPECT_EQ(error, "no \"event\" field");
  EXPECT_FALSE(ParseZkdEvent(R"({"event":"state","state":"BOSS"})", &error));
}

TEST(ParseZkdEvent, ANotificationLine) {
  std::string error;
  auto e = ParseZkdEvent(
      R"({"event":"notification","from":2,"state":"FOLLOWING","leader":3,"zxid":"0x100000008",)"
      R"("round":4,"peer_epoch":1,"my_state":"LOOKING"})",
      &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->kind, ZkdEvent::Kind::kVoteFact);
  const VoteFact& f = e->fact;
  EXPECT_EQ(f.kind, VoteFact::Kind::kNotification);
  EXPECT_EQ(f.from, 2);
  EXPECT_EQ(f.state, "FOLLOWING");
  EXPECT_EQ(f.leader, 3);
  EXPECT_EQ(f.zxid, 0x100000008u);
  EXPECT_EQ(f.round, 4);
  EXPECT_EQ(f.peer_epoch, 1);
  EXPECT_EQ(f.my_state, "LOOKING");
}

TEST(ParseZkdEvent, VoteDecisionAndDroppedLines) {
  auto vote = ParseZkdEvent(
      R"({"event":"vote","leader":3,"zxid":"0x0","round":1,"peer_epoch":0,"why":"better_vote",)"
      R"("from":3})",
      nullptr);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->fact.kind, VoteFact::Kind::kVote);
  EXPECT_EQ(vote->fact.why, "better_vote");
  EXPECT_EQ(vote->fact.from, 3);
  auto decision = ParseZkdEvent(
      R"({"event":"decision","state":"FOLLOWING","leader":3,"zxid":"0x0","round":1,)"
      R"("peer_epoch":0,"by":"looking-quorum","supporters":[1,3],"voters":3,"election_ms":40})",
      nullptr);
  ASSERT_TRUE(decision);
  const VoteFact& d = decision->fact;
  EXPECT_EQ(d.kind, VoteFact::Kind::kDecision);
  EXPECT_EQ(d.state, "FOLLOWING");
  EXPECT_EQ(d.why, "looking-quorum");
  EXPECT_EQ(d.supporters, (std::vector<int>{1, 3}));
  EXPECT_EQ(d.voters, 3);
  EXPECT_EQ(d.election_ms, 40);
  auto dropped = ParseZkdEvent(R"({"event":"votes_dropped","count":17})", nullptr);
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->fact.kind, VoteFact::Kind::kDropped);
  EXPECT_EQ(dropped->fact.count, 17);
}

TEST(ParseZkdEvent, AnElectionFactWithoutItsVoteIsRefused) {
  std::string error;
  EXPECT_FALSE(ParseZkdEvent(R"({"event":"vote","why":"start"})", &error));
  EXPECT_NE(error.find("\"leader\""), std::string::npos);
}

}  // namespace
}  // namespace pc
