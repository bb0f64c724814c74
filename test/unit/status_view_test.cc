// The supervisor's status table: the quorum line and the even-size note.
#include "supervisor/status_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace pc {
namespace {

TEST(RenderStatus, QuorumLineSaysHowManyFailuresItSurvives) {
  nlohmann::json status = {
      {"cluster",
       {{"name", "c"},
        {"engine", "apache"},
        {"dir", "/d"},
        {"voters", 3},
        {"quorum_size", 2},
        {"running_voters", 3},
        {"survives", 1},
        {"leader", 2},
        {"epoch", 1},
        {"ready", true}}},
      {"nodes", nlohmann::json::array({{{"id", 1}, {"role", "follower"}, {"pid", 10}}})}};
  std::string text = RenderStatus(status);
  EXPECT_NE(text.find("quorum: 2 of 3 voters; 3 running; survives 1 more failure; leader node2 "
                      "epoch 1; ready"),
            std::string::npos)
      << text;
  status["cluster"]["running_voters"] = 1;
  status["cluster"]["survives"] = -1;
  EXPECT_NE(RenderStatus(status).find("NO QUORUM: needs 1 more voter"), std::string::npos);
}

TEST(RenderStatus, StarredAndQueuedRolesGetALegendLine) {
  nlohmann::json status = {
      {"cluster", {{"name", "c"}, {"dir", "/d"}, {"voters", 3}, {"quorum_size", 2}}},
      {"nodes", nlohmann::json::array({{{"id", 1}, {"role", "leader"}},
                                       {{"id", 4}, {"role", "observer"}, {"observer", true}}})}};
  std::string text = RenderStatus(status);
  EXPECT_EQ(text.find("* an observer"), std::string::npos) << text;
  EXPECT_EQ(text.find("queued:"), std::string::npos) << text;
  status["nodes"][1]["role"] = "looking";
  status["nodes"][0]["role"] = "queued";
  text = RenderStatus(status);
  EXPECT_NE(text.find("looking*"), std::string::npos) << text;
  EXPECT_NE(text.find("\n* an observer (peerType=observer): it never votes or leads"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nqueued: not started yet"), std::string::npos) << text;
}

TEST(ZkServerStatusCommands, OneCommandPerMemberWithItsZooCfgPath) {
  nlohmann::json status = {{"cluster", {{"dir", "/c"}}},
                           {"nodes", nlohmann::json::array({{{"id", 1}}, {{"id", 2}}})}};
  EXPECT_EQ(ZkServerStatusCommands(status, "/zk/bin/zkServer.sh"),
            "zkServer.sh status of each member (it needs the member's zoo.cfg):\n"
            "  node1: /zk/bin/zkServer.sh status /c/node1/zoo.cfg\n"
            "  node2: /zk/bin/zkServer.sh status /c/node2/zoo.cfg\n");
}

TEST(EvenSizeNote, FourToleratesNoMoreThanThree) {
  EXPECT_EQ(EvenSizeNote(3), "");
  EXPECT_NE(EvenSizeNote(4).find("tolerate 1 failure, no more than 3 would"), std::string::npos)
      << EvenSizeNote(4);
}

}  // namespace
}  // namespace pc

namespace pc {
namespace {

TEST(LinksLine, DirectLinksSayNothingProxiedLinksCountTheCuts) {
  EXPECT_EQ(LinksLine({{"mode", "direct"}, {"links", nlohmann::json::array()}}), "");
  nlohmann::json links = {{"mode", "proxied"}, {"links", nlohmann::json::array()}};
  for (const char* state : {"ok", "ok", "ok", "ok"}) links["links"].push_back({{"state", state}});
  EXPECT_EQ(LinksLine(links), "links: proxied through the supervisor; all 4 directions healthy\n");
  links["links"][0]["state"] = "blackhole";
  links["links"][1]["state"] = "blackhole";
  links["links"][2]["state"] = "slow";
  links["last_change"] = "isolate {1} | {2}";
  EXPECT_EQ(LinksLine(links),
            "links: proxied through the supervisor; 2 of 4 directions cut, 1 delayed or "
            "throttled (last: isolate {1} | {2}); see `links`\n");
}

}  // namespace
}  // namespace pc
