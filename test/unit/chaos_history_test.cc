// history.jsonl: invokes paired with completions, the other records, clear errors on bad input,
// and a round trip through HistoryToJsonl.
#include <gtest/gtest.h>

#include "chaos/history.h"
#include "chaos_register_sim.h"

namespace pc::chaos {
namespace {

History Parse(const std::string& text) {
  History h;
  std::string error;
  EXPECT_TRUE(ParseHistory(text, &h, &error)) << error;
  return h;
}

std::string ParseError(const std::string& text) {
  History h;
  std::string error;
  EXPECT_FALSE(ParseHistory(text, &h, &error));
  return error;
}

TEST(ChaosHistory, PairsInvokesWithCompletions) {
  History h = Parse(R"({"type":"setup","workload":"register","initial":3,"initial_version":1}
{"type":"invoke","process":1,"session":"0x1a","op":"write","value":7,"time":100}
{"type":"invoke","process":2,"session":"0x2b","op":"cas","value":[3,4],"time":150}
{"type":"ok","process":1,"op":"write","version":2,"time":200}

{"type":"fail","process":2,"read":[7,2],"error":"BADVERSION","time":250}
{"type":"invoke","process":1,"session":"0x1a","op":"read","time":300}
{"type":"ok","process":1,"value":7,"version":2,"time":310}
{"type":"invoke","process":3,"session":12345,"op":"write","value":9,"time":400}
)");
  EXPECT_EQ(h.setup.initial_value, 3);
  EXPECT_EQ(h.setup.initial_version, 1);
  ASSERT_EQ(h.ops.size(), 4u);
  const Op& write = h.ops[0];
  EXPECT_EQ(write.kind, OpKind::kWrite);
  EXPECT_TRUE(write.ok());
  EXPECT_EQ(write.version, 2);
  EXPECT_EQ(write.invoke_line, 2);
  EXPECT_EQ(write.complete_line, 4);
  const Op& cas = h.ops[1];
  EXPECT_TRUE(cas.fail());
  EXPECT_EQ(cas.from, 3);
  EXPECT_EQ(cas.value, 4);
  EXPECT_EQ(cas.read_value, 7);
  EXPECT_EQ(cas.read_version, 2);
  EXPECT_EQ(cas.error, "BADVERSION");
  EXPECT_EQ(cas.complete_line, 6);  // the blank line still counts
  EXPECT_EQ(h.ops[2].value, 7);
  const Op& hanging = h.ops[3];
  EXPECT_TRUE(hanging.info()) << "an invoke without completion is info";
  EXPECT_EQ(hanging.complete_ns, kNever);
  EXPECT_EQ(hanging.session, "0x3039") << "an integer session id is kept as hex";
}

TEST(ChaosHistory, OtherRecords) {
  History h = Parse(
      R"({"type":"notify","process":1,"session":"s1","path":"/w","event":"NodeDeleted","time":5}
{"type":"session","process":1,"session":"s1","state":"expired","time":6}
{"type":"final","member":2,"path":"/s","children":["a","b"],"owners":{"a":"s1"},"time":7}
{"type":"member","member":2,"last_zxid":"0x300000012","digest":"abc","time":8}
{"type":"leader","member":3,"epoch":4,"time":9}
)");
  ASSERT_EQ(h.notifications.size(), 1u);
  EXPECT_EQ(h.notifications[0].event, "NodeDeleted");
  ASSERT_EQ(h.session_ends.size(), 1u);
  ASSERT_EQ(h.listings.size(), 1u);
  EXPECT_EQ(h.listings[0].children.size(), 2u);
  EXPECT_EQ(h.listings[0].owners.at("a"), "s1");
  ASSERT_EQ(h.members.size(), 1u);
  EXPECT_EQ(h.members[0].last_zxid, 0x300000012);
  ASSERT_EQ(h.leaders.size(), 1u);
  EXPECT_EQ(h.leaders[0].epoch, 4);
}

TEST(ChaosHistory, ErrorsNameLineAndField) {
  EXPECT_EQ(ParseError("{\"type\":\"invoke\",\"process\":\"x\",\"op\":\"write\",\"time\":1}\n"),
            "line 1: field 'process': must be an integer (got \"x\")");
  EXPECT_EQ(ParseError("\n{\"type\":\"invoke\",\"process\":1,\"op\":\"write\",\"time\":1}\n"),
            "line 2: field 'value': missing");
  EXPECT_EQ(ParseError("not json\n"), "line 1: not a JSON object");
  EXPECT_EQ(ParseError("{\"type\":\"ok\",\"process\":4,\"time\":1}\n"),
            "line 1: 'ok' for process 4, which has no outstanding invoke");
  EXPECT_EQ(ParseError(R"({"type":"invoke","process":1,"op":"read","time":1}
{"type":"invoke","process":1,"op":"read","time":2}
)"),
            "line 2: process 1 invokes again while its invoke on line 1 has no completion (one op "
            "at a time per process)");
  EXPECT_EQ(ParseError(R"({"type":"invoke","process":1,"op":"read","time":5}
{"type":"ok","process":1,"value":1,"time":4}
)"),
            "line 2: field 'time': the completion is earlier than its invoke on line 1");
  EXPECT_EQ(ParseError(R"({"type":"invoke","process":1,"op":"read","time":5}
{"type":"ok","process":1,"op":"write","value":1,"time":6}
)"),
            "line 2: field 'op': \"write\" completes the read invoked on line 1");
  EXPECT_EQ(ParseError("{\"type\":\"invoke\",\"process\":1,\"op\":\"fly\",\"time\":1}\n")
                .rfind("line 1: field 'op': unknown op \"fly\"", 0),
            0u);
  EXPECT_EQ(ParseError("{\"type\":\"weird\"}\n").rfind("line 1: field 'type': unknown type", 0),
            0u);
  EXPECT_EQ(ParseError(R"({"type":"invoke","process":1,"op":"cas","value":[1],"time":1})"),
            "line 1: field 'value': must be a pair of integers [a, b] (got [1])");
  EXPECT_EQ(ParseError(R"({"type":"member","member":1,"last_zxid":"0xzz","time":1})"),
            "line 1: field 'last_zxid': must be an integer or a hex string like \"0x100000003\" "
            "(got \"0xzz\")");
}

TEST(ChaosHistory, RoundTripThroughJsonl) {
  testing::RegisterSimOptions options;
  options.ops = 300;
  options.info_chance = 0.1;
  History h = testing::SimulateRegister(7, options);
  std::string jsonl = HistoryToJsonl(h);
  History back = Parse(jsonl);
  ASSERT_EQ(back.ops.size(), h.ops.size());
  for (size_t i = 0; i < h.ops.size(); ++i) {
    const Op& a = h.ops[i];
    const Op& b = back.ops[i];
    EXPECT_EQ(OpJson(a).dump().size() > 0, true);
    EXPECT_EQ(a.process, b.process);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.result, b.result) << i;
    EXPECT_EQ(a.invoke_ns, b.invoke_ns);
    EXPECT_EQ(a.complete_ns, b.complete_ns);
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.read_value, b.read_value);
  }
  EXPECT_EQ(HistoryToJsonl(back), jsonl);
}

TEST(ChaosHistory, DescribeOp) {
  History h = Parse(
      R"({"type":"invoke","process":2,"session":"0x1a","op":"cas","value":[3,4],"time":1200000000}
{"type":"ok","process":2,"version":5,"read":[3,4],"time":1250000000}
)");
  EXPECT_EQ(DescribeOp(h.ops[0]),
            "ok cas 3->4 by process 2 (session 0x1a) 1.200000s-1.250000s, version 5, read 3 at "
            "version 4 [line 1/2]");
  EXPECT_EQ(ShortOp(h.ops[0]), "ok cas 3->4 by process 2 [line 1]");
}

}  // namespace
}  // namespace pc::chaos
