// The verdict over all checks (its line, exit code and JSON), and the ensemble-wide checks:
// members converge, one leader per epoch.
#include <gtest/gtest.h>

#include "chaos/convergence.h"
#include "chaos/verdict.h"
#include "chaos_history_builder.h"

namespace pc::chaos {
namespace {

using testing::FindProblem;
using testing::HistoryBuilder;

TEST(Convergence, SameZxidAndDigest_Valid) {
  HistoryBuilder b;
  for (int m = 1; m <= 3; ++m) b.Member(m, 0x300000012, "9f2c");
  CheckResult r = CheckConvergence(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kValid);
  EXPECT_NE(r.summary.find("0x300000012"), std::string::npos) << r.summary;
}

TEST(Convergence, MembersNotConverged) {
  HistoryBuilder b;
  b.Member(1, 0x300000012, "9f2c");
  b.Member(2, 0x300000012, "9f2c");
  b.Member(3, 0x300000011, "77aa");
  CheckResult r = CheckConvergence(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-converged");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->text.find("member 3 0x300000011 digest 77aa"), std::string::npos) << p->text;
}

TEST(Convergence, SameZxidDifferentDigest_NotConverged) {
  HistoryBuilder b;
  b.Member(1, 0x300000012, "9f2c");
  b.Member(2, 0x300000012, "9f2d");
  EXPECT_EQ(CheckConvergence(b.Build()).outcome, Outcome::kInvalid);
}

TEST(Leaders, TwoLeadersInOneEpoch) {
  HistoryBuilder b;
  b.Leader(1, 1, 100);
  b.Leader(2, 2, 900);
  b.Leader(3, 2, 950);
  CheckResult r = CheckLeaders(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "two-leaders");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->text.find("epoch 2 had 2 leaders: member 2"), std::string::npos) << p->text;
}

TEST(Leaders, OneLeaderPerEpoch_Valid) {
  HistoryBuilder b;
  b.Leader(1, 1, 100);
  b.Leader(1, 1, 200);  // seen twice: the same leader
  b.Leader(2, 2, 900);
  EXPECT_EQ(CheckLeaders(b.Build()).outcome, Outcome::kValid);
}

TEST(Verdict, Valid_ExitZero) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Read(2, 5, 20, 30, 1);
  b.Member(1, 7, "d");
  b.Member(2, 7, "d");
  History h = b.Build();
  Verdict v = Judge(h, {});
  EXPECT_EQ(v.outcome, Outcome::kValid);
  EXPECT_EQ(ExitCode(v.outcome), 0);
  EXPECT_EQ(VerdictLine(v, h), "verdict: valid");
  std::string text = RenderVerdict(v, h);
  EXPECT_NE(text.find("register-linearizable  valid"), std::string::npos) << text;
  EXPECT_EQ(text.find("sequential"), std::string::npos) << "not applicable checks stay quiet";
  nlohmann::json j = VerdictJson(v, h);
  EXPECT_EQ(j["verdict"], "valid");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["counts"]["ok"], 2);
}

TEST(Verdict, Invalid_NamesWhatAndWhichOps_ExitOne) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Read(1, 0, 20, 30, 0);  // its own write, gone
  History h = b.Build();
  Verdict v = Judge(h, {});
  EXPECT_EQ(v.outcome, Outcome::kInvalid);
  EXPECT_EQ(ExitCode(v.outcome), 1);
  std::string line = VerdictLine(v, h);
  EXPECT_EQ(line,
            "verdict: INVALID (register-reads: stale-read-own-write: ok read = 0 by process 1 "
            "[line 4], ok write 5 by process 1 [line 2])");
  nlohmann::json j = VerdictJson(v, h);
  EXPECT_EQ(j["verdict"], "invalid");
  EXPECT_EQ(j["checks"][1]["problems"][0]["ops"][1]["value"], 5);
}

TEST(Verdict, UnknownWhenTheSearchGivesUp_ExitThree) {
  HistoryBuilder b;
  // Ten overlapping writes, then a cas from 1 and a final read of 1: only an exhaustive search
  // over the writes' orders shows that no order fits (the reads check has nothing to say).
  for (int i = 0; i < 10; ++i) b.Write(i, i + 1, i, 100 + i);
  b.Cas(20, 1, 50, 150, 160);
  b.Read(21, 1, 200, 210, kNoVersion, true);
  History h = b.Build();
  CheckOptions options;
  options.linearizability.max_states = 20;
  Verdict v = Judge(h, options);
  EXPECT_EQ(v.outcome, Outcome::kUnknown);
  EXPECT_EQ(ExitCode(v.outcome), 3);
  EXPECT_EQ(VerdictLine(v, h).rfind("verdict: unknown (register-linearizable: gave up", 0), 0u)
      << VerdictLine(v, h);
  EXPECT_EQ(Judge(h, {}).outcome, Outcome::kInvalid);  // with room, the answer is found
}

TEST(Verdict, NothingToCheck_Unknown) {
  HistoryBuilder b;
  History h = b.Build();
  Verdict v = Judge(h, {});
  EXPECT_EQ(v.outcome, Outcome::kUnknown);
  EXPECT_EQ(VerdictLine(v, h),
            "verdict: unknown (nothing to check: no ops, listings, member facts or leaders in the "
            "history)");
}

TEST(Verdict, InvalidBeatsUnknown) {
  HistoryBuilder b;
  // Ten overlapping writes, then a cas from 1 and a final read of 1: only an exhaustive search
  // over the writes' orders shows that no order fits (the reads check has nothing to say).
  for (int i = 0; i < 10; ++i) b.Write(i, i + 1, i, 100 + i);
  b.Cas(20, 1, 50, 150, 160);
  b.Read(21, 1, 200, 210, kNoVersion, true);
  b.Leader(1, 4, 10);
  b.Leader(2, 4, 20);
  History h = b.Build();
  CheckOptions options;
  options.linearizability.max_states = 20;
  EXPECT_EQ(Judge(h, options).outcome, Outcome::kInvalid);
}

}  // namespace
}  // namespace pc::chaos
