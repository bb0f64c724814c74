// Apache ZooKeeper 3.8's election lines (real ones, from test/unit/testdata/apache-3.8-election:
// a 3-member ensemble started, its leader node3 killed, node3 started again; and an observer),
// parsed and turned into the facts zkd reports.
#include "supervisor/apache_election_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "supervisor/vote_explainer.h"

namespace pc {
namespace {

const std::string kDir = std::string(PC_SOURCE_DIR) + "/test/unit/testdata/apache-3.8-election/";

std::vector<std::string> Lines(const std::string& file, const std::string& dir = kDir) {
  std::ifstream in(dir + file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ParseApacheLogLine, ANotificationWithEveryField) {
  auto line = ParseApacheLogLine(
      "2026-12-05 14:25:25,466 [WorkerReceiver[myid=3]] INFO "
      "org.apache.zookeeper.server.quorum.FastLeaderElection - Notification: my state:LOOKING; "
      "n.sid:1, n.state:FOLLOWING, n.leader:2, n.round:0x2, n.peerEpoch:0x2, "
      "n.zxid:0x100000002, message format version:0x2, n.config version:0x0");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->kind, ApacheLogLine::Kind::kNotification);
  EXPECT_EQ(line->my_state, "LOOKING");
  EXPECT_EQ(line->sid, 1);
  EXPECT_EQ(line->state, "FOLLOWING");
  EXPECT_EQ(line->leader, 2);
  EXPECT_EQ(line->round, 2);
  EXPECT_EQ(line->peer_epoch, 2);
  EXPECT_EQ(line->zxid, 0x100000002u);
  // 2026-12-05 14:25:25.466 as if it were UTC
  EXPECT_EQ(line->local_ms, 1796480725466);
}

TEST(ParseApacheLogLine, NewElectionAndDecisions) {
  auto start = ParseApacheLogLine(
      "2026-12-05 14:25:14,890 [QuorumPeer[myid=1](plain=127.0.0.1:13410)(secure=disabled)] INFO "
      "org.apache.zookeeper.server.quorum.FastLeaderElection - New election. My id = 1, proposed "
      "zxid=0x100000002");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->kind, ApacheLogLine::Kind::kNewElection);
  EXPECT_EQ(start->my_id, 1);
  EXPECT_EQ(start->zxid, 0x100000002u);
  auto leading = ParseApacheLogLine(
      "2026-12-05 14:25:15,104 [QuorumPeer[myid=2](plain=127.0.0.1:13411)(secure=disabled)] INFO "
      "org.apache.zookeeper.server.quorum.Leader - LEADING - LEADER ELECTION TOOK - 218 MS");
  ASSERT_TRUE(leading);
  EXPECT_EQ(leading->kind, ApacheLogLine::Kind::kElectionTook);
  EXPECT_EQ(leading->my_state, "LEADING");
  EXPECT_EQ(leading->took_ms, 218);
  EXPECT_EQ(leading->leader, 0);
  auto observing = ParseApacheLogLine(
      "2026-12-05 14:41:06,733 [QuorumPeer[myid=4](plain=127.0.0.1:13453)(secure=disabled)] INFO "
      "org.apache.zookeeper.server.quorum.Observer - Observing new leader sid=3 "
      "addr=/127.0.0.1:19452");
  ASSERT_TRUE(observing);
  EXPECT_EQ(observing->kind, ApacheLogLine::Kind::kElectionTook);
  EXPECT_EQ(observing->my_state, "OBSERVING");
  EXPECT_EQ(observing->leader, 3);
  EXPECT_EQ(observing->took_ms, -1);
}

TEST(ParseApacheLogLine, OtherLinesAndGarbageAreNotElectionLines) {
  EXPECT_FALSE(ParseApacheLogLine(
      "2026-12-05 14:25:10,160 [main] INFO org.apache.zookeeper.server.quorum.FastLeaderElection "
      "- zookeeper.fastleader.minNotificationInterval = 200 ms"));
  EXPECT_FALSE(ParseApacheLogLine("Notification: my state:LOOKING; n.sid:x, n.state:LOOKING"));
  EXPECT_FALSE(ParseApacheLogLine("BOSS - LEADER ELECTION TOOK - 12 MS"));
  EXPECT_FALSE(ParseApacheLogLine(""));
  // A line without a time is still an election line; its time is the reader's to give.
  auto bare = ParseApacheLogLine("FOLLOWING - LEADER ELECTION TOOK - 12 MS");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->local_ms, -1);
}

