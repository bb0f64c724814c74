// SessionTable: expiry counted in ticks (ceil(timeout / tickTime), at least one), touches, the
// closing flag, and what Advance() reports.
#include "core/sessions.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace zk {
namespace {

using Ids = std::vector<int64_t>;

// Advances `ticks` ticks and returns what the last one reported.
Ids AdvanceBy(SessionTable& t, int ticks) {
  Ids last;
  for (int i = 0; i < ticks; ++i) last = t.Advance();
  return last;
}

TEST(SessionTable, Add_RecordsIdTimeoutAndExpiryTick) {
  SessionTable t(2000);
  Session& s = t.Add(0x42, 5000);
  EXPECT_EQ(s.id, 0x42);
  EXPECT_EQ(s.timeout_ms, 5000);
  EXPECT_EQ(s.expire_tick, 3);  // ceil(5000 / 2000)
  EXPECT_FALSE(s.closing);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.Find(0x42), &s);
  EXPECT_EQ(t.Find(0x43), nullptr);
  EXPECT_EQ(t.tick_ms(), 2000);
}

TEST(SessionTable, Expiry_AfterCeilOfTimeoutOverTickTicks) {
  SessionTable t(2000);
  t.Add(1, 5000);  // 3 ticks
  t.Add(2, 6000);  // exactly 3 ticks
  t.Add(3, 6001);  // 4 ticks
  EXPECT_TRUE(AdvanceBy(t, 2).empty());
  EXPECT_EQ(t.Advance(), (Ids{1, 2}));
  EXPECT_EQ(t.now_tick(), 3);
  t.Remove(1);
  t.Remove(2);
  EXPECT_EQ(t.Advance(), (Ids{3}));
}

TEST(SessionTable, Expiry_TimeoutShorterThanATickStillLastsOneTick) {
  SessionTable t(2000);
  t.Add(1, 0);
  t.Add(2, 1);
  EXPECT_EQ(t.Find(1)->expire_tick, 1);
  EXPECT_EQ(t.Find(2)->expire_tick, 1);
  EXPECT_EQ(t.Advance(), (Ids{1, 2}));
}

TEST(SessionTable, Advance_ReportsExpiredSessionsInIdOrderUntilRemoved) {
  SessionTable t(1000);
  t.Add(30, 1000);
  t.Add(10, 1000);
  t.Add(20, 5000);
  EXPECT_EQ(t.Advance(), (Ids{10, 30}));
  // The table does not drop them itself: the owner closes them (a closeSession txn).
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Advance(), (Ids{10, 30}));
  t.Remove(10);
  EXPECT_EQ(t.Find(10), nullptr);
  EXPECT_EQ(t.Advance(), (Ids{30}));
}

TEST(SessionTable, Touch_PushesExpiryAFullTimeoutFromNow) {
  SessionTable t(1000);
  t.Add(7, 3000);
  AdvanceBy(t, 2);
  t.Touch(7);
  EXPECT_EQ(t.Find(7)->expire_tick, 5);
  EXPECT_TRUE(AdvanceBy(t, 2).empty());  // tick 4
  EXPECT_EQ(t.Advance(), (Ids{7}));      // tick 5
  t.Touch(12345);                        // unknown: nothing happens
  EXPECT_EQ(t.size(), 1u);
}

TEST(SessionTable, Closing_IsNeitherReportedNorKeptAliveByTouches) {
  SessionTable t(1000);
  t.Add(1, 1000).closing = true;
  t.Add(2, 1000);
  EXPECT_EQ(t.Advance(), (Ids{2}));
  int64_t before = t.Find(1)->expire_tick;
  t.Touch(1);
  EXPECT_EQ(t.Find(1)->expire_tick, before);
  EXPECT_TRUE(t.Find(1)->closing);
}

TEST(SessionTable, TickLength_ChangesTheExpiryOfLaterAdds) {
  SessionTable t(2000);
  t.Add(1, 10000);
  t.set_tick_ms(500);
  t.Add(2, 10000);
  EXPECT_EQ(t.Find(1)->expire_tick, 5);
  EXPECT_EQ(t.Find(2)->expire_tick, 20);
  EXPECT_EQ(t.tick_ms(), 500);
}

TEST(SessionTable, Auth_IdsStayWithTheSession) {
  SessionTable t;
  t.Add(9, 4000).auth.push_back(Id{"ip", "127.0.0.1"});
  t.Find(9)->auth.push_back(Id{"digest", "u:h"});
  ASSERT_EQ(t.Find(9)->auth.size(), 2u);
  EXPECT_EQ(t.Find(9)->auth[1], (Id{"digest", "u:h"}));
  EXPECT_EQ(t.all().at(9).auth[0], (Id{"ip", "127.0.0.1"}));
}

}  // namespace
}  // namespace zk
