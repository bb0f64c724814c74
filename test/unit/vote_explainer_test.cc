// The one-line explanation of a decision (vote_explainer.h): each rule of the vote order against
// the strongest other candidate, ties, observers, k of n.
#include "supervisor/vote_explainer.h"

#include <gtest/gtest.h>

#include <vector>

namespace pc {
namespace {

// A member's notification naming itself: how a candidate shows its (epoch, zxid).
VoteFact Proposes(int sid, int64_t round, int64_t epoch, uint64_t zxid, int receiver = 1) {
  VoteFact f;
  f.kind = VoteFact::Kind::kNotification;
  f.node = receiver;
  f.from = sid;
  f.state = "LOOKING";
  f.leader = sid;
  f.round = round;
  f.peer_epoch = epoch;
  f.zxid = zxid;
  return f;
}

VoteFact Decision(int node, int leader, int64_t round, std::vector<int> supporters,
                  const std::string& by = "looking-quorum") {
  VoteFact d;
  d.kind = VoteFact::Kind::kDecision;
  d.node = node;
  d.state = node == leader ? "LEADING" : "FOLLOWING";
  d.leader = leader;
  d.round = round;
  d.why = by;
  d.supporters = std::move(supporters);
  return d;
}

const std::set<int> kFive = {1, 2, 3, 4, 5};

TEST(ExplainDecision, HigherEpochWins) {
  std::vector<VoteFact> facts = {Proposes(1, 2, 1, 0x100000009), Proposes(3, 2, 2, 0x200000001)};
  EXPECT_EQ(ExplainDecision(Decision(3, 3, 2, {1, 2, 3}), facts, kFive),
            "node3 wins round 2: epoch 2 > 1 of node1; votes from 1, 2, 3 (3 of 5)");
}

TEST(ExplainDecision, SameEpochHigherZxidWins) {
  std::vector<VoteFact> facts = {Proposes(4, 3, 1, 0x100000007), Proposes(2, 3, 1, 0x100000008),
                                 Proposes(1, 3, 1, 0x100000006)};
  EXPECT_EQ(ExplainDecision(Decision(2, 2, 3, {1, 2, 4}), facts, kFive),
            "node2 wins round 3: epoch 1 ties, zxid 0x100000008 > 0x100000007 of node4; "
            "votes from 1, 2, 4 (3 of 5)");
}

TEST(ExplainDecision, SameEpochAndZxidHigherMyidWins) {
  // The example: 8, 8, 8, 7, 7 with node3 and node5 gone.
  std::vector<VoteFact> facts = {Proposes(1, 3, 1, 0x100000008), Proposes(2, 3, 1, 0x100000008),
                                 Proposes(4, 3, 1, 0x100000007)};
  EXPECT_EQ(ExplainDecision(Decision(4, 2, 3, {1, 2, 4}), facts, kFive),
            "node2 wins round 3: epoch 1 ties, zxid 0x100000008 ties with node1, myid 2 > 1; "
            "votes from 1, 2, 4 (3 of 5)");
}

TEST(ExplainDecision, ComparesWithTheStrongestOtherCandidateOnly) {
  // node1 is weaker than node4 on zxid; the line names node4, the one that mattered.
  std::vector<VoteFact> facts = {Proposes(1, 1, 1, 0x100000001), Proposes(4, 1, 1, 0x100000005),
                                 Proposes(5, 1, 1, 0x100000009)};
  EXPECT_EQ(ExplainDecision(Decision(5, 5, 1, {1, 4, 5}), facts, kFive),
            "node5 wins round 1: epoch 1 ties, zxid 0x100000009 > 0x100000005 of node4; "
            "votes from 1, 4, 5 (3 of 5)");
}

TEST(ExplainDecision, OnlyTheDecisionsRoundCounts) {
  std::vector<VoteFact> facts = {Proposes(3, 1, 1, 0x100000009),  // an older round
                                 Proposes(2, 2, 1, 0x100000008)};
  EXPECT_EQ(ExplainDecision(Decision(2, 2, 2, {1, 2}), facts, {1, 2, 3}),
            "node2 wins round 2 as the only candidate; votes from 1, 2 (2 of 3)");
}

TEST(ExplainDecision, AVoteForItselfMakesACandidateToo) {
  VoteFact v;
  v.kind = VoteFact::Kind::kVote;
  v.node = 1;
  v.leader = 1;
  v.round = 1;
  v.peer_epoch = 0;
  v.zxid = 0;
  v.why = "start";
  std::vector<VoteFact> facts = {v, Proposes(2, 1, 0, 0)};
  EXPECT_EQ(ExplainDecision(Decision(2, 2, 1, {1, 2}), facts, {1, 2, 3}),
            "node2 wins round 1: epoch 0 ties, zxid 0x0 ties with node1, myid 2 > 1; "
            "votes from 1, 2 (2 of 3)");
}

TEST(ExplainDecision, ObserversAreNeverCandidatesAndTheirVotesNeverCount) {
  // node4 observes: its "proposal" and its support are ignored.
  std::vector<VoteFact> facts = {Proposes(4, 1, 9, 0x900000000), Proposes(1, 1, 1, 0x100000001),
                                 Proposes(3, 1, 1, 0x100000002)};
  EXPECT_EQ(ExplainDecision(Decision(3, 3, 1, {1, 3, 4}), facts, {1, 2, 3}),
            "node3 wins round 1: epoch 1 ties, zxid 0x100000002 > 0x100000001 of node1; "
            "votes from 1, 3 (2 of 3)");
}

TEST(ExplainDecision, ANotificationForAnotherIsNoCandidacy) {
  VoteFact relay = Proposes(1, 1, 5, 0x500000000);
  relay.leader = 3;  // node1 relays a vote for node3: node1 is not proposing itself
  VoteFact out = Proposes(2, 1, 7, 0x700000000);
  out.state = "FOLLOWING";  // an answer from out of the election is no candidacy either
  std::vector<VoteFact> facts = {relay, out, Proposes(3, 1, 1, 0x100000001)};
  EXPECT_EQ(ExplainDecision(Decision(3, 3, 1, {1, 3}), facts, {1, 2, 3}),
            "node3 wins round 1 as the only candidate; votes from 1, 3 (2 of 3)");
}

TEST(ExplainDecision, AStrongerCandidateThatLostIsNamed) {
  std::vector<VoteFact> facts = {Proposes(2, 1, 1, 0x100000008), Proposes(4, 1, 1, 0x100000009)};
  EXPECT_EQ(ExplainDecision(Decision(2, 2, 1, {1, 2, 3}), facts, kFive),
            "node2 wins round 1 though node4 ranks higher (epoch 1 ties, zxid 0x100000009 > "
            "0x100000008 of node2): its vote did not reach a quorum in time; "
            "votes from 1, 2, 3 (3 of 5)");
}

TEST(ExplainDecision, AMemberJoiningARunningEnsembleFollowsItsLeader) {
  EXPECT_EQ(ExplainDecision(Decision(3, 2, 2, {1, 2}, "out-of-election"), {}, {1, 2, 3}),
            "node3 follows node2, already elected in round 2: votes from 1, 2 (2 of 3)");
  EXPECT_EQ(ExplainDecision(Decision(3, 2, 2, {1, 2}, "round-follow"), {}, {1, 2, 3}),
            "node3 follows node2, already elected in round 2: votes from 1, 2 (2 of 3)");
  VoteFact observer = Decision(4, 3, 1, {2, 3}, "out-of-election");
  observer.state = "OBSERVING";
  EXPECT_EQ(ExplainDecision(observer, {}, {1, 2, 3}),
            "node4 observes node3, already elected in round 1: votes from 2, 3 (2 of 3)");
}

TEST(ExplainDecision, AHandOverByReconfigIsNoElection) {
  EXPECT_EQ(ExplainDecision(Decision(1, 1, 2, {}, "reconfig"), {}, {1, 2}),
            "node1 leads, handed over by reconfig (no election)");
  EXPECT_EQ(ExplainDecision(Decision(2, 1, 2, {}, "reconfig"), {}, {1, 2}),
            "node2 follows node1, handed over by reconfig (no election)");
}

TEST(ExplainDecision, KOfNCountsVotersOnly) {
  std::vector<VoteFact> facts = {Proposes(1, 1, 0, 0)};
  EXPECT_EQ(ExplainDecision(Decision(1, 1, 1, {1, 6, 7}), facts, {1, 2, 3}),
            "node1 wins round 1 as the only candidate; votes from 1 (1 of 3)");
  EXPECT_EQ(ExplainDecision(Decision(1, 1, 1, {}), facts, {1, 2, 3}),
            "node1 wins round 1 as the only candidate; supporters unknown (3 voters)");
}

TEST(CandidateBeats, EpochThenZxidThenSid) {
  EXPECT_TRUE(CandidateBeats({1, 2, 0x1}, {3, 1, 0x900000000}));
  EXPECT_TRUE(CandidateBeats({1, 1, 0x9}, {3, 1, 0x8}));
  EXPECT_TRUE(CandidateBeats({3, 1, 0x8}, {1, 1, 0x8}));
  EXPECT_FALSE(CandidateBeats({1, 1, 0x8}, {1, 1, 0x8}));
}

}  // namespace
}  // namespace pc
