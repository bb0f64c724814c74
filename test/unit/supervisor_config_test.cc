// Cluster layout, port math and cluster-configs/*.ini parsing for the supervisor.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "supervisor/cluster_layout.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/port_check.h"

namespace fs = std::filesystem;

namespace pc {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pc-unit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name) << text;
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

TEST(PortsOf, NodeIGetsBaseMinusOnePlusI) {
  ClusterSpec spec;
  NodePorts p1 = PortsOf(spec, 1);
  NodePorts p3 = PortsOf(spec, 3);
  EXPECT_EQ(p1.client, 2181);
  EXPECT_EQ(p1.quorum, 2881);
  EXPECT_EQ(p1.election, 3881);
  EXPECT_EQ(p3.client, 2183);
  EXPECT_EQ(p3.quorum, 2883);
  EXPECT_EQ(p3.election, 3883);
}

TEST(ClusterPorts, StandaloneNeedsOnlyTheClientPort) {
  ClusterSpec spec;
  spec.voters = 1;
  ASSERT_EQ(ClusterPorts(spec).size(), 1u);
  spec.voters = 3;
  spec.observers = 1;
  EXPECT_EQ(ClusterPorts(spec).size(), 12u);
}

TEST(CheckSpec, OverlappingPortRangesAreRefused) {
  ClusterSpec spec;
  spec.voters = 5;
  spec.base = {2181, 2184, 3881};
  SpecResult r = CheckSpec(spec);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("overlap"), std::string::npos) << r.error;
  spec.base = {2181, 2881, 3881};
  EXPECT_TRUE(CheckSpec(spec).ok());
}

TEST(ParseBasePorts, AcceptsThreeNumbersOnly) {
  auto ports = ParseBasePorts("12181, 12881,13881");
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->client, 12181);
  EXPECT_EQ(ports->quorum, 12881);
  EXPECT_EQ(ports->election, 13881);
  EXPECT_FALSE(ParseBasePorts("2181,2881"));
  EXPECT_FALSE(ParseBasePorts("2181,2881,3881,4000"));
  EXPECT_FALSE(ParseBasePorts("2181,x,3881"));
  EXPECT_FALSE(ParseBasePorts("2181,2881,70000"));
}

TEST(RenderZooCfg, HasTheTutorialKeysAndServerLines) {
  ClusterSpec spec;
  spec.voters = 3;
  spec.observers = 1;
  spec.tick_time_ms = 200;
  std::string cfg = RenderZooCfg(spec, "/c", 4);
  for (const char* line :
       {"tickTime=200\n", "initLimit=10\n", "syncLimit=5\n", "dataDir=/c/node4/data\n",
        "dataLogDir=/c/node4/datalog\n", "clientPort=2184\n", "clientPortAddress=127.0.0.1\n",
        "4lw.commands.whitelist=*\n", "admin.enableServer=false\n", "peerType=observer\n",
        "server.1=127.0.0.1:2881:3881\n", "server.3=127.0.0.1:2883:3883\n",
        "server.4=127.0.0.1:2884:3884:observer\n"}) {
    EXPECT_NE(cfg.find(line), std::string::npos) << "missing " << line << " in\n" << cfg;
  }
  EXPECT_EQ(RenderZooCfg(spec, "/c", 1).find("peerType"), std::string::npos);
}

TEST(RenderZooCfg, StandaloneHasNoServerLines) {
  ClusterSpec spec;
  spec.voters = 1;
  EXPECT_EQ(RenderZooCfg(spec, "/c", 1).find("server."), std::string::npos);
}

TEST(RenderZooCfg, MaxClientCnxnsOnlyWhenSet) {
  ClusterSpec spec;
  EXPECT_EQ(RenderZooCfg(spec, "/c", 1).find("maxClientCnxns"), std::string::npos);
  spec.max_client_cnxns = 116;
  EXPECT_NE(RenderZooCfg(spec, "/c", 1).find("maxClientCnxns=116\n"), std::string::npos);
  spec.max_client_cnxns = 0;  // no limit, as ZooKeeper reads it
  EXPECT_NE(RenderZooCfg(spec, "/c", 1).find("maxClientCnxns=0\n"), std::string::npos);
  EXPECT_EQ(SpecFromJson(SpecToJson(spec)).max_client_cnxns, 0);
}

TEST(WriteNodeDirs, CreatesTheTutorialLayoutReadableByInih) {
  TempDir dir;
  ClusterSpec spec;
  spec.voters = 3;
  ASSERT_EQ(WriteNodeDirs(spec, dir.path()), "");
  for (int id = 1; id <= 3; ++id) {
    const std::string node = NodeDir(dir.path(), id);
    EXPECT_TRUE(fs::is_directory(node + "/data/version-2"));
    EXPECT_TRUE(fs::is_directory(node + "/datalog/version-2"));
    EXPECT_TRUE(fs::is_directory(node + "/logs"));
    std::ifstream myid(node + "/data/myid");
    int value = 0;
    myid >> value;
    EXPECT_EQ(value, id);
    ZooCfg cfg = ReadZooCfg(node + "/zoo.cfg");
    ASSERT_EQ(cfg.error, "");
    EXPECT_EQ(cfg.values["clientPort"], std::to_string(2180 + id));
    EXPECT_EQ(cfg.values["dataDir"], node + "/data");
    EXPECT_EQ(cfg.values["server.2"], "127.0.0.1:2882:3882");
    EXPECT_EQ(cfg.values["4lw.commands.whitelist"], "*");
  }
}

