#include "proto/jute.h"

#include <gtest/gtest.h>

#include "proto/records.h"

namespace zk {
namespace {

TEST(Jute, IntsAndLongsAreBigEndian) {
  JuteWriter w;
  w.Int(0x01020304);
  w.Long(-2);
  ASSERT_EQ(w.size(), 12u);
  EXPECT_EQ(w.data().substr(0, 4), std::string("\x01\x02\x03\x04", 4));
  JuteReader r(w.data());
  EXPECT_EQ(r.Int(), 0x01020304);
  EXPECT_EQ(r.Long(), -2);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.AtEnd());
}

TEST(Jute, NullBufferReadsAsEmptyAndReportsNull) {
  JuteWriter w;
  w.NullBuffer();
  JuteReader r(w.data());
  bool is_null = false;
  EXPECT_EQ(r.Buffer(&is_null), "");
  EXPECT_TRUE(is_null);
  EXPECT_TRUE(r.ok());
}

TEST(Jute, ShortInputFailsStickily) {
  std::string bytes("\x00\x00\x00\x10" "abc", 7);  // claims 16 bytes, has 3
  JuteReader r(bytes);
  EXPECT_EQ(r.Buffer(), "");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Int(), 0);
  EXPECT_FALSE(r.ok());
}

TEST(Jute, HugeVectorCountIsRefusedWithoutAllocating) {
  JuteWriter w;
  w.Int(0x7fffffff);
  JuteReader r(w.data());
  EXPECT_TRUE(r.StringVector().empty());
  EXPECT_FALSE(r.ok());
}

TEST(Records, ConnectRequestOf45BytesHasReadOnlyFlag) {
  ConnectRequest req;
  req.timeout_ms = 30000;
  req.passwd.assign(16, '\0');
  req.has_read_only = true;
  JuteWriter w;
  req.Write(w);
  EXPECT_EQ(w.size(), 45u);
  ConnectRequest back;
  JuteReader r(w.data());
  ASSERT_TRUE(back.Read(r));
  EXPECT_TRUE(back.has_read_only);
  EXPECT_EQ(back.timeout_ms, 30000);
}

TEST(Records, ConnectRequestWithoutTrailingByteIsAnOldClient) {
  ConnectRequest req;
  req.passwd.assign(16, '\0');
  req.has_read_only = false;
  JuteWriter w;
  req.Write(w);
  ConnectRequest back;
  JuteReader r(w.data());
  ASSERT_TRUE(back.Read(r));
  EXPECT_FALSE(back.has_read_only);
}

TEST(Records, StatRoundTripsIn68Bytes) {
  Stat s;
  s.czxid = 5;
  s.pzxid = 9;
  s.num_children = 3;
  JuteWriter w;
  s.Write(w);
  EXPECT_EQ(w.size(), 68u);
  Stat back;
  JuteReader r(w.data());
  ASSERT_TRUE(back.Read(r));
  EXPECT_EQ(back, s);
}

}  // namespace
}  // namespace zk
