// ChildMap against std::map under random inserts, finds and erases, so chunks split, empty and
// shrink; and appends in order (sequential creates), which must fill chunks rather than split.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tree/child_map.h"

namespace zk {
namespace {

using Model = std::map<std::string, int, std::less<>>;

// Walks both in order, and from every name's upper_bound, and checks they agree.
void ExpectSame(const ChildMap<int>& map, const Model& model) {
  ASSERT_EQ(map.size(), model.size());
  ASSERT_EQ(map.empty(), model.empty());
  auto m = model.begin();
  for (const auto& [name, value] : map) {
    ASSERT_NE(m, model.end());
    ASSERT_EQ(name, m->first);
    ASSERT_EQ(value, m->second);
    auto up = map.upper_bound(name);
    auto model_up = std::next(m);
    ASSERT_EQ(up == map.end(), model_up == model.end()) << name;
    if (model_up != model.end()) ASSERT_EQ(up->first, model_up->first);
    ++m;
  }
  ASSERT_EQ(m, model.end());
  if (!model.empty()) ASSERT_EQ(map.back().first, model.rbegin()->first);
}

std::string Name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "n-%010d", i);
  return buf;
}

TEST(ChildMapTest, RandomOpsAgreeWithStdMap) {
  std::mt19937 rng(11);
  ChildMap<int> map;
  Model model;
  // Enough keys for many chunks of ChildMap::kChunkMax, few enough that hits, misses, splits
  // and chunks emptied by erases all happen often.
  std::uniform_int_distribution<int> key(0, 2000);
  std::uniform_int_distribution<int> op(0, 9);
  for (int step = 0; step < 100000; ++step) {
    std::string name = Name(key(rng));
    int o = op(rng);
    if (o < 4) {
      ASSERT_EQ(map.emplace(name, step), model.emplace(name, step).second) << name;
    } else if (o < 5) {
      map.insert_or_assign(name, step);
      model.insert_or_assign(name, step);
    } else if (o < 8) {
      ASSERT_EQ(map.erase(name), model.erase(name)) << name;
    } else {
      auto it = map.find(name);
      auto m = model.find(name);
      ASSERT_EQ(it == map.end(), m == model.end()) << name;
      if (m != model.end()) ASSERT_EQ(it->second, m->second);
      ASSERT_EQ(map.count(name), model.count(name));
    }
    if (step % 5000 == 0) ExpectSame(map, model);
  }
  ExpectSame(map, model);
  while (!map.empty()) map.erase(map.begin());  // empties every chunk from the front
  EXPECT_EQ(map.begin(), map.end());
}

TEST(ChildMapTest, AppendsInOrderThenInsertsBetween) {
  ChildMap<int> map;
  Model model;
  for (int i = 0; i < 1000; i += 2) {
    map.emplace(Name(i), i);
    model.emplace(Name(i), i);
  }
  for (int i = 999; i > 0; i -= 2) {  // every odd name lands inside a full chunk
    map.emplace(Name(i), i);
    model.emplace(Name(i), i);
  }
  ExpectSame(map, model);
  EXPECT_EQ(map.at(Name(501)), 501);
  EXPECT_THROW(map.at("missing"), std::out_of_range);
  EXPECT_EQ(map.upper_bound("a"), map.begin());
  EXPECT_EQ(map.upper_bound(Name(999)), map.end());
}

}  // namespace
}  // namespace zk
