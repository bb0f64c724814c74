// The register's linearizability checker on hand-written histories: linearizable ones must pass,
// known violations must be found and name the ops involved, and the search bound gives unknown.
#include <gtest/gtest.h>

#include "chaos/linearizability.h"
#include "chaos_history_builder.h"

namespace pc::chaos {
namespace {

using testing::FindProblem;
using testing::HistoryBuilder;
using testing::Names;

CheckResult Check(const History& h, int64_t max_states = 1'000'000) {
  return CheckLinearizability(h, LinearizabilityOptions{max_states});
}

TEST(Linearizability, SequentialWritesAndCas_Valid) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Cas(2, 5, 6, 20, 30, Result::kOk, 2);
  b.Write(1, 7, 40, 50, Result::kOk, 3);
  b.Read(3, 7, 60, 70, 3, /*final_read=*/true);
  CheckResult r = Check(b.Build());
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.outcome, Outcome::kValid) << r.summary;
}

TEST(Linearizability, ConcurrentWrites_EitherOrderThatLaterOpsNeed) {
  // Writes 1 and 2 overlap; the cas 1→3 afterwards needs 2 first, then 1.
  HistoryBuilder b;
  b.Write(1, 1, 0, 100);
  b.Write(2, 2, 10, 90);
  b.Cas(3, 1, 3, 200, 210);
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kValid);

  HistoryBuilder c;  // the same without overlap: 2 ends before 1 begins, so 1 is last
  c.Write(2, 2, 0, 5);
  c.Write(1, 1, 10, 100);
  c.Cas(3, 2, 3, 200, 210);
  CheckResult r = Check(c.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  EXPECT_TRUE(Names(FindProblem(r, "not-linearizable"), 2));
}

TEST(Linearizability, VersionsPinTheOrderOfConcurrentWrites) {
  HistoryBuilder b;
  b.Write(1, 1, 0, 100, Result::kOk, 2);  // setData said version 2: it went second
  b.Write(2, 2, 10, 90, Result::kOk, 1);
  int final_read = b.Read(3, 2, 200, 210, 2, true);
  CheckResult r = Check(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), final_read);
  EXPECT_NE(p->text.find("could only be 1 at version 2"), std::string::npos) << p->text;
}

TEST(Linearizability, InfoWriteThatHappened_Valid) {
  // The write's client timed out; a later cas shows it took effect, after its info completion.
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kInfo);
  b.Write(2, 6, 20, 30);
  b.Cas(3, 5, 7, 40, 50);
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kValid);
}

TEST(Linearizability, InfoWriteThatNeverHappened_Valid) {
  HistoryBuilder b;
  b.Write(1, 5, 0, -1);  // no completion at all
  b.Write(2, 6, 20, 30, Result::kOk, 1);
  b.Cas(3, 6, 7, 40, 50, Result::kOk, 2);
  b.Read(3, 7, 60, 70, 2, true);
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kValid);
}

TEST(Linearizability, InfoWriteTakesAVersionGap) {
  // Versions 1 and 3 are ok writes; only the info write can have made version 2.
  HistoryBuilder b;
  b.Write(1, 1, 0, 10, Result::kOk, 1);
  b.Write(2, 2, 5, -1);
  b.Cas(3, 2, 3, 20, 30, Result::kOk, 3);
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kValid);
}

TEST(Linearizability, FailOpsNeverHappened) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kFail);
  b.Cas(2, 0, 1, 20, 30);  // the register still holds its initial 0
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kValid);

  HistoryBuilder c;
  c.Write(1, 5, 0, 10, Result::kFail);
  int cas = c.Cas(2, 5, 1, 20, 30);  // only a failed write wrote 5
  CheckResult r = Check(c.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  EXPECT_TRUE(Names(FindProblem(r, "not-linearizable"), cas));
}

TEST(Linearizability, LostWrite_FinalReadMissesAnAcknowledgedWrite) {
  HistoryBuilder b;
  b.Write(1, 1, 0, 10, Result::kOk, 1);
  int lost = b.Write(2, 5, 20, 30, Result::kOk, 2);
  int final_read = b.Read(3, 1, 100, 110, 1, true);  // after the heal: 5 is gone
  CheckResult r = Check(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), final_read);
  EXPECT_TRUE(Names(p, lost)) << p->text;
  EXPECT_NE(p->text.find("it needs the register at version 1, but ok write 5 by process 2 [line "
                         "4], which completed before it began, had left it at version 2"),
            std::string::npos)
      << p->text;

  HistoryBuilder without_versions;  // values alone find it too, at the final read
  without_versions.Write(1, 1, 0, 10);
  int lost2 = without_versions.Write(2, 5, 20, 30);
  int final_read2 = without_versions.Read(3, 1, 100, 110, kNoVersion, true);
  std::optional<Problem> q = FindProblem(Check(without_versions.Build()), "not-linearizable");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->ops.front(), final_read2);
  EXPECT_TRUE(Names(q, lost2)) << q->text;  // "could only be 5 at version 2 (set by ...)"
  EXPECT_NE(q->text.find("(set by ok write 5 by process 2"), std::string::npos) << q->text;
}

