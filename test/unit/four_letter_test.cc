// The expected texts are Apache ZooKeeper 3.8's output (captured from the Debian 3.8.0 server
// with `printf <word> | nc`), with the version string swapped for the snapshot's.
#include "server/four_letter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "server/config.h"
#include "server/ensemble_node.h"
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

// ---- ensemble members: captured from a 3-voter Apache 3.8.0 ensemble (and a 2 voters +
// 1 observer one) on 127.0.0.1, tickTime 2000, initLimit 10, syncLimit 5.

QuorumStats ThreeVoters(int64_t id) {
  QuorumStats q;
  q.quorum_size = 3;
  q.init_limit = 10;
  q.sync_limit = 5;
  q.election_port = 25880 + static_cast<int>(id);
  q.quorum_port = 24880 + static_cast<int>(id);
  q.membership =
      "server.1=127.0.0.1:24881:25881:participant\n"
      "server.2=127.0.0.1:24882:25882:participant\n"
      "server.3=127.0.0.1:24883:25883:participant\n"
      "version=0";
  return q;
}

StatsSnapshot LeaderIdle() {
  StatsSnapshot s = Idle();
  s.mode = "leader";
  s.zxid = 0x100000000;
  QuorumStats q = ThreeVoters(3);
  q.peer_state = "leading - broadcast";
  q.leader = true;
  q.learners = 2;
  q.synced_followers = 2;
  s.quorum = q;
  return s;
}

