#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "storage/disk.h"
#include "storage/epoch_file.h"
#include "storage_test_support.h"

namespace zk::storage {
namespace {

using testing::TempDir;

TEST(EpochFileTest, Missing_YieldsTheCallersDefault) {
  TempDir dir;
  int64_t v = 0;
  ASSERT_TRUE(ReadEpoch(dir.path(), kAcceptedEpochFile, 7, &v).ok());
  EXPECT_EQ(v, 7);
}

TEST(EpochFileTest, Write_IsDecimalWithoutNewline_AndReadsBack_NoTempLeft) {
  TempDir dir;
  ASSERT_TRUE(WriteEpoch(dir.path(), kCurrentEpochFile, 12).ok());
  ASSERT_TRUE(WriteEpoch(dir.path(), kCurrentEpochFile, 4294967296).ok());
  std::string text;
  ASSERT_TRUE(ReadFile(VersionDir(dir.path()) + "/currentEpoch", &text).ok());
  EXPECT_EQ(text, "4294967296");
  int64_t v = 0;
  ASSERT_TRUE(ReadEpoch(dir.path(), kCurrentEpochFile, 0, &v).ok());
  EXPECT_EQ(v, 4294967296);
  struct stat st;
  EXPECT_NE(::stat((VersionDir(dir.path()) + "/currentEpoch.tmp").c_str(), &st), 0);
}

TEST(EpochFileTest, TrailingNewline_IsAccepted) {
  TempDir dir;
  ASSERT_TRUE(EnsureDir(VersionDir(dir.path())).ok());
  { std::ofstream(VersionDir(dir.path()) + "/acceptedEpoch") << "5\n"; }
  int64_t v = 0;
  ASSERT_TRUE(ReadEpoch(dir.path(), kAcceptedEpochFile, 0, &v).ok());
  EXPECT_EQ(v, 5);
}

TEST(EpochFileTest, Garbage_IsAnErrorNamingTheFile) {
  TempDir dir;
  ASSERT_TRUE(EnsureDir(VersionDir(dir.path())).ok());
  std::string path = VersionDir(dir.path()) + "/acceptedEpoch";
  for (const char* bad : {"", "12abc", "abc", " 3", "99999999999999999999999"}) {
    { std::ofstream(path, std::ios::trunc) << bad; }
    int64_t v = 0;
    Status s = ReadEpoch(dir.path(), kAcceptedEpochFile, 0, &v);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  }
}

TEST(EpochFileTest, LeftoverTempFromACrash_DoesNotChangeTheValue) {
  TempDir dir;
  ASSERT_TRUE(WriteEpoch(dir.path(), kAcceptedEpochFile, 3).ok());
  { std::ofstream(VersionDir(dir.path()) + "/acceptedEpoch.tmp") << "4"; }
  int64_t v = 0;
  ASSERT_TRUE(ReadEpoch(dir.path(), kAcceptedEpochFile, 0, &v).ok());
  EXPECT_EQ(v, 3);
  ASSERT_TRUE(WriteEpoch(dir.path(), kAcceptedEpochFile, 4).ok());
  ASSERT_TRUE(ReadEpoch(dir.path(), kAcceptedEpochFile, 0, &v).ok());
  EXPECT_EQ(v, 4);
}

}  // namespace
}  // namespace zk::storage
