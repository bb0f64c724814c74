// ReadExitClues over real log lines: Apache ZooKeeper 3.8 (Debian's package) and zkd.
#include "supervisor/exit_reason.h"

#include <gtest/gtest.h>

namespace pc {
namespace {

// An Apache member whose data/myid was deleted (abridged: the stack frames are cut short).
const char* kApacheMissingMyid =
    "2026-12-05 14:45:15,303 [main] INFO org.apache.zookeeper.server.quorum.QuorumPeerConfig - "
    "Reading configuration from: /tmp/fx6/default/node2/zoo.cfg\n"
    "2026-12-05 14:45:15,316 [main] ERROR org.apache.zookeeper.server.quorum.QuorumPeerMain - "
    "Invalid config, exiting abnormally\n"
    "org.apache.zookeeper.server.quorum.QuorumPeerConfig$ConfigException: Error processing "
    "/tmp/fx6/default/node2/zoo.cfg\n"
    "\tat org.apache.zookeeper.server.quorum.QuorumPeerConfig.parse(QuorumPeerConfig.java:198)\n"
    "Caused by: java.lang.IllegalArgumentException: myid file is missing\n"
    "\tat org.apache.zookeeper.server.quorum.QuorumPeerConfig.checkValidity("
    "QuorumPeerConfig.java:792)\n"
    "\t... 2 more\n"
    "Invalid config, exiting abnormally\n"
    "2026-12-05 14:45:15,317 [main] INFO org.apache.zookeeper.audit.ZKAuditProvider - ZooKeeper "
    "audit is disabled.\n"
    "2026-12-05 14:45:15,319 [main] ERROR org.apache.zookeeper.util.ServiceUtils - Exiting JVM "
    "with code 2\n";

// An Apache member started with another member's myid (2): its election port is taken.
const char* kApacheDuplicateMyid =
    "2026-12-05 14:42:46,818 [main] INFO org.apache.zookeeper.server.quorum.QuorumPeerMain - "
    "Starting quorum peer, myid=2\n"
    "2026-12-05 14:42:46,941 [ListenerHandler-/127.0.0.1:24151] ERROR "
    "org.apache.zookeeper.server.quorum.QuorumCnxManager - Exception while listening to address "
    "/127.0.0.1:24151\n"
    "java.net.BindException: Address already in use\n"
    "\tat java.base/sun.nio.ch.Net.bind0(Native Method)\n"
    "2026-12-05 14:42:49,951 [ListenerHandler-/127.0.0.1:24151] ERROR "
    "org.apache.zookeeper.server.quorum.QuorumCnxManager - Leaving listener thread for address "
    "127.0.0.1:24151 after 3 errors. Use zookeeper.electionPortBindRetry property to increase "
    "retry count.\n"
    "2026-12-05 14:42:49,952 [QuorumPeerListener] ERROR "
    "org.apache.zookeeper.server.quorum.QuorumCnxManager - As I'm leaving the listener thread, "
    "I won't be able to participate in leader election any longer: 127.0.0.1:24151\n"
    "2026-12-05 14:42:49,954 [QuorumPeerListener] ERROR org.apache.zookeeper.util.ServiceUtils - "
    "Exiting JVM with code 14\n";

TEST(ReadExitClues, ApacheShowsTheErrorAndItsDeepestCauseNotTheJvmExit) {
  ExitClues clues = ReadExitClues(kApacheMissingMyid);
  EXPECT_EQ(clues.reason,
            "Invalid config, exiting abnormally: IllegalArgumentException: myid file is missing");
  EXPECT_TRUE(clues.myid_missing);
  EXPECT_FALSE(clues.address_in_use);
}

TEST(ReadExitClues, ApacheDuplicateMyidGivesTheMyidAndThePortClash) {
  ExitClues clues = ReadExitClues(kApacheDuplicateMyid);
  EXPECT_EQ(clues.myid, 2);
  EXPECT_TRUE(clues.address_in_use);
  EXPECT_EQ(clues.reason,
            "As I'm leaving the listener thread, I won't be able to participate in leader "
            "election any longer: 127.0.0.1:24151");
}

TEST(ReadExitClues, ApacheExceptionRightUnderTheError) {
  ExitClues clues = ReadExitClues(
      "2026-12-05 14:42:46,941 [L] ERROR org.apache.zookeeper.server.quorum.QuorumCnxManager - "
      "Exception while listening to address /127.0.0.1:24151\n"
      "java.net.BindException: Address already in use\n");
  EXPECT_EQ(clues.reason,
            "Exception while listening to address /127.0.0.1:24151: BindException: Address "
            "already in use");
}

TEST(ReadExitClues, ZkdLastLineIsTheReason) {
  ExitClues clues = ReadExitClues(
      "2026-12-05 14:42:23.175 [info] state LEADING (epoch 0, zxid 0x0, leader 3)\n"
      "zkd: /x/node2/data/myid is missing: an ensemble member needs its server id there, the N "
      "of its own server.N line (echo 2 > /x/node2/data/myid)\n\n");
  EXPECT_TRUE(clues.myid_missing);
  EXPECT_EQ(clues.myid, -1);
  EXPECT_EQ(clues.reason.rfind("zkd: /x/node2/data/myid is missing", 0), 0u);
  EXPECT_EQ(ReadExitClues("").reason, "");
}

}  // namespace
}  // namespace pc