StatsSnapshot FollowerIdle() {
  StatsSnapshot s = Idle();
  s.mode = "follower";
  QuorumStats q = ThreeVoters(1);
  q.peer_state = "following - broadcast";
  s.quorum = q;
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// The keys of mntr up to zk_proposal_count (the gauges, where the roles differ).
std::vector<std::string> GaugeKeys(const std::string& text) {
  std::vector<std::string> keys;
  for (const std::string& l : Lines(text)) {
    keys.push_back(l.substr(0, l.find('\t')));
    if (keys.back() == "zk_proposal_count") break;
  }
  return keys;
}

TEST(FourLetterEnsemble, Srvr_LeaderAddsProposalSizes) {
  EXPECT_EQ(RenderFourLetterWord("srvr", LeaderIdle()),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x100000000\nMode: leader\nNode count: 5\n"
            "Proposal sizes last/min/max: -1/-1/-1\n");
  StatsSnapshot s = LeaderIdle();
  s.quorum->last_proposal_size = 36;
  s.quorum->min_proposal_size = 36;
  s.quorum->max_proposal_size = 91;
  EXPECT_NE(RenderFourLetterWord("srvr", s).find("\nProposal sizes last/min/max: 36/36/91\n"),
            std::string::npos);
}

TEST(FourLetterEnsemble, Stat_LeaderAddsProposalSizesFollowerDoesNot) {
  EXPECT_EQ(RenderFourLetterWord("stat", LeaderIdle()),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "Clients:\n /127.0.0.1:41134[0](queued=0,recved=1,sent=0)\n\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x100000000\nMode: leader\nNode count: 5\n"
            "Proposal sizes last/min/max: -1/-1/-1\n");
  EXPECT_EQ(RenderFourLetterWord("srvr", FollowerIdle()),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 2\nSent: 1\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x0\nMode: follower\nNode count: 5\n");
}

TEST(FourLetterEnsemble, Conf_ClusterKeysThenMembershipWithoutFinalNewline) {
  StatsSnapshot s = FollowerIdle();
  s.client_port = 24281;
  s.data_dir = s.data_log_dir = "/tmp/ens-apache/n1/data";
  s.data_dir_size = s.log_dir_size = 597;
  s.server_id = 1;
  EXPECT_EQ(RenderFourLetterWord("conf", s),
            "clientPort=24281\nsecureClientPort=-1\n"
            "dataDir=/tmp/ens-apache/n1/data/version-2\ndataDirSize=597\n"
            "dataLogDir=/tmp/ens-apache/n1/data/version-2\ndataLogSize=597\n"
            "tickTime=2000\nmaxClientCnxns=60\nminSessionTimeout=4000\n"
            "maxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=1\n"
            "initLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=25881\nquorumPort=24881\n"
            "peerType=0\nmembership: \n"
            "server.1=127.0.0.1:24881:25881:participant\n"
            "server.2=127.0.0.1:24882:25882:participant\n"
            "server.3=127.0.0.1:24883:25883:participant\n"
            "version=0");
}

TEST(FourLetterEnsemble, Conf_ObserverIsPeerType1) {
  StatsSnapshot s = FollowerIdle();
  s.mode = "observer";
  s.quorum->observer = true;
  std::string text = RenderFourLetterWord("conf", s);
  EXPECT_NE(text.find("\npeerType=1\nmembership: \n"), std::string::npos) << text;
}

TEST(FourLetterEnsemble, Mntr_LeaderGaugesInApacheOrder) {
  StatsSnapshot s = LeaderIdle();
  s.quorum->pending_syncs = 1;
  s.quorum->leader_uptime_ms = 14906;
  s.quorum->max_proposal_size = 91;
  std::string text = RenderFourLetterWord("mntr", s);
  // clang-format off
  EXPECT_EQ(GaugeKeys(text),
            (std::vector<std::string>{
                "zk_version", "zk_server_state", "zk_peer_state", "zk_ephemerals_count",
                "zk_num_alive_connections", "zk_avg_latency", "zk_min_proposal_size",
                "zk_outstanding_requests", "zk_znode_count", "zk_global_sessions",
                "zk_non_mtls_remote_conn_count", "zk_last_client_response_size",
                "zk_packets_sent", "zk_packets_received", "zk_max_proposal_size",
                "zk_max_client_response_size", "zk_synced_followers",
                "zk_connection_drop_probability", "zk_watch_count",
                "zk_synced_non_voting_followers", "zk_synced_observers", "zk_auth_failed_count",
                "zk_min_latency", "zk_max_file_descriptor_count", "zk_approximate_data_size",
                "zk_open_file_descriptor_count", "zk_last_proposal_size", "zk_pending_syncs",
                "zk_leader_uptime", "zk_local_sessions", "zk_uptime", "zk_max_latency",
                "zk_outstanding_tls_handshake", "zk_learners", "zk_min_client_response_size",
                "zk_non_mtls_local_conn_count", "zk_quorum_size", "zk_proposal_count"}));
  // clang-format on
  EXPECT_NE(text.find("\nzk_server_state\tleader\nzk_peer_state\tleading - broadcast\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nzk_synced_followers\t2\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_synced_observers\t0\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_pending_syncs\t1\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_leader_uptime\t14906\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_learners\t2\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_quorum_size\t3\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_min_proposal_size\t-1\n"), std::string::npos);
  EXPECT_NE(text.find("\nzk_max_proposal_size\t91\n"), std::string::npos);
  // On top of everything a standalone server prints: peer_state, quorum_size and the nine
  // leader gauges.
  EXPECT_EQ(Lines(text).size(), Lines(RenderFourLetterWord("mntr", Idle())).size() + 11);
}

TEST(FourLetterEnsemble, Mntr_FollowerAddsPeerStateAndQuorumSizeOnly) {
  std::string text = RenderFourLetterWord("mntr", FollowerIdle());
  std::vector<std::string> keys = GaugeKeys(text);
  std::vector<std::string> standalone = GaugeKeys(RenderFourLetterWord("mntr", Idle()));
  standalone.insert(standalone.begin() + 2, "zk_peer_state");
  standalone.insert(standalone.end() - 1, "zk_quorum_size");
  EXPECT_EQ(keys, standalone);
  EXPECT_NE(text.find("\nzk_server_state\tfollower\nzk_peer_state\tfollowing - broadcast\n"
                      "zk_ephemerals_count\t0\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nzk_non_mtls_local_conn_count\t0\nzk_quorum_size\t3\n"
                      "zk_proposal_count\t0\n"),
            std::string::npos);
  EXPECT_EQ(text.find("zk_learners"), std::string::npos);
  EXPECT_EQ(text.find("zk_observer_master_id"), std::string::npos);
}

TEST(FourLetterEnsemble, Mntr_ObserverNamesItsMaster) {
  StatsSnapshot s = FollowerIdle();
  s.mode = "observer";
  s.quorum->peer_state = "observing - broadcast";
  s.quorum->observer_master_id = 2;
  s.quorum->quorum_size = 2;
  std::string text = RenderFourLetterWord("mntr", s);
  EXPECT_NE(text.find("zk_server_state\tobserver\nzk_peer_state\tobserving - broadcast\n"
                      "zk_observer_master_id\t2\nzk_ephemerals_count\t0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nzk_quorum_size\t2\n"), std::string::npos);
}

TEST(FourLetterEnsemble, NotServing_SameTextAsStandalone) {
  StatsSnapshot s = LeaderIdle();
  s.serving = false;
  for (const char* w : {"srvr", "stat", "mntr", "conf", "cons"}) {
    EXPECT_EQ(RenderFourLetterWord(w, s),
              "This ZooKeeper instance is not currently serving requests\n")
        << w;
  }
  EXPECT_EQ(RenderFourLetterWord("ruok", s), "imok");
  EXPECT_EQ(RenderFourLetterWord("isro", s), "null");
}

TEST(FourLetterEnsemble, MembershipText_ById_ObserverRole_ClientPart) {
  ServerConfig c;
  ServerSpec s3{3, "127.0.0.1", 24983, 25983, true, "", 0};
  ServerSpec s1{1, "127.0.0.1", 24981, 25981, false, "", 0};
  ServerSpec s2{2, "localhost", 24982, 25982, false, "", 2182};
  ServerSpec s4{4, "127.0.0.1", 24984, 25984, false, "127.0.0.1", 2184};
  c.servers = {s3, s1, s2, s4};
  EXPECT_EQ(MembershipText(c),
            "server.1=127.0.0.1:24981:25981:participant\n"
            "server.2=localhost:24982:25982:participant;0.0.0.0:2182\n"
            "server.3=127.0.0.1:24983:25983:observer\n"
            "server.4=127.0.0.1:24984:25984:participant;127.0.0.1:2184\n"
            "version=0");
}

// ---- a member serving read-only (readonlymode.enabled): captured from Apache 3.8.0, member 1 of
// 3 with members 2 and 3 stopped (a new ReadOnlyZooKeeperServer: its counters start at 0).

StatsSnapshot ReadOnlyIdle() {
  StatsSnapshot s = Idle();
  s.mode = "read-only";
  s.read_only = true;
  s.packets_received = 3;
  s.packets_sent = 2;
  s.zxid = 0x200000004;
  s.node_count = 9;
  QuorumStats q = ThreeVoters(1);
  q.peer_state = "looking";
  s.quorum = q;
  return s;
}

TEST(FourLetterReadOnly, IsroRo_SrvrSaysReadOnlyTwice) {
  StatsSnapshot s = ReadOnlyIdle();
  EXPECT_EQ(RenderFourLetterWord("isro", s), "ro");
  EXPECT_EQ(RenderFourLetterWord("srvr", s),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "READ-ONLY mode; serving only read-only clients\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x200000004\nMode: read-only\nNode count: 9\n");
  EXPECT_EQ(RenderFourLetterWord("stat", s),
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
            "READ-ONLY mode; serving only read-only clients\nClients:\n"
            " /127.0.0.1:41134[0](queued=0,recved=1,sent=0)\n\n"
            "Latency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\n"
            "Outstanding: 0\nZxid: 0x200000004\nMode: read-only\nNode count: 9\n");
}

TEST(FourLetterReadOnly, NoQuorumGaugesInMntr_NoMembershipInConf) {
  StatsSnapshot s = ReadOnlyIdle();
  std::string mntr = RenderFourLetterWord("mntr", s);
  EXPECT_NE(mntr.find("zk_server_state\tread-only\n"), std::string::npos);
  EXPECT_EQ(mntr.find("zk_peer_state"), std::string::npos);
  EXPECT_EQ(mntr.find("zk_quorum_size"), std::string::npos);
  std::string conf = RenderFourLetterWord("conf", s);
  EXPECT_NE(conf.find("\ninitLimit=10\n"), std::string::npos);
  ASSERT_NE(conf.rfind("\npeerType="), std::string::npos);
  EXPECT_EQ(conf.substr(conf.rfind("\npeerType=")), "\npeerType=0\n");  // the last line
  EXPECT_EQ(conf.find("membership"), std::string::npos);
}

}  // namespace
}  // namespace zk
