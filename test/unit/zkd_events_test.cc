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

}  // namespace
}  // namespace pc
