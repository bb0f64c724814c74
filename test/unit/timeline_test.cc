// The supervisor's timeline: how one event renders and its JSON round trip.
#include "supervisor/timeline.h"

#include <gtest/gtest.h>

namespace pc {
namespace {

TEST(RenderEvent, RelativeTimeNodeAndText) {
  Event e;
  e.t_ms = 12345;
  e.node = 2;
  e.text = "killed by SIGKILL";
  EXPECT_EQ(RenderEvent(e, false), "  +12.345s  node2    killed by SIGKILL");
  Event back = EventFromJson(EventToJson(e));
  EXPECT_EQ(back.t_ms, 12345);
  EXPECT_EQ(back.text, e.text);
}

}  // namespace
}  // namespace pc
