#include "core/quorum_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/config.h"
#include "server/dynamic_config_file.h"

namespace zk {
namespace {

TEST(QuorumConfig, Text_AsZooKeeperPrintsIt_ByIdThenHexVersion) {
  QuorumConfig c;
  ASSERT_EQ(ParseQuorumConfig("server.3=127.0.0.1:2890:3890:observer;2183\n"
                              "server.1 = 127.0.0.1:2888:3888;127.0.0.1:2181\n"
                              "version=100000004\n",
                              &c),
            "");
  EXPECT_EQ(c.version, 0x100000004);
  EXPECT_EQ(c.Voters(), std::set<int64_t>{1});
  EXPECT_EQ(c.Observers(), std::set<int64_t>{3});
  EXPECT_EQ(c.Text(),
            "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n"
            "server.3=127.0.0.1:2890:3890:observer;0.0.0.0:2183\n"
            "version=100000004");
}

TEST(QuorumConfig, Parse_BadLinesNamed) {
  QuorumConfig c;
  EXPECT_EQ(ParseQuorumConfig("server.1=127.0.0.1:2888\n", &c),
            "server.1=127.0.0.1:2888: expected "
            "host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]");
  EXPECT_NE(ParseQuorumConfig("server.1=h:1:2\nserver.1=h:3:4\n", &c).find("named twice"),
            std::string::npos);
  EXPECT_NE(ParseQuorumConfig("tickTime=2000\n", &c).find("only server.N"), std::string::npos);
  EXPECT_NE(ParseQuorumConfig("version=xyz\n", &c).find("in hex"), std::string::npos);
  EXPECT_NE(ParseQuorumConfig("server.1=h:1:2:leader\n", &c).find("expected"), std::string::npos);
}

TEST(QuorumConfig, PutAndRemove_KeepOrderById) {
  QuorumConfig c;
  ServerSpec a{.id = 2, .host = "h", .quorum_port = 1, .election_port = 2};
  ServerSpec b{.id = 1, .host = "h", .quorum_port = 3, .election_port = 4};
  c.Put(a);
  c.Put(b);
  b.observer = true;
  c.Put(b);
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].id, 1);
  EXPECT_TRUE(c.servers[0].observer);
  EXPECT_TRUE(c.Remove(1));
  EXPECT_FALSE(c.Remove(1));
}

TEST(QuorumConfig, VersionFromFileName) {
  int64_t v = 0;
  EXPECT_TRUE(VersionFromFileName("/x/zoo.cfg.dynamic.100000000", &v));
  EXPECT_EQ(v, 0x100000000);
  EXPECT_FALSE(VersionFromFileName("/x/zoo.cfg.dynamic", &v));
  EXPECT_FALSE(VersionFromFileName("/x/zoo.cfg.dynamic.next", &v));
  EXPECT_EQ(HexVersion(0x1a00000003), "1a00000003");
}

class DynamicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("zkd-dynamic-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "myid") << "2\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::filesystem::path dir_;
};

TEST_F(DynamicFile, ZooCfgNamesIt_ServersAndVersionFromThere) {
  std::ofstream(dir_ / "zoo.cfg.dynamic.100000000")
      << "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n"
         "server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\n";
  std::ofstream(dir_ / "zoo.cfg") << "dataDir=" << dir_.string()
                                  << "\ninitLimit=5\nsyncLimit=2\nreconfigEnabled=true\n"
                                     "dynamicConfigFile="
                                  << (dir_ / "zoo.cfg.dynamic.100000000").string() << "\n";
  ConfigResult r = ParseConfig((dir_ / "zoo.cfg").string());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.servers.size(), 2u);
  EXPECT_EQ(r.config.config_version, 0x100000000);
  EXPECT_EQ(r.config.server_id, 2);
  EXPECT_EQ(r.config.client_port, 2182);  // from its own server line
  EXPECT_TRUE(r.config.reconfig_enabled);
}

TEST_F(DynamicFile, VersionLineInside_Refused) {
  std::ofstream(dir_ / "d") << "server.2=127.0.0.1:2889:3889;2182\nversion=1\n";
  QuorumConfig c;
  std::string e = ReadDynamicConfigFile((dir_ / "d").string(), &c);
  EXPECT_NE(e.find("has no version line"), std::string::npos) << e;
}

TEST_F(DynamicFile, Missing_ErrorNamesTheFile) {
  std::ofstream(dir_ / "zoo.cfg") << "dataDir=" << dir_.string()
                                  << "\ndynamicConfigFile=" << (dir_ / "nope").string() << "\n";
  ConfigResult r = ParseConfig((dir_ / "zoo.cfg").string());
  EXPECT_EQ(r.error.rfind((dir_ / "nope").string() + ": cannot read", 0), 0u) << r.error;
}

TEST_F(DynamicFile, Write_NewFileBesideZooCfg_ZooCfgPointsToIt_ReadsBack) {
  std::ofstream(dir_ / "zoo.cfg") << "dataDir=" << dir_.string()
                                  << "\ninitLimit=5\nsyncLimit=2\n"
                                     "server.1=127.0.0.1:2888:3888;2181\n"
                                     "server.2=127.0.0.1:2889:3889;2182\n";
  QuorumConfig c;
  ASSERT_EQ(ParseQuorumConfig("server.1=127.0.0.1:2888:3888;2181\n"
                              "server.2=127.0.0.1:2889:3889;2182\n"
                              "server.3=127.0.0.1:2890:3890:observer;2183\n",
                              &c),
            "");
  c.version = 0x200000001;
  std::string written;
  ASSERT_EQ(WriteDynamicConfigFile((dir_ / "zoo.cfg").string(), c, &written), "");
  EXPECT_EQ(written, (dir_ / "zoo.cfg.dynamic.200000001").string());
  const std::string cfg = Read(dir_ / "zoo.cfg");
  EXPECT_EQ(cfg.find("server."), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("dynamicConfigFile=" + written + "\n"), std::string::npos) << cfg;
  ConfigResult r = ParseConfig((dir_ / "zoo.cfg").string());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.config_version, 0x200000001);
  ASSERT_EQ(r.config.servers.size(), 3u);
  EXPECT_TRUE(r.config.servers[2].observer);
}

}  // namespace
}  // namespace zk