TEST(LoadClusterIni, ReadsEveryKey) {
  TempDir dir;
  std::string path = dir.Write("x.ini",
                               "; comment\n[cluster]\nname = x\nsize = 5\nobservers = 2\n"
                               "engine = apache\nbase_ports = 12181,12881,13881\n"
                               "tick_time = 200\ninit_limit = 4\nsync_limit = 3\n"
                               "dir = /tmp/x\nzookeeper_home = /opt/zk\n");
  ClusterSpec spec;
  SpecResult r = LoadClusterIni(path, spec);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(spec.name, "x");
  EXPECT_EQ(spec.voters, 5);
  EXPECT_EQ(spec.observers, 2);
  EXPECT_EQ(spec.engine, Engine::kApache);
  EXPECT_EQ(spec.base.quorum, 12881);
  EXPECT_EQ(spec.tick_time_ms, 200);
  EXPECT_EQ(spec.init_limit, 4);
  EXPECT_EQ(spec.sync_limit, 3);
  EXPECT_EQ(spec.dir, "/tmp/x");
  EXPECT_EQ(spec.zookeeper_home, "/opt/zk");
}

TEST(LoadClusterIni, BadValueNamesFileLineAndKey) {
  TempDir dir;
  std::string path = dir.Write("bad.ini", "[cluster]\nname = x\nsize = three\n");
  ClusterSpec spec;
  SpecResult r = LoadClusterIni(path, spec);
  EXPECT_EQ(r.error.rfind(path + ":3: bad value 'three' for size", 0), 0u) << r.error;
}

TEST(LoadClusterIni, UnknownKeyNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.Write("bad.ini", "[cluster]\nsize = 3\nsizee = 3\n");
  ClusterSpec spec;
  SpecResult r = LoadClusterIni(path, spec);
  EXPECT_EQ(r.error.rfind(path + ":3: unknown key 'sizee'", 0), 0u) << r.error;
}

TEST(LoadClusterIni, BadEngineAndSectionAreRefused) {
  TempDir dir;
  ClusterSpec spec;
  EXPECT_NE(LoadClusterIni(dir.Write("a.ini", "[cluster]\nengine = etcd\n"), spec)
                .error.find(":2: bad value 'etcd' for engine"),
            std::string::npos);
  EXPECT_NE(LoadClusterIni(dir.Write("b.ini", "[nodes]\nsize = 3\n"), spec)
                .error.find(":2: unknown section [nodes]"),
            std::string::npos);
  EXPECT_NE(LoadClusterIni(dir.path() + "/missing.ini", spec).error.find("cannot open"),
            std::string::npos);
}

TEST(LoadClusterIni, StartOrderAndGap) {
  TempDir dir;
  ClusterSpec spec;
  SpecResult r = LoadClusterIni(
      dir.Write("s.ini", "[cluster]\nsize = 5\nstart = one-by-one\nstart_gap = 1.5s\n"), spec);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(spec.start, StartOrder::kOneByOne);
  EXPECT_EQ(spec.start_gap_ms, 1500);
  ASSERT_TRUE(LoadClusterIni(dir.Write("n.ini", "[cluster]\nstart = none\n"), spec).ok());
  EXPECT_EQ(spec.start, StartOrder::kNone);
  EXPECT_NE(LoadClusterIni(dir.Write("b.ini", "[cluster]\nstart = later\n"), spec)
                .error.find(":2: bad value 'later' for start: expected all, none or one-by-one"),
            std::string::npos);
  EXPECT_NE(LoadClusterIni(dir.Write("g.ini", "[cluster]\nstart_gap = soon\n"), spec)
                .error.find(":2: bad value 'soon' for start_gap"),
            std::string::npos);
  // cluster.json keeps it.
  ClusterSpec back = SpecFromJson(SpecToJson(spec));
  EXPECT_EQ(back.start, StartOrder::kNone);
  EXPECT_EQ(back.start_gap_ms, 1500);
}

TEST(ParseDurationMs, UnitsAndBareMilliseconds) {
  EXPECT_EQ(ParseDurationMs("1s"), 1000);
  EXPECT_EQ(ParseDurationMs("250ms"), 250);
  EXPECT_EQ(ParseDurationMs("200"), 200);
  EXPECT_EQ(ParseDurationMs("soon"), std::nullopt);
  EXPECT_EQ(ParseDurationMs("1h"), std::nullopt);
}

TEST(LoadClusterIni, ShippedConfigsParse) {
  const std::string root = PC_SOURCE_DIR "/cluster-configs/";
  struct Expect {
    const char* file;
    int voters, observers;
    Engine engine;
  };
  for (const Expect& e :
       {Expect{"three.ini", 3, 0, Engine::kZkd}, Expect{"five.ini", 5, 0, Engine::kZkd},
        Expect{"three-plus-observer.ini", 3, 1, Engine::kZkd},
        Expect{"apache-three.ini", 3, 0, Engine::kApache}}) {
    ClusterSpec spec;
    SpecResult r = LoadClusterIni(root + e.file, spec);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(spec.voters, e.voters) << e.file;
    EXPECT_EQ(spec.observers, e.observers) << e.file;
    EXPECT_EQ(spec.engine, e.engine) << e.file;
    EXPECT_TRUE(CheckSpec(spec).ok()) << e.file;
  }
}

TEST(PortCheck, ATakenPortIsNamedWithItsOwner) {
  // Hold a port ourselves, then ask about it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ClusterSpec spec;
  spec.voters = 1;
  spec.base = {port, port + 100, port + 200};
  std::vector<std::string> problems = CheckPorts(spec);
  ::close(fd);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("port " + std::to_string(port) + " (node1 client port) is in use"),
            std::string::npos)
      << problems[0];
  EXPECT_NE(problems[0].find("pid " + std::to_string(::getpid())), std::string::npos)
      << problems[0];
}

}  // namespace
}  // namespace pc
