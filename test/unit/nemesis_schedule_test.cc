// The chaos run's nemesis schedule (loadgen/chaos_nemesis.h): drawn from the seed alone.
#include <gtest/gtest.h>

#include <set>

#include "loadgen/chaos_nemesis.h"

namespace pc::loadgen {
namespace {

std::vector<std::string> Describe(const std::vector<Fault>& faults) {
  std::vector<std::string> out;
  for (const Fault& f : faults) {
    out.push_back(std::to_string(f.start_ms) + "-" + std::to_string(f.end_ms) + " " + f.Describe());
  }
  return out;
}

TEST(NemesisSchedule, SameSeedSameScheduleOtherSeedAnother) {
  const auto kinds = NemesisKinds();
  const auto a = Describe(NemesisSchedule(42, kinds, 5000, 600000, 5));
  EXPECT_EQ(a, Describe(NemesisSchedule(42, kinds, 5000, 600000, 5)));
  EXPECT_NE(a, Describe(NemesisSchedule(43, kinds, 5000, 600000, 5)));
}

TEST(NemesisSchedule, OneFaultPerIntervalForHalfOfItEveryKindEachRound) {
  const std::vector<std::string> kinds = {"kill", "partition", "pause"};
  const auto faults = NemesisSchedule(7, kinds, 4000, 20000, 5);
  ASSERT_EQ(faults.size(), 5u);  // at 2, 6, 10, 14, 18 s
  for (size_t i = 0; i < faults.size(); ++i) {
    EXPECT_EQ(faults[i].start_ms, 2000 + 4000 * static_cast<int64_t>(i));
    EXPECT_EQ(faults[i].end_ms, faults[i].start_ms + 2000);
    EXPECT_GE(faults[i].member, 1);
    EXPECT_LE(faults[i].member, 5);
  }
  std::set<std::string> first_round = {faults[0].kind, faults[1].kind, faults[2].kind};
  EXPECT_EQ(first_round, std::set<std::string>(kinds.begin(), kinds.end()));
}

TEST(NemesisSchedule, PartitionsSplitEveryMemberIntoMinorityAndMajority) {
  for (const Fault& f : NemesisSchedule(3, {"partition"}, 1000, 50000, 5)) {
    ASSERT_EQ(f.groups.size(), 2u);
    EXPECT_EQ(f.groups[0].size(), 2u);
    EXPECT_EQ(f.groups[1].size(), 3u);
    std::set<int> all(f.groups[0].begin(), f.groups[0].end());
    all.insert(f.groups[1].begin(), f.groups[1].end());
    EXPECT_EQ(all, (std::set<int>{1, 2, 3, 4, 5}));
  }
}

}  // namespace
}  // namespace pc::loadgen
