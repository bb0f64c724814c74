// The supervisor's vote store (VoteLog), the facts' text and JSON, and LogTail, which follows an
// Apache member's log across restarts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "supervisor/log_tail.h"
#include "supervisor/vote_facts.h"

namespace fs = std::filesystem;

namespace pc {
namespace {

VoteFact Notification(int receiver, int from, int64_t round) {
  VoteFact f;
  f.kind = VoteFact::Kind::kNotification;
  f.node = receiver;
  f.from = from;
  f.state = "LOOKING";
  f.my_state = "LOOKING";
  f.leader = from;
  f.round = round;
  f.peer_epoch = 1;
  f.zxid = 0x100000008;
  return f;
}

TEST(VoteLog, KeepsTheNewestAndCountsWhatItPushesOut) {
  VoteLog log(3);
  for (int i = 1; i <= 5; ++i) log.Add(Notification(1, 2, i));
  ASSERT_EQ(log.facts().size(), 3u);
  EXPECT_EQ(log.facts().front().round, 3);
  EXPECT_EQ(log.facts().back().round, 5);
  EXPECT_EQ(log.TakeDropped(), 2);
  EXPECT_EQ(log.TakeDropped(), 0);
}

TEST(VoteFactText, EachKindReadsAsALine) {
  EXPECT_EQ(VoteFactText(Notification(1, 2, 3)),
            "<- node2 (LOOKING, round 3): node2, epoch 1, zxid 0x100000008");
  VoteFact late = Notification(1, 3, 1);
  late.my_state = "FOLLOWING";
  EXPECT_EQ(VoteFactText(late),
            "<- node3 (LOOKING, round 1): node3, epoch 1, zxid 0x100000008  "
            "[received while FOLLOWING]");
  VoteFact vote = Notification(1, 2, 3);
  vote.kind = VoteFact::Kind::kVote;
  vote.why = "better_vote";
  EXPECT_EQ(VoteFactText(vote),
            "votes node2 (epoch 1, zxid 0x100000008) in round 3: node2's vote beats its own");
  VoteFact d;
  d.kind = VoteFact::Kind::kDecision;
  d.state = "LEADING";
  d.election_ms = 212;
  d.explanation = "node2 wins round 3 as the only candidate; votes from 1, 2 (2 of 3)";
  EXPECT_EQ(VoteFactText(d),
            "decides LEADING (212 ms): node2 wins round 3 as the only candidate; "
            "votes from 1, 2 (2 of 3)");
  VoteFact dropped;
  dropped.kind = VoteFact::Kind::kDropped;
  dropped.count = 7;
  EXPECT_EQ(VoteFactText(dropped), "7 vote facts dropped");
}

TEST(VoteFactEvent, CarriesTheRoundAndTheExplanation) {
  VoteFact d;
  d.kind = VoteFact::Kind::kDecision;
  d.t_ms = 1500;
  d.node = 2;
  d.state = "LEADING";
  d.leader = 2;
  d.round = 3;
  d.zxid = 0x100000008;
  d.supporters = {1, 2};
  d.voters = 3;
  d.explanation = "x";
  Event e = VoteFactEvent(d);
  EXPECT_EQ(e.kind, "decision");
  EXPECT_EQ(e.node, 2);
  EXPECT_EQ(e.data["round"], 3);
  EXPECT_EQ(e.data["zxid"], "0x100000008");
  EXPECT_EQ(e.data["supporters"], nlohmann::json({1, 2}));
  EXPECT_EQ(e.data["explanation"], "x");
  EXPECT_EQ(EventFromJson(EventToJson(e)).data, e.data);
}

class LogTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("log_tail_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    path_ = (dir_ / "server.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Append(const std::string& text) {
    std::ofstream out(path_, std::ios::app);
    out << text;
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(LogTailTest, StartsAtTheEndAndReadsOnlyCompleteNewLines) {
  Append("old line\n");
  LogTail tail(path_);
  EXPECT_TRUE(tail.ReadLines().empty());
  Append("one\ntw");
  EXPECT_EQ(tail.ReadLines(), (std::vector<std::string>{"one"}));
  Append("o\n");
  EXPECT_EQ(tail.ReadLines(), (std::vector<std::string>{"two"}));
  EXPECT_TRUE(tail.ReadLines().empty());
}

TEST_F(LogTailTest, AFileThatDidNotExistIsReadFromItsStart) {
  LogTail tail(path_);
  EXPECT_TRUE(tail.ReadLines().empty());
  Append("first\n");
  EXPECT_EQ(tail.ReadLines(), (std::vector<std::string>{"first"}));
}

TEST_F(LogTailTest, ATruncatedOrReplacedLogIsReadAgainFromItsStart) {
  Append("a long first run of the member\n");
  LogTail tail(path_);
  {
    std::ofstream out(path_, std::ios::trunc);
    out << "new run\n";
  }  // shorter: truncated
  EXPECT_EQ(tail.ReadLines(), (std::vector<std::string>{"new run"}));
  const std::string other = (dir_ / "other.log").string();
  {
    std::ofstream out(other);
    out << "replaced, and longer than what was read before\n";
  }
  fs::rename(other, path_);  // another inode
  EXPECT_EQ(tail.ReadLines(),
            (std::vector<std::string>{"replaced, and longer than what was read before"}));
  Append("appended\n");
  EXPECT_EQ(tail.ReadLines(), (std::vector<std::string>{"appended"}));
}

}  // namespace
}  // namespace pc
