// What the checker holds ZooKeeper's (possibly stale) reads to: a written value at the version
// its write made, never going back within a session, never older than the session's own write.
#include <gtest/gtest.h>

#include "chaos/read_check.h"
#include "chaos_history_builder.h"

namespace pc::chaos {
namespace {

using testing::FindProblem;
using testing::HistoryBuilder;
using testing::Names;

TEST(ReadCheck, StaleReadOfAnotherSession_Valid) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Read(2, 0, 20, 30, 0);  // a lagging follower: ZooKeeper allows it
  b.Read(2, 5, 40, 50, 1);
  CheckResult r = CheckReads(b.Build());
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.outcome, Outcome::kValid) << r.summary;
}

TEST(ReadCheck, StaleReadAfterTheSessionsOwnWrite) {
  HistoryBuilder b;
  int write = b.Write(1, 5, 0, 10, Result::kOk, 1);
  int read = b.Read(1, 0, 20, 30, 0);
  CheckResult r = CheckReads(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "stale-read-own-write");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), read);
  EXPECT_TRUE(Names(p, write));
}

TEST(ReadCheck, ReadGoingBackWithinASession) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  int first = b.Read(2, 5, 20, 30, 1);
  int second = b.Read(2, 0, 40, 50, 0);
  CheckResult r = CheckReads(b.Build());
  std::optional<Problem> p = FindProblem(r, "read-went-back");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), second);
  EXPECT_TRUE(Names(p, first));
}

TEST(ReadCheck, ReadOfANeverWrittenValue) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  int read = b.Read(2, 42, 20, 30, 2);
  CheckResult r = CheckReads(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  EXPECT_TRUE(Names(FindProblem(r, "read-unwritten"), read));

  HistoryBuilder without_versions;
  without_versions.Write(1, 5, 0, 10);
  int read2 = without_versions.Read(2, 42, 20, 30);
  EXPECT_TRUE(Names(FindProblem(CheckReads(without_versions.Build()), "read-unwritten"), read2));
}

TEST(ReadCheck, ReadWithTheWrongValueForItsVersion) {
  HistoryBuilder b;
  int write = b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Write(2, 7, 0, -1);  // info: it may have made version 2, not 1
  int read = b.Read(3, 7, 20, 30, 1);
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "read-wrong-version");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), read);
  EXPECT_TRUE(Names(p, write));
}

TEST(ReadCheck, InfoWriteExplainsAnUnclaimedVersion) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Write(2, 7, 5, -1);
  b.Read(3, 7, 20, 30, 2);
  EXPECT_EQ(CheckReads(b.Build()).outcome, Outcome::kValid);
}

TEST(ReadCheck, ReadOfAValueOnlyAFailedWriteWrote) {
  HistoryBuilder b;
  int failed = b.Write(1, 5, 0, 10, Result::kFail);
  int read = b.Read(2, 5, 20, 30, 1);
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "read-failed-write");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), read);
  EXPECT_TRUE(Names(p, failed));
}

TEST(ReadCheck, ReadOfAWriteInvokedAfterTheReadEnded) {
  HistoryBuilder b;
  int read = b.Read(2, 5, 0, 10, 1);
  int write = b.Write(1, 5, 20, 30, Result::kOk, 1);
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "read-future");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), read);
  EXPECT_TRUE(Names(p, write));
}

TEST(ReadCheck, SessionWriteBelowAVersionItAlreadySaw) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  b.Write(1, 6, 20, 30, Result::kOk, 2);
  int read = b.Read(2, 6, 40, 50, 2);
  int write = b.Write(2, 7, 60, 70, Result::kOk, 2);  // ordered before what it had read
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "write-went-back");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), write);
  EXPECT_TRUE(Names(p, read));
}

TEST(ReadCheck, CasMustReadTheVersionItClaims) {
  HistoryBuilder b;
  b.Write(1, 5, 0, 10, Result::kOk, 1);
  int cas = b.Cas(2, 5, 6, 20, 30, Result::kOk, 3);
  b.Last().read_value = 5;
  b.Last().read_version = 1;  // setData(version 1) makes version 2, not 3
  EXPECT_TRUE(Names(FindProblem(CheckReads(b.Build()), "cas-read-mismatch"), cas));

  HistoryBuilder c;
  c.Write(1, 5, 0, 10, Result::kOk, 1);
  c.Cas(2, 5, 6, 20, 30, Result::kOk, 2);
  c.Last().read_value = 5;
  c.Last().read_version = 1;
  EXPECT_EQ(CheckReads(c.Build()).outcome, Outcome::kValid);
}

TEST(ReadCheck, TwoReadsOfOneVersionDisagree) {
  // Version 2 came from one of the info writes; it cannot have held both values.
  HistoryBuilder b;
  b.Write(1, 5, 0, -1);
  b.Write(2, 7, 0, -1);
  int first = b.Read(3, 5, 20, 30, 2);
  int second = b.Read(4, 7, 40, 50, 2);
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "reads-disagree");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), second);
  EXPECT_TRUE(Names(p, first));
}

TEST(ReadCheck, CasExpectedValueDisagreesWithARead) {
  // The cas's setData(version 1) succeeded, so version 1 held 5, its expected value.
  HistoryBuilder b;
  b.Write(1, 5, 0, -1);
  b.Write(2, 7, 0, -1);
  int read = b.Read(3, 7, 20, 30, 1);
  int cas = b.Cas(4, 5, 6, 40, 50, Result::kOk, 2);
  std::optional<Problem> p = FindProblem(CheckReads(b.Build()), "reads-disagree");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ops.front(), cas);
  EXPECT_TRUE(Names(p, read));
}

}  // namespace
}  // namespace pc::chaos
