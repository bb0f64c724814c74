// `top`'s layout (cli/top_frame.h): what fits at which width, the selection mark, the error frame.
#include "cli/top_frame.h"

#include <gtest/gtest.h>

namespace pc::cli {
namespace {

TopFrame ThreeMembers() {
  TopFrame f;
  f.title = "cluster 'default' (zkd), supervisor pid 42";
  f.quorum =
      "quorum: 2 of 3 voters; 3 running; survives 1 more failure; leader node3 epoch 1; ready";
  for (int id = 1; id <= 3; ++id) {
    TopMember m;
    m.id = id;
    m.role = id == 3 ? "leader" : "follower";
    m.process = "running";
    m.pid = 1000 + id;
    m.epoch = 1;
    m.zxid = "0x100000007";
    m.sessions = 2;
    m.ops_per_s = 1234.4;
    m.avg_latency_ms = 0.25;
    m.max_latency_ms = 12;
    m.outstanding = 0;
    m.rss_kb = 6144;
    m.uptime_ms = 65000;
    m.links = "ok";
    f.members.push_back(m);
  }
  f.events = {"   +0.1s  node3    is leader in epoch 1", "   +0.2s  cluster  ready"};
  return f;
}

TEST(TopFrame, WideShowsEveryColumn) {
  const TopLayout l = RenderTop(ThreeMembers(), 200, 8);
  const std::string& header = l.lines[size_t(l.first_member_line) - 1];
  for (const char* title : {"ID", "ROLE", "PID", "EPOCH", "ZXID", "SESS", "OPS/S", "LAT AVG/MAX",
                            "OUT", "RSS", "UP", "LINKS"}) {
    EXPECT_NE(header.find(title), std::string::npos) << title;
  }
  const std::string& leader = l.lines[size_t(l.first_member_line) + 2];
  EXPECT_NE(leader.find("leader"), std::string::npos);
  EXPECT_NE(leader.find("1003"), std::string::npos);
  EXPECT_NE(leader.find("1234"), std::string::npos);
  EXPECT_NE(leader.find("0.2/12"), std::string::npos);
  EXPECT_NE(leader.find("6.0M"), std::string::npos);
  EXPECT_NE(leader.find("1m05s"), std::string::npos);
  EXPECT_EQ(l.lines.back(), "   +0.2s  cluster  ready");
}

TEST(TopFrame, EightyColumnsKeepTheImportantOnes) {
  const TopLayout l = RenderTop(ThreeMembers(), 80, 8);
  for (const std::string& line : l.lines) {
    EXPECT_LE(line.size(), 80u) << line;
  }
  const std::string& header = l.lines[size_t(l.first_member_line) - 1];
  for (const char* title : {"ID", "ROLE", "EPOCH", "ZXID", "OPS/S", "LAT AVG/MAX", "LINKS"}) {
    EXPECT_NE(header.find(title), std::string::npos) << title;
  }
  EXPECT_EQ(header.find("PID"), std::string::npos);  // the least important goes first
}

TEST(TopFrame, NarrowKeepsIdAndRole) {
  const TopLayout l = RenderTop(ThreeMembers(), 20, 0);
  for (const std::string& line : l.lines) {
    EXPECT_LE(line.size(), 20u) << line;
  }
  EXPECT_EQ(l.lines[size_t(l.first_member_line) + 2].substr(0, 11), " 3   leader");
}

TEST(TopFrame, MarksTheSelectedMemberOnly) {
  const TopLayout l = RenderTop(ThreeMembers(), 80, 8, 1);
  EXPECT_EQ(l.lines[size_t(l.first_member_line)][0], ' ');
  EXPECT_EQ(l.lines[size_t(l.first_member_line) + 1][0], '>');
  EXPECT_EQ(l.lines[size_t(l.first_member_line) + 2][0], ' ');
}

TEST(TopFrame, ShowsOnlyTheLastEvents) {
  const TopLayout l = RenderTop(ThreeMembers(), 80, 1);
  EXPECT_EQ(l.lines.back(), "   +0.2s  cluster  ready");
  EXPECT_NE(l.lines[l.lines.size() - 2], "   +0.1s  node3    is leader in epoch 1");
}

TEST(TopFrame, UnknownValuesAreDashes) {
  TopFrame f = ThreeMembers();
  f.members[0] = TopMember{};
  f.members[0].id = 1;
  f.members[0].role = "stopped";
  const TopLayout l = RenderTop(f, 200, 0);
  const std::string& row = l.lines[size_t(l.first_member_line)];
  EXPECT_NE(row.find("stopped"), std::string::npos);
  EXPECT_EQ(row.find_first_of("0123456789", 2), std::string::npos) << row;
}

TEST(TopFrame, ErrorFrameIsOneLine) {
  TopFrame f;
  f.error = "no cluster is running in /tmp/x";
  const TopLayout l = RenderTop(f, 80, 8);
  ASSERT_EQ(l.lines.size(), 1u);
  EXPECT_EQ(l.lines[0], "top: no cluster is running in /tmp/x");
}

}  // namespace
}  // namespace pc::cli
