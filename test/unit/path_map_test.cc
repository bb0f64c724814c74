// PathMap against std::unordered_map under random inserts, finds and erases (the erase's
// backward shift is where an open-addressing table goes wrong), plus address stability.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

#include "tree/path_map.h"

namespace zk {
namespace {

TEST(PathMapTest, RandomOpsAgreeWithUnorderedMap_EntriesKeepTheirAddress) {
  std::mt19937 rng(7);
  PathMap<int> map;
  std::unordered_map<std::string, int> model;
  std::unordered_map<std::string, const int*> addresses;
  // A small key space so that inserts, hits, misses and erases all happen often, with long
  // probe runs as the table fills and empties.
  std::uniform_int_distribution<int> key(0, 3000);
  std::uniform_int_distribution<int> op(0, 9);
  for (int step = 0; step < 200000; ++step) {
    std::string path = "/p/n" + std::to_string(key(rng));
    int o = op(rng);
    if (o < 4) {
      auto [value, inserted] = map.Emplace(path, step);
      bool model_inserted = model.emplace(path, step).second;
      ASSERT_EQ(inserted, model_inserted) << path;
      ASSERT_EQ(*value, model.at(path));
      if (inserted) addresses[path] = value;
      ASSERT_EQ(value, addresses.at(path)) << "an entry moved";
    } else if (o < 7) {
      ASSERT_EQ(map.Erase(path), model.erase(path) == 1) << path;
      addresses.erase(path);
    } else {
      const int* found = map.Find(path);
      auto it = model.find(path);
      ASSERT_EQ(found != nullptr, it != model.end()) << path;
      if (found) {
        ASSERT_EQ(*found, it->second);
        ASSERT_EQ(found, addresses.at(path));
      }
    }
    ASSERT_EQ(map.size(), model.size());
  }
  for (const auto& [path, value] : model) ASSERT_EQ(*map.Find(path), value) << path;
}

TEST(PathMapTest, GrowsPastAMillionAndMovesWithItsEntries) {
  PathMap<int> map;
  map.Reserve(10);
  for (int i = 0; i < 1100000; ++i) ASSERT_TRUE(map.Emplace("/n" + std::to_string(i), i).second);
  const int* some = map.Find("/n123456");
  ASSERT_NE(some, nullptr);
  PathMap<int> moved = std::move(map);
  EXPECT_EQ(moved.size(), 1100000u);
  EXPECT_EQ(moved.Find("/n123456"), some);
  EXPECT_EQ(*moved.Find("/n1099999"), 1099999);
  EXPECT_EQ(moved.Find("/n1100000"), nullptr);
  EXPECT_FALSE(moved.Emplace("/n5", -1).second);
  EXPECT_EQ(*moved.Find("/n5"), 5);
  EXPECT_EQ(map.Find("/n5"), nullptr);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace zk
