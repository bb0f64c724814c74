// The session workload's checker: ephemerals live exactly as long as their sessions, and every
// watch fires at most once, for a change that happened.
#include <gtest/gtest.h>

#include "chaos/session_check.h"
#include "chaos_history_builder.h"

namespace pc::chaos {
namespace {

using testing::FindProblem;
using testing::HistoryBuilder;
using testing::Names;

const std::string kDir = "/chaos/eph";

TEST(SessionCheck, EphemeralGoneAfterItsSessionExpired_Valid) {
  HistoryBuilder b;
  b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  b.Create(2, kDir + "/e2", kDir + "/e2", 0, 10, Result::kOk, true);
  b.Exists(2, kDir + "/e1", true, 20, 30);
  b.Expired(1, 500);
  b.Exists(2, kDir + "/e1", false, 600, 610);
  b.Write(2, 1, 700, 710);  // session 2 lives on, and keeps e2
  b.Last().path = kDir + "/e2";
  b.Final(1, kDir, {"e2"}, 1000, {{"e2", "s2"}});
  b.Write(2, 2, 1100, 1110);
  b.Last().path = kDir + "/e2";
  CheckResult r = CheckSessions(b.Build());
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.outcome, Outcome::kValid) << (r.problems.empty() ? r.summary : r.problems[0].text);
}

TEST(SessionCheck, EphemeralGoneWhileItsSessionLives) {
  HistoryBuilder b;
  int create = b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  b.Final(1, kDir, {}, 1000);
  int alive = b.Write(1, 1, 1100, 1110);  // the final touch: session 1 was alive after the listing
  b.Last().path = kDir + "/touch";
  CheckResult r = CheckSessions(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  std::optional<Problem> p = FindProblem(r, "ephemeral-lost");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, create));
  EXPECT_TRUE(Names(p, alive));
}

TEST(SessionCheck, EphemeralSeenGoneByAnotherSessionThenOwnerWrites) {
  HistoryBuilder b;
  int create = b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  b.Exists(2, kDir + "/e1", true, 20, 30);
  int gone = b.Exists(2, kDir + "/e1", false, 40, 50);
  b.Write(1, 1, 60, 70);
  b.Last().path = kDir + "/touch";
  std::optional<Problem> p = FindProblem(CheckSessions(b.Build()), "ephemeral-lost");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, create));
  EXPECT_TRUE(Names(p, gone));
}

TEST(SessionCheck, EphemeralDeletedByAClient_Valid) {
  HistoryBuilder b;
  b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  b.Delete(2, kDir + "/e1", 20, 30);
  b.Final(1, kDir, {}, 1000);
  b.Write(1, 1, 1100, 1110);
  b.Last().path = kDir + "/touch";
  EXPECT_EQ(CheckSessions(b.Build()).outcome, Outcome::kValid);
}

TEST(SessionCheck, SilentOwnerMayHaveExpiredUnseen_Valid) {
  HistoryBuilder b;
  b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  b.Final(1, kDir, {}, 1000);  // no write by session 1 after it: it may have expired
  EXPECT_EQ(CheckSessions(b.Build()).outcome, Outcome::kValid);
}

TEST(SessionCheck, EphemeralOutlivesItsClosedSession) {
  HistoryBuilder b;
  b.Create(1, kDir + "/e1", kDir + "/e1", 0, 10, Result::kOk, true);
  int close = b.Close(1, 20, 30);
  b.Final(2, kDir, {"e1"}, 1000, {{"e1", "s1"}});
  std::optional<Problem> p = FindProblem(CheckSessions(b.Build()), "ephemeral-outlived-close");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Names(p, close));
}

TEST(SessionCheck, WatchFiresOnceForARealChange_Valid) {
  HistoryBuilder b;
  b.Watch(1, "/chaos/w", "data", 3, 0, 10);
  b.Write(2, 7, 20, 30, Result::kOk, 4);
  b.Last().path = "/chaos/w";
  b.Notify(1, "/chaos/w", "NodeDataChanged", 35);
  b.Watch(1, "/chaos/w", "data", 4, 40, 50);  // set again: may fire again
  b.Write(2, 8, 60, 70, Result::kInfo);
  b.Last().path = "/chaos/w";
  b.Notify(1, "/chaos/w", "NodeDataChanged", 75);
  CheckResult r = CheckSessions(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kValid) << (r.problems.empty() ? r.summary : r.problems[0].text);
}

TEST(SessionCheck, WatchFiredTwice) {
  HistoryBuilder b;
  int watch = b.Watch(1, "/chaos/w", "data", 3, 0, 10);
  b.Write(2, 7, 20, 30, Result::kOk, 4);
  b.Last().path = "/chaos/w";
  b.Write(2, 8, 40, 50, Result::kOk, 5);
  b.Last().path = "/chaos/w";
  b.Notify(1, "/chaos/w", "NodeDataChanged", 35);
  b.Notify(1, "/chaos/w", "NodeDataChanged", 55);
  CheckResult r = CheckSessions(b.Build());
  EXPECT_EQ(r.outcome, Outcome::kInvalid);
  EXPECT_TRUE(Names(FindProblem(r, "watch-fired-twice"), watch));
}

TEST(SessionCheck, WatchFiredWithoutAChange) {
  HistoryBuilder b;
  b.Watch(1, "/chaos/w", "data", 3, 0, 10);
  b.Write(2, 7, 20, 30, Result::kOk, 3);  // not newer than what the watch saw
  b.Last().path = "/chaos/w";
  b.Notify(1, "/chaos/w", "NodeDataChanged", 35);
  EXPECT_TRUE(FindProblem(CheckSessions(b.Build()), "watch-without-change").has_value());
}

TEST(SessionCheck, NotificationWithNoWatchSet) {
  HistoryBuilder b;
  b.Watch(1, "/chaos/w", "child", -1, 0, 10);  // a child watch cannot fire NodeDataChanged
  b.Notify(1, "/chaos/w", "NodeDataChanged", 35);
  EXPECT_TRUE(FindProblem(CheckSessions(b.Build()), "watch-never-set").has_value());
}

TEST(SessionCheck, NothingToCheck_NotApplicable) {
  HistoryBuilder b;
  b.Write(1, 1, 0, 10);
  EXPECT_FALSE(CheckSessions(b.Build()).applicable);
}

}  // namespace
}  // namespace pc::chaos
