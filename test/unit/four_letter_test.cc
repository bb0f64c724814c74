// The expected texts are Apache ZooKeeper 3.8's output (captured from the Debian 3.8.0 server
// with `printf <word> | nc`), with the version string swapped for the snapshot's.
#include "server/four_letter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "server/config.h"
#include "tree/watches.h"

namespace zk {
namespace {

const char* kVersion = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

StatsSnapshot Idle() {
  StatsSnapshot s;
  s.version = kVersion;
  s.packets_received = 2;
  s.packets_sent = 1;
  s.node_count = 5;
  ConnectionStats self;
  self.remote = "/127.0.0.1:41134";
  self.interest_ops = 0;
  self.recved = 1;
  s.connections.push_back(self);
  s.client_port = 21901;
  s.data_dir = "/tmp/apz/data";
  s.data_log_dir = "/tmp/apz/data";
  s.data_dir_size = 457;
  s.log_dir_size = 457;
  s.tick_ms = 2000;
  s.max_client_cnxns = 60;
  s.min_session_timeout_ms = 4000;
  s.max_session_timeout_ms = 40000;
  return s;
}

ConnectionStats Client(const std::string& remote, int64_t sid) {
  ConnectionStats c;
  c.remote = remote;
  c.interest_ops = 1;
  c.session_id = sid;
  c.timeout_ms = 10000;
  return c;
}

TEST(FourLetter, Ruok_Imok) { EXPECT_EQ(RenderFourLetterWord("ruok", Idle()), "imok"); }

TEST(FourLetter, Srvr_MatchesApacheIdle) {
  EXPECT_EQ(RenderFourLetterWord("srvr", Idle()),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 5\n");
}

TEST(FourLetter, Stat_ListsClientsBriefThenBody) {
  StatsSnapshot s = Idle();
  s.connections.clear();
  ConnectionStats a = Client("/127.0.0.1:41224", 0x1000016fadf0000);
  a.recved = 8;
  a.sent = 8;
  ConnectionStats self;
  self.remote = "/127.0.0.1:41236";
  self.interest_ops = 0;
  self.recved = 1;
  ConnectionStats b = Client("/127.0.0.1:41230", 0x1000016fadf0001);
  b.recved = 3;
  b.sent = 3;
  s.connections = {a, self, b};
  s.latency_total_ms = 50;
  s.latency_count = 11;
  s.latency_max_ms = 15;
  s.packets_received = 27;
  s.packets_sent = 26;
  s.zxid = 6;
  s.node_count = 9;
  EXPECT_EQ(RenderFourLetterWord("stat", s),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "Clients:\n"
            " /127.0.0.1:41224[1](queued=0,recved=8,sent=8)\n"
            " /127.0.0.1:41236[0](queued=0,recved=1,sent=0)\n"
            " /127.0.0.1:41230[1](queued=0,recved=3,sent=3)\n"
            "\n"
            "Latency min/avg/max: 0/4.5455/15\nReceived: 27\nSent: 26\nConnections: 3\n"
            "Outstanding: 0\nZxid: 0x6\nMode: standalone\nNode count: 9\n");
}

TEST(FourLetter, Cons_FullConnectionInfo) {
  StatsSnapshot s = Idle();
  ConnectionStats a = Client("/127.0.0.1:41224", 0x1000016fadf0000);
  a.recved = 8;
  a.sent = 8;
  a.last_op = "GETD";
  a.established_ms = 1795325422828;
  a.last_cxid = 7;
  a.last_zxid = 4;
  a.last_response_ms = 1520355;
  a.avg_latency_ms = 6;
  a.max_latency_ms = 15;
  ConnectionStats self;
  self.remote = "/127.0.0.1:41238";
  self.interest_ops = 0;
  self.recved = 1;
  s.connections = {a, self};
  EXPECT_EQ(RenderFourLetterWord("cons", s),
            " /127.0.0.1:41224[1](queued=0,recved=8,sent=8,sid=0x1000016fadf0000,lop=GETD,"
            "est=1795325422828,to=10000,lcxid=0x7,lzxid=0x4,lresp=1520355,llat=0,minlat=0,"
            "avglat=6,maxlat=15)\n"
            " /127.0.0.1:41238[0](queued=0,recved=1,sent=0)\n\n");
}

TEST(FourLetter, Cons_NegativeCxidOmitted) {
  StatsSnapshot s = Idle();
  ConnectionStats a = Client("/127.0.0.1:1", 0x10);
  a.last_op = "SESS";
  s.connections = {a};
  EXPECT_EQ(RenderFourLetterWord("cons", s),
            " /127.0.0.1:1[1](queued=0,recved=0,sent=0,sid=0x10,lop=SESS,est=0,to=10000,"
            "lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n");
}

TEST(FourLetter, Conf_StandaloneKeys) {
  EXPECT_EQ(RenderFourLetterWord("conf", Idle()),
            "clientPort=21901\nsecureClientPort=-1\ndataDir=/tmp/apz/data/version-2\n"
            "dataDirSize=457\ndataLogDir=/tmp/apz/data/version-2\ndataLogSize=457\n"
            "tickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\n"
            "maxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n");
}

TEST(FourLetter, Dirs) {
  EXPECT_EQ(RenderFourLetterWord("dirs", Idle()), "datadir_size: 457\nlogdir_size: 457\n");
}

TEST(FourLetter, IsroSrstCrstGtmk) {
  EXPECT_EQ(RenderFourLetterWord("isro", Idle()), "rw");
  EXPECT_EQ(RenderFourLetterWord("srst", Idle()), "Server stats reset.\n");
  EXPECT_EQ(RenderFourLetterWord("crst", Idle()), "Connection stats reset.\n");
  EXPECT_EQ(RenderFourLetterWord("gtmk", Idle()), "306");
}

TEST(FourLetter, Watches_EmptyServer) {
  Watches w;
  StatsSnapshot s = Idle();
  s.watches = &w;
  EXPECT_EQ(RenderFourLetterWord("wchs", s), "0 connections watching 0 paths\nTotal watches:0\n");
  EXPECT_EQ(RenderFourLetterWord("wchc", s), "\n");
  EXPECT_EQ(RenderFourLetterWord("wchp", s), "\n");
}

TEST(FourLetter, Watches_DataWatchesBySessionAndPath) {
  Watches w;
  w.Add("/p", 0x1000016fadf0000, WatchKind::kData);
  w.Add("/nope", 0x1000016fadf0000, WatchKind::kData);
  w.Add("/p", 0x1000016fadf0000, WatchKind::kChild);  // child watches are not listed
  w.Add("/p", 0x1000016fadf0001, WatchKind::kData);
  StatsSnapshot s = Idle();
  s.watches = &w;
  EXPECT_EQ(RenderFourLetterWord("wchs", s), "2 connections watching 2 paths\nTotal watches:3\n");
  // Apache lists in hash / insertion order; zkd sorts.
  EXPECT_EQ(RenderFourLetterWord("wchc", s),
            "0x1000016fadf0000\n\t/nope\n\t/p\n0x1000016fadf0001\n\t/p\n\n");
  EXPECT_EQ(RenderFourLetterWord("wchp", s),
            "/nope\n\t0x1000016fadf0000\n/p\n\t0x1000016fadf0000\n\t0x1000016fadf0001\n\n");
}

TEST(FourLetter, Dump_SessionsEphemeralsConnections) {
  StatsSnapshot s = Idle();
  const int64_t at = 1795325434000;  // Sun Nov 22 05:30:34 UTC 2026
  s.sessions = {{0x1000016fadf0000, at}, {0x1000016fadf0001, at}};
  std::map<int64_t, std::set<std::string>> eph = {{0x1000016fadf0000, {"/e1"}},
                                                  {0x1000016fadf0001, {"/e2"}}};
  s.ephemerals = &eph;
  ConnectionStats a = Client("/127.0.0.1:41224", 0x1000016fadf0000);
  a.expire_at_ms = 1795325442000;
  ConnectionStats self;
  self.remote = "/127.0.0.1:41250";
  self.expire_at_ms = 1795325442000;
  s.connections = {a, self};
  EXPECT_EQ(RenderFourLetterWord("dump", s),
            "SessionTracker dump:\n"
            "Session Sets (1)/(2):\n"
            "2 expire at Sun Nov 22 05:30:34 UTC 2026:\n"
            "\t0x1000016fadf0000\n\t0x1000016fadf0001\n"
            "ephemeral nodes dump:\n"
            "Sessions with Ephemerals (2):\n"
            "0x1000016fadf0000:\n\t/e1\n0x1000016fadf0001:\n\t/e2\n"
            "Connections dump:\n"
            "Connections Sets (1)/(2):\n"
            "2 expire at Sun Nov 22 05:30:42 UTC 2026:\n"
            "\tip: /127.0.0.1:41224 sessionId: 0x1000016fadf0000\n"
            "\tip: /127.0.0.1:41250 sessionId: 0x0\n");
}

TEST(FourLetter, Dump_Empty) {
  StatsSnapshot s = Idle();
  s.connections[0].expire_at_ms = 1795325432000;
  EXPECT_EQ(RenderFourLetterWord("dump", s),
            "SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\n"
            "Sessions with Ephemerals (0):\nConnections dump:\nConnections Sets (1)/(1):\n"
            "1 expire at Sun Nov 22 05:30:32 UTC 2026:\n"
            "\tip: /127.0.0.1:41134 sessionId: 0x0\n");
}

TEST(FourLetter, Mntr_ApacheKeysInApacheOrder) {
  StatsSnapshot s = Idle();
  s.latency_total_ms = 44;
  s.latency_count = 15;
  s.last_response_size = 16;
  s.min_response_size = 16;
  s.max_response_size = 93;
  s.counters["bytes_received_count"] = 1086;
  std::string text = RenderFourLetterWord("mntr", s);
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  // Apache 3.8.0 prints 505 lines on a fresh standalone server; zkd prints the same keys minus
  // the per-namespace summaries that depend on the tree (p_read_per_namespace …).
  EXPECT_EQ(lines.size(), 71u + 26 + 41 * 5 + 23 * 9 - 0 + 2 - 26);
  EXPECT_EQ(lines[0], "zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
  EXPECT_EQ(lines[1], "zk_server_state\tstandalone");
  EXPECT_EQ(lines[2], "zk_ephemerals_count\t0");
  EXPECT_EQ(lines[3], "zk_num_alive_connections\t1");
  EXPECT_EQ(lines[4], "zk_avg_latency\t2.9333");
  EXPECT_EQ(lines[9], "zk_last_client_response_size\t16");
  EXPECT_EQ(lines[13], "zk_connection_drop_probability\t0.0");
  EXPECT_EQ(lines[25], "zk_non_mtls_local_conn_count\t0");
  EXPECT_EQ(lines[26], "zk_proposal_count\t0");
  EXPECT_EQ(lines[44], "zk_bytes_received_count\t1086");
  EXPECT_EQ(lines[72], "zk_revalidate_count\t0");
  EXPECT_EQ(lines[73], "zk_avg_socket_closing_time\t0.0");
  EXPECT_EQ(lines[74], "zk_min_socket_closing_time\t0");
  EXPECT_EQ(lines.back(), "zk_p999_write_commitproc_time_ms\t0");
  for (const std::string& l : lines) {
    ASSERT_EQ(l.rfind("zk_", 0), 0u) << l;
    ASSERT_NE(l.find('\t'), std::string::npos) << l;
  }
}

TEST(FourLetter, NotServing_ExceptRuokEnviIsro) {
  StatsSnapshot s = Idle();
  s.serving = false;
  EXPECT_EQ(RenderFourLetterWord("srvr", s),
            "This ZooKeeper instance is not currently serving requests\n");
  EXPECT_EQ(RenderFourLetterWord("mntr", s),
            "This ZooKeeper instance is not currently serving requests\n");
  EXPECT_EQ(RenderFourLetterWord("ruok", s), "imok");
  EXPECT_EQ(RenderFourLetterWord("isro", s), "null");
  EXPECT_EQ(RenderFourLetterWord("envi", s).rfind("Environment:\nzookeeper.version=", 0), 0u);
}

TEST(FourLetter, Envi_Shape) {
  StatsSnapshot s = Idle();
  s.env.host_name = "localhost";
  s.env.os_name = "Linux";
  s.env.memory_free_mb = 369;
  std::string text = RenderFourLetterWord("envi", s);
  EXPECT_EQ(text.rfind("Environment:\nzookeeper.version=" + std::string(kVersion) +
                           "\nhost.name=localhost\n",
                       0),
            0u);
  EXPECT_NE(text.find("\nos.name=Linux\n"), std::string::npos);
  EXPECT_NE(text.find("\nos.memory.free=369MB\n"), std::string::npos);
}

TEST(FourLetter, WhitelistRefusal_ExactLine) {
  EXPECT_EQ(WhitelistRefusal("stat"), "stat is not executed because it is not in the whitelist.\n");
}

TEST(FourLetter, IsFourLetterWord_OnlyKnownWords) {
  for (const std::string& w : KnownFourLetterWords()) EXPECT_TRUE(IsFourLetterWord(w)) << w;
  EXPECT_FALSE(IsFourLetterWord("abcd"));
  EXPECT_FALSE(IsFourLetterWord(std::string("\0\0\0\x2d", 4)));
  EXPECT_FALSE(IsFourLetterWord("SRVR"));
}

TEST(FourLetter, JavaDouble_AsJavaPrints) {
  EXPECT_EQ(JavaDouble(0.0), "0.0");
  EXPECT_EQ(JavaDouble(3.0), "3.0");
  EXPECT_EQ(JavaDouble(4.5455), "4.5455");
  EXPECT_EQ(JavaDouble(12.5), "12.5");
  EXPECT_EQ(JavaDouble(1e-4), "1.0E-4");
  EXPECT_EQ(JavaDouble(AverageRounded(50, 11)), "4.5455");
  EXPECT_EQ(JavaDouble(AverageRounded(44, 15)), "2.9333");
  EXPECT_EQ(JavaDouble(AverageRounded(2, 3)), "0.6667");
  EXPECT_EQ(JavaDouble(AverageRounded(0, 0)), "0.0");
}

TEST(FourLetter, JavaDate_Utc) {
  EXPECT_EQ(JavaDate(1795325434000), "Sun Nov 22 05:30:34 UTC 2026");
  EXPECT_EQ(JavaDate(0), "Thu Jan 01 00:00:00 UTC 1970");
}

}  // namespace
}  // namespace zk
