// What `up --reconfig` and `add` / `remove` lay out: zoo.cfg without server lines but with the
// reconfig keys, the dynamic config file in ZooKeeper 3.8's own format, the members' shape after
// adds and removals, and its round trip through cluster.json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "supervisor/cluster_layout.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/super_password.h"

namespace pc {
namespace {

ClusterSpec Reshaped() {
  ClusterSpec spec;
  spec.voters = 3;
  spec.reconfig = true;
  spec.added = 2;                                  // node4, node5
  spec.reshaped[4] = MemberKind::kParticipant;
  spec.reshaped[5] = MemberKind::kObserver;
  spec.reshaped[2] = MemberKind::kRemoved;
  return spec;
}

TEST(ReconfigLayout, ShapeCountsAddedAndRemovedMembers) {
  const ClusterSpec spec = Reshaped();
  EXPECT_EQ(spec.nodes(), 5);
  EXPECT_EQ(spec.voter_count(), 3);  // 1, 3, 4
  EXPECT_EQ(spec.observer_count(), 1);
  EXPECT_FALSE(spec.is_member(2));
  EXPECT_TRUE(spec.is_voter(4));
  EXPECT_TRUE(spec.is_observer(5));
}

TEST(ReconfigLayout, ZooCfgNamesTheDynamicFileAndHasNoServerLines) {
  const std::string cfg = RenderZooCfg(Reshaped(), "/c", 4, "super:abc=");
  for (const char* line :
       {"reconfigEnabled=true\n", "standaloneEnabled=false\n",
        "dynamicConfigFile=/c/node4/zoo.cfg.dynamic.0\n",
        "DigestAuthenticationProvider.superDigest=super:abc=\n"}) {
    EXPECT_NE(cfg.find(line), std::string::npos) << "missing " << line << " in\n" << cfg;
  }
  EXPECT_EQ(cfg.find("server."), std::string::npos) << cfg;
  EXPECT_EQ(cfg.find("peerType"), std::string::npos) << cfg;
}

TEST(ReconfigLayout, DynamicConfigHasOneLinePerMemberAsZooKeeperWritesIt) {
  const ClusterSpec spec = Reshaped();
  EXPECT_EQ(RenderDynamicConfig(spec, PlacementOf(spec, "/c", 1)),
            "server.1=127.0.0.1:2881:3881:participant;127.0.0.1:2181\n"
            "server.3=127.0.0.1:2883:3883:participant;127.0.0.1:2183\n"
            "server.4=127.0.0.1:2884:3884:participant;127.0.0.1:2184\n"
            "server.5=127.0.0.1:2885:3885:observer;127.0.0.1:2185\n");
}

TEST(ReconfigLayout, WithoutReconfigTheServerLinesSkipRemovedMembers) {
  ClusterSpec spec = Reshaped();
  spec.reconfig = false;
  const std::string cfg = RenderZooCfg(spec, "/c", 1);
  EXPECT_EQ(cfg.find("server.2="), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("server.5=127.0.0.1:2885:3885:observer\n"), std::string::npos) << cfg;
  EXPECT_EQ(cfg.find("dynamicConfigFile"), std::string::npos) << cfg;
}

TEST(ReconfigLayout, ShapeSurvivesClusterJson) {
  const ClusterSpec back = SpecFromJson(SpecToJson(Reshaped()));
  EXPECT_TRUE(back.reconfig);
  EXPECT_EQ(back.added, 2);
  EXPECT_EQ(back.reshaped, Reshaped().reshaped);
}

TEST(ReconfigLayout, SuperDigestIsZooKeepersDigestOfSuperColonPassword) {
  // base64(sha1("super:pw")), as DigestAuthenticationProvider.generateDigest makes it.
  EXPECT_EQ(SuperDigest("pw"), "super:0bX78nEegDzJM3ju0iLBEJdWzjg=");
}

}  // namespace
}  // namespace pc