TEST(ParseApacheLogLine, EveryElectionLineOfTheFixtureParses) {
  int notifications = 0, starts = 0, decisions = 0;
  for (const char* file : {"node1.log", "node2.log", "node3.log", "observer-node4.log"}) {
    for (const std::string& text : Lines(file)) {
      auto line = ParseApacheLogLine(text);
      const bool election = text.find("Notification: ") != std::string::npos ||
                            text.find("New election") != std::string::npos ||
                            text.find("ELECTION TOOK") != std::string::npos ||
                            text.find("Observing new leader") != std::string::npos;
      EXPECT_EQ(line.has_value(), election) << text;
      if (!line) continue;
      EXPECT_GT(line->local_ms, 0) << text;
      notifications += line->kind == ApacheLogLine::Kind::kNotification;
      starts += line->kind == ApacheLogLine::Kind::kNewElection;
      decisions += line->kind == ApacheLogLine::Kind::kElectionTook;
    }
  }
  EXPECT_GT(notifications, 40);
  EXPECT_EQ(starts, 7);     // 3 at start, 2 after the kill, node3's restart, the observer
  EXPECT_EQ(decisions, 7);  // the same seven elections
}

struct Replay {
  std::vector<VoteFact> facts;
  std::vector<VoteFact> decisions;
};

// Feeds the members' logs in time order, as the supervisor does; a "Starting quorum peer" line
// stands for the supervisor seeing the member start.
// A line without a time (a stack trace's) is ordered at the time of the line before it.
Replay ReplayLogs(const std::vector<std::string>& files, const std::set<int>& voters,
                  const std::string& dir = kDir) {
  struct Line {
    int64_t ms;
    int node;
    std::string text;
  };
  std::vector<Line> all;
  for (const std::string& file : files) {
    const int node = file.back() == 'g' ? file[file.size() - 5] - '0' : 0;
    int64_t last_ms = 0;
    for (const std::string& text : Lines(file, dir)) {
      if (const int64_t ms = ApacheLogLineLocalMs(text); ms >= 0) last_ms = ms;
      all.push_back(Line{last_ms, node, text});
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Line& a, const Line& b) { return a.ms < b.ms; });
  ApacheElectionTracker tracker(voters);
  Replay r;
  for (const Line& l : all) {
    if (l.text.find("Starting quorum peer") != std::string::npos) tracker.MemberStarted(l.node);
    auto parsed = ParseApacheLogLine(l.text);
    if (!parsed) continue;
    for (VoteFact& f : tracker.Feed(l.node, *parsed, l.ms, l.ms)) {
      if (f.kind == VoteFact::Kind::kDecision) {
        f.explanation = ExplainDecision(f, r.facts, voters);
        r.decisions.push_back(f);
      }
      r.facts.push_back(f);
    }
  }
  return r;
}

std::string Summary(const VoteFact& d) {
  std::string s = "node" + std::to_string(d.node) + " " + d.state + " leader " +
                  std::to_string(d.leader) + " round " + std::to_string(d.round) + " by " + d.why +
                  " from";
  for (int sid : d.supporters) s += " " + std::to_string(sid);
  return s;
}