TEST(Linearizability, LostWrite_WithoutItsVersion_NamesTheReadLeftBehind) {
  // The write's reply carried no Stat; the final read still says it never happened.
  HistoryBuilder b;
  int lost = b.Write(1, 5, 0, 10);
  int final_read = b.Read(2, 0, 20, 30, 0, true);
  std::optional<Problem> p = FindProblem(Check(b.Build()), "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), lost);
  EXPECT_TRUE(Names(p, final_read));
  EXPECT_NE(p->text.find("that would leave behind ok read (final) = 0 by process 2 [line 4], "
                         "which needs the register at version 0"),
            std::string::npos)
      << p->text;
}

TEST(Linearizability, StaleReadsAreFactsAboutVersions) {
  // The write claims version 3, so versions 1 and 2 came first; a stale read saw version 2 hold
  // 9, which only an info write invoked after the write completed could have made.
  HistoryBuilder b;
  int write = b.Write(1, 5, 0, 10, Result::kOk, 3);
  b.Write(3, 8, 1, -1);
  int stale = b.Read(2, 9, 2, 6, 2);
  b.Write(4, 9, 20, -1);
  std::optional<Problem> p = FindProblem(Check(b.Build()), "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), write);
  EXPECT_TRUE(Names(p, stale));
  EXPECT_NE(p->text.find("version 2 was seen as 9 by ok read = 9 by process 2"), std::string::npos)
      << p->text;

  HistoryBuilder in_time;  // the same with the info write invoked before: it took version 2
  in_time.Write(1, 5, 0, 10, Result::kOk, 3);
  in_time.Write(3, 8, 1, -1);
  in_time.Read(2, 9, 2, 6, 2);
  in_time.Write(4, 9, 3, -1);
  EXPECT_EQ(Check(in_time.Build()).outcome, Outcome::kValid);
}

TEST(Linearizability, LostWrite_ItsVersionHandedOutAgain) {
  // The new leader never had write 5 (version 2) and gave version 2 to the next write.
  HistoryBuilder b;
  b.Write(1, 1, 0, 10, Result::kOk, 1);
  int lost = b.Write(2, 5, 20, 30, Result::kOk, 2);
  int again = b.Cas(3, 1, 6, 40, 50, Result::kOk, 2);
  CheckResult r = Check(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), again);
  EXPECT_TRUE(Names(p, lost));
  EXPECT_NE(p->text.find("version 2 is also claimed by ok write 5 by process 2"), std::string::npos)
      << p->text;
}

TEST(Linearizability, CasSucceededTwiceOnOneVersion) {
  // Without versions an info write of 0 between the two would explain it; with them, both cas
  // claim to have replaced version 0, which only one setData can do.
  HistoryBuilder b;
  int first = b.Cas(1, 0, 1, 0, 10, Result::kOk, 1);
  b.Write(3, 0, 1, -1);
  int second = b.Cas(2, 0, 2, 5, 15, Result::kOk, 1);
  CheckResult r = Check(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, first));
  EXPECT_TRUE(Names(p, second));
  EXPECT_NE(p->text.find("version 1 is also claimed by"), std::string::npos) << p->text;

  HistoryBuilder without_versions;
  without_versions.Cas(1, 0, 1, 0, 10);
  without_versions.Write(3, 0, 1, -1);
  without_versions.Cas(2, 0, 2, 5, 15);
  EXPECT_EQ(Check(without_versions.Build()).outcome, Outcome::kValid);
}

TEST(Linearizability, RegistersByPathAreCheckedApart) {
  HistoryBuilder b;
  b.Write(1, 1, 0, 10, Result::kOk, 1);
  b.Last().path = "/a";
  b.Write(2, 1, 0, 10, Result::kOk, 1);  // the same version of another znode: no conflict
  b.Last().path = "/b";
  CheckResult r = Check(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kValid) << r.summary;
  EXPECT_EQ(r.details["registers"].size(), 2u);
}

TEST(Linearizability, SearchBound_GivesUnknownWithWhy) {
  // Twelve overlapping writes, then a cas from 1 and a final read of 1: only an exhaustive
  // search over the writes' orders shows that no order fits.
  HistoryBuilder b;
  for (int i = 0; i < 12; ++i) {
    b.Write(i, i + 1, i, 100 + i);  // no versions
  }
  b.Cas(20, 1, 50, 150, 160);
  b.Read(21, 1, 200, 210, kNoVersion, true);
  CheckResult r = Check(b.Build(), 50);
  EXPECT_EQ(r.outcome, Outcome::kUnknown);
  EXPECT_NE(r.summary.find("gave up"), std::string::npos) << r.summary;
  EXPECT_EQ(Check(b.Build()).outcome, Outcome::kInvalid);  // with room, the answer is found
}

TEST(Linearizability, NeverWrittenValue_FoundWithoutSearching) {
  HistoryBuilder b;
  for (int i = 0; i < 12; ++i) {
    b.Write(i, i + 1, i, 100 + i);
  }
  int cas = b.Cas(20, 99, 50, 150, 160);
  CheckResult r = Check(b.Build(), 50);  // a bound the search could not live with
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "not-linearizable");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), cas);
  EXPECT_NE(p->text.find("no write or cas (ok or info) ever wrote 99"), std::string::npos)
      << p->text;
}

TEST(Linearizability, NoRegisterOps_NotApplicable) {
  HistoryBuilder b;
  b.Read(1, 0, 0, 10);  // a stale-allowed read is not part of the search
  EXPECT_FALSE(Check(b.Build()).applicable);
}

}  // namespace
}  // namespace pc::chaos
