#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace zk {
namespace {

ConfigResult Parse(const std::string& text) { return ParseConfigText(text, "zoo.cfg"); }

const char* kMinimal = "dataDir=/tmp/zk\nclientPort=2181\n";

TEST(Config, Minimal_DefaultsFollowZooKeeperCode) {
  ConfigResult r = Parse(kMinimal);
  ASSERT_TRUE(r.ok()) << r.error;
  const ServerConfig& c = r.config;
  EXPECT_EQ(c.tick_ms, 3000);
  EXPECT_EQ(c.data_dir, "/tmp/zk");
  EXPECT_EQ(c.data_log_dir, "/tmp/zk");
  EXPECT_EQ(c.client_port, 2181);
  EXPECT_EQ(c.client_port_address, "");
  EXPECT_EQ(c.max_client_cnxns, 60);
  EXPECT_EQ(c.min_session_timeout_ms, 6000);
  EXPECT_EQ(c.max_session_timeout_ms, 60000);
  EXPECT_EQ(c.four_letter_whitelist, std::set<std::string>{"srvr"});
  EXPECT_EQ(c.jute_max_buffer, 0xfffff);
  EXPECT_FALSE(c.extended_types_enabled);
  EXPECT_EQ(c.super_digest, "");
  EXPECT_EQ(c.snap_retain_count, 3);
  EXPECT_EQ(c.purge_interval_hours, 0);
  EXPECT_EQ(c.container_check_interval_ms, 60000);
  EXPECT_TRUE(c.servers.empty());
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, SampleConfig_AllKeysRead) {
  ConfigResult r = Parse(
      "# The number of milliseconds of each tick\n"
      "tickTime=2000\ninitLimit=10\nsyncLimit=5\n"
      "dataDir=/var/lib/zookeeper\ndataLogDir = /var/log/zk \n"
      "clientPort=2182\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\n"
      "autopurge.snapRetainCount=5\nautopurge.purgeInterval=1\n"
      "jute.maxbuffer=0x100000\nextendedTypesEnabled=true\n"
      "DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=\n"
      "znode.container.checkIntervalMs=1000\n"
      "admin.enableServer=false\nadmin.serverPort=8080\n"
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n"
      "forceSync=no\nsnapCount=1000\npreAllocSize=1024\nstandaloneEnabled=true\n"
      "reconfigEnabled=false\nelectionAlg=3\npeerType=participant\n");
  ASSERT_TRUE(r.ok()) << r.error;
  const ServerConfig& c = r.config;
  EXPECT_EQ(c.tick_ms, 2000);
  EXPECT_EQ(c.data_log_dir, "/var/log/zk");
  EXPECT_EQ(c.client_port, 2182);
  EXPECT_EQ(c.client_port_address, "127.0.0.1");
  EXPECT_EQ(c.max_client_cnxns, 0);
  EXPECT_EQ(c.min_session_timeout_ms, 4000);
  EXPECT_EQ(c.max_session_timeout_ms, 40000);
  EXPECT_EQ(c.snap_retain_count, 5);
  EXPECT_EQ(c.purge_interval_hours, 1);
  EXPECT_EQ(c.jute_max_buffer, 0x100000);
  EXPECT_TRUE(c.extended_types_enabled);
  EXPECT_EQ(c.super_digest, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
  EXPECT_EQ(c.container_check_interval_ms, 1000);
  EXPECT_FALSE(c.force_sync);
  EXPECT_EQ(c.snap_count, 1000);
  EXPECT_EQ(c.init_limit, 10);
  EXPECT_EQ(c.sync_limit, 5);
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
}

TEST(Config, DataDir_Required) {
  ConfigResult r = Parse("clientPort=2181\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "zoo.cfg: dataDir is not set: expected dataDir=<directory for snapshots>");
}

TEST(Config, ClientPort_Required) {
  ConfigResult r = Parse("dataDir=/tmp/zk\n");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("clientPort is not set"), std::string::npos) << r.error;
}

TEST(Config, InvalidValue_OneLineNamingFileKeyValueAndExpectation) {
  ConfigResult r = Parse(std::string(kMinimal) + "tickTime=fast\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "zoo.cfg: tickTime=fast: expected a positive number of milliseconds");
  r = Parse(std::string(kMinimal) + "clientPort=70000\n");
  EXPECT_EQ(r.error, "zoo.cfg: clientPort=70000: expected a port number between 1 and 65535");
  r = Parse(std::string(kMinimal) + "maxClientCnxns=-3\n");
  EXPECT_EQ(r.error,
            "zoo.cfg: maxClientCnxns=-3: expected a number of connections per IP (0 = unlimited)");
  r = Parse(std::string(kMinimal) + "extendedTypesEnabled=maybe\n");
  EXPECT_EQ(r.error, "zoo.cfg: extendedTypesEnabled=maybe: expected true or false");
  r = Parse(std::string(kMinimal) + "jute.maxbuffer=0\n");
  EXPECT_EQ(r.error, "zoo.cfg: jute.maxbuffer=0: expected a positive number of bytes");
  r = Parse(std::string(kMinimal) + "electionAlg=1\n");
  EXPECT_EQ(r.error, "zoo.cfg: electionAlg=1: only 3 (fast leader election) is supported");
  r = Parse(std::string(kMinimal) + "DigestAuthenticationProvider.superDigest=nocolon\n");
  EXPECT_FALSE(r.ok());
  r = Parse(std::string(kMinimal) + "forceSync=sometimes\n");
  EXPECT_EQ(r.error, "zoo.cfg: forceSync=sometimes: expected yes or no");
}

TEST(Config, SessionTimeouts_DefaultFromTickTimeAndMinNotAboveMax) {
  ConfigResult r = Parse(std::string(kMinimal) + "tickTime=100\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.min_session_timeout_ms, 200);
  EXPECT_EQ(r.config.max_session_timeout_ms, 2000);
  r = Parse(std::string(kMinimal) + "minSessionTimeout=1000\nmaxSessionTimeout=5000\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.min_session_timeout_ms, 1000);
  EXPECT_EQ(r.config.max_session_timeout_ms, 5000);
  r = Parse(std::string(kMinimal) + "minSessionTimeout=9000\nmaxSessionTimeout=5000\n");
  EXPECT_EQ(r.error,
            "zoo.cfg: minSessionTimeout=9000: must not be larger than maxSessionTimeout (5000)");
  // -1 means "the default", as in ZooKeeper.
  r = Parse(std::string(kMinimal) + "minSessionTimeout=-1\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.min_session_timeout_ms, 6000);
}

TEST(Config, Whitelist_SrvrAlwaysAndStarMeansAll) {
  ConfigResult r = Parse(std::string(kMinimal) + "4lw.commands.whitelist=stat, ruok ,conf\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.four_letter_whitelist,
            (std::set<std::string>{"conf", "ruok", "srvr", "stat"}));
  r = Parse(std::string(kMinimal) + "4lw.commands.whitelist=*\n");
  EXPECT_EQ(r.config.four_letter_whitelist, KnownFourLetterWords());
  r = Parse(std::string(kMinimal) + "4lw.commands.whitelist=ruok,bogus\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.four_letter_whitelist, (std::set<std::string>{"ruok", "srvr"}));
  ASSERT_EQ(r.config.warnings.size(), 1u);
}

TEST(Config, ReadOnlyMode_OffByDefaultOnWhenAskedAndAddsIsroToTheWhitelist) {
  ConfigResult r = Parse(kMinimal);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config.read_only_mode);
  EXPECT_EQ(r.config.four_letter_whitelist.count("isro"), 0u);
  r = Parse(std::string(kMinimal) + "readonlymode.enabled=true\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.config.read_only_mode);
  EXPECT_TRUE(r.config.warnings.empty());
  // As ZooKeeper: isro joins the whitelist so clients can look for a read-write server.
  EXPECT_EQ(r.config.four_letter_whitelist, (std::set<std::string>{"isro", "srvr"}));
  r = Parse(std::string(kMinimal) + "readonlymode.enabled=yes\n");
  EXPECT_EQ(r.error, "zoo.cfg: readonlymode.enabled=yes: expected true or false");
}

TEST(Config, SnapRetainCount_ClampedToThree) {
  ConfigResult r = Parse(std::string(kMinimal) + "autopurge.snapRetainCount=1\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.snap_retain_count, 3);
}

TEST(Config, SuperDigest_ZookeeperPrefixedKeyAccepted) {
  ConfigResult r = Parse(std::string(kMinimal) +
                         "zookeeper.DigestAuthenticationProvider.superDigest=super:abc=\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.super_digest, "super:abc=");
}

TEST(Config, UnknownKeys_OneWarningEachThenIgnored) {
  ConfigResult r = Parse(std::string(kMinimal) + "fooBar=1\nsomething.else=x\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.config.warnings.size(), 2u);
  EXPECT_EQ(r.config.warnings[0], "zoo.cfg: unknown key fooBar=1, ignored");
}

TEST(Config, OneServerLine_RunsStandalone) {
  ConfigResult r = Parse(std::string(kMinimal) + "server.1=127.0.0.1:2888:3888;2181\n");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.config.servers.size(), 1u);
  EXPECT_EQ(r.config.servers[0].id, 1);
  EXPECT_EQ(r.config.servers[0].quorum_port, 2888);
  EXPECT_EQ(r.config.servers[0].election_port, 3888);
  EXPECT_EQ(r.config.servers[0].client_port, 2181);
}

TEST(Config, ClientPortFromServerLine) {
  ConfigResult r = Parse("dataDir=/tmp/zk\nserver.1=127.0.0.1:2888:3888;127.0.0.1:2190\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.client_port, 2190);
  EXPECT_EQ(r.config.client_port_address, "127.0.0.1");
}

TEST(Config, Ensemble_AcceptedWithLimits) {
  ConfigResult r = Parse(std::string(kMinimal) + "initLimit=10\nsyncLimit=5\n" +
                         "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n"
                         "server.3=127.0.0.1:2890:3890:observer\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.servers.size(), 3u);
  EXPECT_TRUE(r.config.servers[2].observer);
}

TEST(Config, Ensemble_NeedsInitAndSyncLimit) {
  ConfigResult r = Parse(std::string(kMinimal) +
                         "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\n");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("initLimit is not set"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find('\n'), std::string::npos);
}

TEST(Config, Ensemble_NeedsAVoter) {
  ConfigResult r = Parse(std::string(kMinimal) + "initLimit=10\nsyncLimit=5\n" +
                         "server.1=127.0.0.1:2888:3888:observer\n"
                         "server.2=127.0.0.1:2889:3889:observer\n");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("at least 1 voter"), std::string::npos) << r.error;
}

TEST(Config, ServerLine_Malformed) {
  ConfigResult r = Parse(std::string(kMinimal) + "server.1=127.0.0.1:2888\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.rfind("zoo.cfg: server.1=127.0.0.1:2888: expected host:quorumPort", 0), 0u)
      << r.error;
  r = Parse(std::string(kMinimal) + "server.1=127.0.0.1:2888:2888\n");
  EXPECT_FALSE(r.ok());
  r = Parse(std::string(kMinimal) + "server.x=127.0.0.1:2888:3888\n");
  EXPECT_FALSE(r.ok());
}

TEST(Config, NotKeyValueLine_ReportsLine) {
  ConfigResult r = Parse("dataDir=/tmp/zk\njust words\n");
  EXPECT_EQ(r.error, "zoo.cfg:2: not a key=value line");
}

TEST(Config, MissingFile_ErrorNamesIt) {
  ConfigResult r = ParseConfig("/nonexistent/zoo.cfg");
  EXPECT_EQ(r.error, "/nonexistent/zoo.cfg: cannot read: No such file or directory");
}

TEST(Config, FileWithMyid_ServerIdRead) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("zkd-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "myid") << "7\n";
  std::ofstream(dir / "zoo.cfg") << "dataDir=" << dir.string()
                                 << "\nclientPort=2181\nserver.7=127.0.0.1:2888:3888\n";
  ConfigResult r = ParseConfig((dir / "zoo.cfg").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.server_id, 7);
}

TEST(Config, MissingMyid_HintNamesThisServersNumber) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("zkd-config-myid-" + std::to_string(::getpid()));
  const std::filesystem::path dir = root / "node2" / "data";
  std::filesystem::create_directories(dir);
  std::ofstream(root / "zoo.cfg") << "dataDir=" << dir.string()
                                  << "\nclientPort=2182\ninitLimit=5\nsyncLimit=2\n"
                                     "server.1=127.0.0.1:2888:3888\n"
                                     "server.2=127.0.0.1:2889:3889\n"
                                     "server.3=127.0.0.1:2890:3890\n";
  ConfigResult r = ParseConfig((root / "zoo.cfg").string());
  std::filesystem::remove_all(root);
  EXPECT_NE(r.error.find("(echo 2 > " + (dir / "myid").string() + ")"), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace zk