TEST(ApacheElectionTracker, ThreeMembersKillTheLeaderRestartIt) {
  Replay r = ReplayLogs({"node1.log", "node2.log", "node3.log"}, {1, 2, 3});
  std::vector<std::string> got;
  for (const VoteFact& d : r.decisions) got.push_back(Summary(d));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "node3 LEADING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node2 FOLLOWING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node1 FOLLOWING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node2 LEADING leader 2 round 2 by looking-quorum from 1 2",
                     "node1 FOLLOWING leader 2 round 2 by looking-quorum from 1 2",
                     "node3 FOLLOWING leader 2 round 2 by round-follow from 1 2",
                 }));
  ASSERT_EQ(r.decisions.size(), 6u);
  EXPECT_EQ(r.decisions[0].explanation,
            "node3 wins round 1: epoch 0 ties, zxid 0x0 ties with node2, myid 3 > 2; "
            "votes from 1, 2, 3 (3 of 3)");
  EXPECT_EQ(r.decisions[3].explanation,
            "node2 wins round 2: epoch 1 ties, zxid 0x100000002 ties with node1, myid 2 > 1; "
            "votes from 1, 2 (2 of 3)");
  EXPECT_EQ(r.decisions[5].explanation,
            "node3 follows node2, already elected in round 2: votes from 1, 2 (2 of 3)");
  EXPECT_EQ(r.decisions[3].election_ms, 218);
  for (const VoteFact& d : r.decisions) EXPECT_TRUE(d.derived);
}

TEST(ApacheElectionTracker, VotesComeFromWhatAMemberSendsItself) {
  Replay r = ReplayLogs({"node1.log", "node2.log", "node3.log"}, {1, 2, 3});
  std::vector<std::string> node1;
  for (const VoteFact& f : r.facts) {
    if (f.kind == VoteFact::Kind::kVote && f.node == 1) {
      node1.push_back(std::to_string(f.leader) + "@" + std::to_string(f.round) + " " + f.why + " " +
                      std::to_string(f.from));
    }
  }
  // Round 1: itself, then node2's vote for itself, then node3's; round 2: itself, then node2.
  EXPECT_EQ(node1,
            (std::vector<std::string>{"1@1 start 0", "2@1 better_vote 2", "3@1 better_vote 3",
                                      "1@2 start 0", "2@2 better_vote 2"}));
}

TEST(ApacheElectionTracker, AnObserverObservesTheLeaderItNames) {
  Replay r = ReplayLogs({"observer-node4.log"}, {1, 2, 3});
  ASSERT_EQ(r.decisions.size(), 1u);
  EXPECT_EQ(Summary(r.decisions[0]),
            "node4 OBSERVING leader 3 round 1 by out-of-election from 2 3");
  EXPECT_EQ(r.decisions[0].explanation,
            "node4 observes node3, already elected in round 1: votes from 2, 3 (2 of 3)");
  for (const VoteFact& f : r.facts) EXPECT_NE(f.kind, VoteFact::Kind::kVote);  // no vote of its own
}

// `pseudo-cluster up 3 --engine apache --reconfig`, then `remove leader`: node3, the leader,
// commits the reconfig that removes it and hands over to node1 with no election.
TEST(ApacheElectionTracker, AReconfigHandOverIsNoElection) {
  const std::string dir = std::string(PC_SOURCE_DIR) + "/test/unit/testdata/apache-3.8-handover/";
  Replay r = ReplayLogs({"node1.log", "node2.log", "node3.log"}, {1, 2, 3}, dir);
  std::vector<std::string> got;
  for (const VoteFact& d : r.decisions) got.push_back(Summary(d));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "node2 FOLLOWING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node3 LEADING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node1 FOLLOWING leader 3 round 1 by looking-quorum from 1 2 3",
                     "node2 FOLLOWING leader 0 round 0 by reconfig from",
                     "node1 LEADING leader 1 round 0 by reconfig from",
                     "node3 FOLLOWING leader 0 round 0 by reconfig from",
                 }));
  ASSERT_EQ(r.decisions.size(), 6u);
  EXPECT_EQ(r.decisions[3].explanation,
            "node2 follows the designated leader, handed over by reconfig (no election)");
  EXPECT_EQ(r.decisions[4].explanation, "node1 leads, handed over by reconfig (no election)");
  // Apache's own "LEADER ELECTION TOOK - 46831739 MS" for the hand-over is not passed on.
  EXPECT_EQ(r.decisions[4].election_ms, -1);
}

}  // namespace
}  // namespace pc
