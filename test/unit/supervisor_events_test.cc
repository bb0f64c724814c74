// The zkd event contract, srvr parsing and the status table of the supervisor.
#include <gtest/gtest.h>

#include "supervisor/four_letter.h"
#include "supervisor/status_view.h"
#include "supervisor/timeline.h"
#include "supervisor/zkd_events.h"

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

TEST(RenderEvent, RelativeTimeNodeAndText) {
  Event e;
  e.t_ms = 12345;
  e.node = 2;
  e.text = "killed by SIGKILL";
  EXPECT_EQ(RenderEvent(e, false), "  +12.345s  node2    killed by SIGKILL");
  Event back = EventFromJson(EventToJson(e));
  EXPECT_EQ(back.t_ms, 12345);
  EXPECT_EQ(back.text, e.text);
}

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

TEST(EvenSizeNote, FourToleratesNoMoreThanThree) {
  EXPECT_EQ(EvenSizeNote(3), "");
  EXPECT_NE(EvenSizeNote(4).find("tolerate 1 failure, no more than 3 would"), std::string::npos)
      << EvenSizeNote(4);
}

}  // namespace
}  // namespace pc

#include "supervisor/export.h"

namespace pc {
namespace {

TEST(RenderExport, OneDirectoryPerHostOnTheStandardPorts) {
  ClusterSpec spec;
  spec.name = "prod";
  spec.voters = 3;
  spec.engine = Engine::kApache;
  ExportFiles out = RenderExport(spec, {"zk1", "zk2", "zk3"});
  ASSERT_EQ(out.error, "");
  const std::string& cfg = out.files.at("zk2/zoo.cfg");
  EXPECT_NE(cfg.find("clientPort=2181\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("server.1=zk1:2888:3888\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("server.3=zk3:2888:3888\n"), std::string::npos) << cfg;
  EXPECT_EQ(out.files.at("zk2/myid"), "2\n");
  const std::string& script = out.files.at("ensemble.sh");
  EXPECT_NE(script.find("HOSTS=\"zk1 zk2 zk3\""), std::string::npos) << script;
  EXPECT_NE(script.find("zkServer.sh"), std::string::npos);
}

TEST(RenderExport, HostCountMustMatchTheNodes) {
  ClusterSpec spec;
  spec.voters = 3;
  spec.observers = 1;
  EXPECT_NE(RenderExport(spec, {"a", "b", "c"}).error.find("3 hosts for a cluster of 4 nodes"),
            std::string::npos);
  EXPECT_NE(RenderExport(spec, {"a", "b", "c", "a"}).error.find("appears twice"),
            std::string::npos);
  ExportFiles out = RenderExport(spec, {"a", "b", "c", "d"});
  EXPECT_NE(out.files.at("d/zoo.cfg").find("peerType=observer\n"), std::string::npos);
  EXPECT_NE(out.files.at("a/zoo.cfg").find("server.4=d:2888:3888:observer\n"), std::string::npos);
}

}  // namespace
}  // namespace pc
