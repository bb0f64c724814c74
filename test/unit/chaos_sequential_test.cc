// The sequential workload's checker: ok creates survive on every member, names are unique,
// numbers contiguous (ZooKeeper's counter moves only on committed creates) and in real-time order.
#include <gtest/gtest.h>

#include "chaos/sequential_check.h"
#include "chaos_history_builder.h"

namespace pc::chaos {
namespace {

using testing::FindProblem;
using testing::HistoryBuilder;
using testing::Names;

const std::string kParent = "/chaos/seq";

std::string Name(int process, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%d-%010d", process, n);
  return buf;
}
std::string Created(int process, int n) { return kParent + "/" + Name(process, n); }
std::string Asked(int process) { return kParent + "/p" + std::to_string(process) + "-"; }

void ListOnAll(HistoryBuilder& b, const std::vector<std::string>& children, int members = 3) {
  for (int m = 1; m <= members; ++m) b.Final(m, kParent, children, 1000);
}

TEST(SequentialCheck, OkAndInfoCreates_Valid) {
  HistoryBuilder b;
  b.setup().workload = "sequential";
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  b.Create(2, Asked(2), "", 5, 15, Result::kInfo);  // happened: its node is there
  b.Create(1, Asked(1), Created(1, 2), 20, 30);
  b.Create(3, Asked(3), "", 40, -1);  // never happened: took no number
  b.Create(2, Asked(2), "", 50, 60, Result::kFail);
  ListOnAll(b, {Name(1, 0), Name(2, 1), Name(1, 2)});
  CheckResult r = CheckSequential(b.Build());
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.outcome, Outcome::kValid) << r.summary;
}

TEST(SequentialCheck, OkCreateMissingAtTheEnd) {
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  int lost = b.Create(2, Asked(2), Created(2, 1), 20, 30);
  b.Final(1, kParent, {Name(1, 0), Name(2, 1)}, 1000);
  b.Final(2, kParent, {Name(1, 0)}, 1000);
  CheckResult r = CheckSequential(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "create-missing");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, lost));
  EXPECT_NE(p->text.find("member(s) 2"), std::string::npos) << p->text;
}

TEST(SequentialCheck, DuplicateSequentialName) {
  HistoryBuilder b;
  int first = b.Create(1, Asked(1), Created(1, 0), 0, 10);
  b.Last().path = kParent + "/p-";
  b.Last().created = kParent + "/p-0000000000";
  int second = b.Create(2, Asked(2), Created(2, 0), 20, 30);
  b.Last().path = kParent + "/p-";
  b.Last().created = kParent + "/p-0000000000";
  ListOnAll(b, {"p-0000000000"});
  std::optional<Problem> p = FindProblem(CheckSequential(b.Build()), "duplicate-name");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, first));
  EXPECT_TRUE(Names(p, second));
}

TEST(SequentialCheck, UnexplainedGap) {
  // An info create cannot explain a gap: had it committed, its node would be listed.
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  b.Create(2, Asked(2), "", 15, 18, Result::kInfo);
  b.Create(1, Asked(1), Created(1, 2), 20, 30);
  ListOnAll(b, {Name(1, 0), Name(1, 2)});
  CheckResult r = CheckSequential(b.Build());
  std::optional<Problem> p = FindProblem(r, "sequence-gap");
  ASSERT_TRUE(p.has_value()) << r.summary;
  EXPECT_NE(p->text.find("number(s) 1"), std::string::npos) << p->text;
}

TEST(SequentialCheck, EphemeralCreateMayLeaveAGap) {
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  b.Create(2, Asked(2), Created(2, 1), 15, 18, Result::kOk, /*ephemeral=*/true);  // session gone
  b.Create(3, Asked(3), "", 19, -1, Result::kInfo, /*ephemeral=*/true);  // took 2, then gone
  b.Create(1, Asked(1), Created(1, 3), 20, 30);
  ListOnAll(b, {Name(1, 0), Name(1, 3)});
  CheckResult r = CheckSequential(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kValid) << (r.problems.empty() ? r.summary : r.problems[0].text);
}

TEST(SequentialCheck, NodeNoCreateExplains) {
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  ListOnAll(b, {Name(1, 0), Name(4, 1)});
  CheckResult r = CheckSequential(b.Build());
  std::optional<Problem> p = FindProblem(r, "unexplained-node");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->text.find(Name(4, 1)), std::string::npos) << p->text;
}

TEST(SequentialCheck, NumbersFollowRealTime) {
  HistoryBuilder b;
  int earlier = b.Create(1, Asked(1), Created(1, 1), 0, 10);
  int later = b.Create(2, Asked(2), Created(2, 0), 20, 30);  // began after 1 ended, got lower
  ListOnAll(b, {Name(2, 0), Name(1, 1)});
  std::optional<Problem> p = FindProblem(CheckSequential(b.Build()), "create-order");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), later);
  EXPECT_TRUE(Names(p, earlier));
}

TEST(SequentialCheck, MembersDisagree) {
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  b.Create(2, Asked(2), "", 20, -1);
  b.Final(1, kParent, {Name(1, 0), Name(2, 1)}, 1000);
  b.Final(2, kParent, {Name(1, 0)}, 1000);
  EXPECT_TRUE(FindProblem(CheckSequential(b.Build()), "members-disagree").has_value());
}

TEST(SequentialCheck, NoListing_Unknown) {
  HistoryBuilder b;
  b.Create(1, Asked(1), Created(1, 0), 0, 10);
  CheckResult r = CheckSequential(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kUnknown);
  EXPECT_NE(r.summary.find("no final listing"), std::string::npos);
}

TEST(SequenceNumber, TenDigitSuffix) {
  EXPECT_EQ(SequenceNumber("p3-0000000042"), 42);
  EXPECT_EQ(SequenceNumber("-000000001"), -1);  // a wrapped counter, %010d of a negative int
  EXPECT_EQ(SequenceNumber("lock"), std::nullopt);
  EXPECT_EQ(SequenceNumber("x-00000000a1"), std::nullopt);
}

}  // namespace
}  // namespace pc::chaos
