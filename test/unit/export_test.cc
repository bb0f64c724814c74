// `pseudo-cluster export`: one directory per host with zoo.cfg and myid, plus ensemble.sh.
#include "supervisor/export.h"

#include <gtest/gtest.h>

#include <string>

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
