// `pseudo-cluster export`: one directory per host with zoo.cfg and myid, plus ensemble.sh;
// compose.yaml; zookeeper.yaml for Kubernetes.
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

TEST(RenderCompose, OneServicePerMemberWithTheClusterLimits) {
  ClusterSpec spec;
  spec.voters = 3;
  spec.observers = 1;
  spec.tick_time_ms = 500;
  spec.base.client = 4000;
  ExportFiles out = RenderCompose(spec);
  ASSERT_EQ(out.error, "");
  const std::string& yaml = out.files.at("compose.yaml");
  EXPECT_NE(yaml.find("  zoo4:\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("ZOO_MY_ID: \"4\"\n"), std::string::npos);
  EXPECT_NE(yaml.find("ZOO_TICK_TIME: \"500\"\n"), std::string::npos);
  EXPECT_NE(yaml.find("      - \"4003:2181\"\n"), std::string::npos);
  EXPECT_NE(yaml.find("server.3=zoo3:2888:3888;2181 server.4=zoo4:2888:3888:observer;2181\""),
            std::string::npos);
  EXPECT_EQ(yaml.find("ZOO_CFG_EXTRA"), std::string::npos);
}

TEST(RenderCompose, ReadOnlyModeReachesTheJvmAndZooCfg) {
  ClusterSpec spec;
  spec.read_only_mode = true;
  const std::string& yaml = RenderCompose(spec).files.at("compose.yaml");
  EXPECT_NE(yaml.find("SERVER_JVMFLAGS: \"-Dreadonlymode.enabled=true\""), std::string::npos);
  EXPECT_NE(yaml.find("ZOO_CFG_EXTRA: \"localSessionsEnabled=true "
                      "localSessionsUpgradingEnabled=true\""),
            std::string::npos)
      << yaml;
}

TEST(RenderKubernetes, VotersAndObserversAreStatefulSetsOfTheirOwn) {
  ClusterSpec spec;
  spec.voters = 5;
  spec.observers = 2;
  const std::string& yaml = RenderKubernetes(spec).files.at("zookeeper.yaml");
  EXPECT_NE(yaml.find("  name: zk\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  replicas: 5\n"), std::string::npos);
  EXPECT_NE(yaml.find("  replicas: 2\n"), std::string::npos);
  EXPECT_NE(yaml.find("  maxUnavailable: 2\n"), std::string::npos);
  EXPECT_NE(yaml.find("server.7=zk-observer-1.zk-hs:2888:3888:observer;2181\""), std::string::npos);
  EXPECT_NE(yaml.find("${HOSTNAME##*-} + 6"), std::string::npos);
  EXPECT_NE(yaml.find("ZOO_CFG_EXTRA\n              value: \"quorumListenOnAllIPs=true\""),
            std::string::npos);
}

TEST(ParseExportFormat, KnowsTheThreeForms) {
  EXPECT_EQ(ParseExportFormat("ssh"), ExportFormat::kSsh);
  EXPECT_EQ(ParseExportFormat("compose"), ExportFormat::kCompose);
  EXPECT_EQ(ParseExportFormat("k8s"), ExportFormat::kKubernetes);
  EXPECT_EQ(ParseExportFormat("helm"), std::nullopt);
}

}  // namespace
}  // namespace pc
