// zkd's side of the event contract: the election fact lines it writes (as the supervisor parses
// them back), and how facts lost on a full pipe are counted and reported.
#include "server/event_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "supervisor/zkd_events.h"

namespace zk {
namespace {

ElectionFact DecisionFact() {
  ElectionFact f;
  f.kind = ElectionFact::Kind::kDecision;
  f.decision.state = PeerState::kLeading;
  f.decision.leader = 3;
  f.decision.zxid = 0x100000008;
  f.decision.election_epoch = 2;
  f.decision.peer_epoch = 1;
  f.decision.by = DecidedBy::kLookingQuorum;
  f.decision.supporters = {{1, PeerState::kLooking}, {3, PeerState::kLooking}};
  f.decision.ticks_taken = 4;
  f.voters = 3;
  return f;
}

TEST(EventWriterFactLine, EachKindAsTheContractSays) {
  ElectionFact n;
  n.kind = ElectionFact::Kind::kNotification;
  n.notification = Notification{2, PeerState::kLooking, 2, 0x0, 1, 0};
  n.my_state = PeerState::kFollowing;
  EXPECT_EQ(EventWriter::FactLine(n, 10),
            R"({"event":"notification","from":2,"state":"LOOKING","leader":2,"zxid":"0x0",)"
            R"("round":1,"peer_epoch":0,"my_state":"FOLLOWING"})"
            "\n");
  ElectionFact v;
  v.kind = ElectionFact::Kind::kVote;
  v.vote = Vote{3, 0x100000008, 2, 1, PeerState::kLooking};
  v.why = VoteChange::kBetterVote;
  v.notification.sid = 3;
  EXPECT_EQ(EventWriter::FactLine(v, 10),
            R"({"event":"vote","leader":3,"zxid":"0x100000008","round":2,"peer_epoch":1,)"
            R"("why":"better_vote","from":3})"
            "\n");
  v.why = VoteChange::kStart;
  EXPECT_EQ(EventWriter::FactLine(v, 10).find("from"), std::string::npos);
  EXPECT_EQ(EventWriter::FactLine(DecisionFact(), 10),
            R"({"event":"decision","state":"LEADING","leader":3,"zxid":"0x100000008",)"
            R"("round":2,"peer_epoch":1,"by":"looking-quorum","supporters":[1,3],"voters":3,)"
            R"("election_ms":40})"
            "\n");
  EXPECT_EQ(EventWriter::VotesDroppedLine(5), "{\"event\":\"votes_dropped\",\"count\":5}\n");
}

TEST(EventWriterFactLine, TheSupervisorReadsBackWhatZkdWrites) {
  std::string line = EventWriter::FactLine(DecisionFact(), 10);
  line.pop_back();  // the newline
  std::string error;
  auto e = pc::ParseZkdEvent(line, &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->fact.kind, pc::VoteFact::Kind::kDecision);
  EXPECT_EQ(e->fact.leader, 3);
  EXPECT_EQ(e->fact.zxid, 0x100000008u);
  EXPECT_EQ(e->fact.round, 2);
  EXPECT_EQ(e->fact.supporters, (std::vector<int>{1, 3}));
  EXPECT_EQ(e->fact.election_ms, 40);
}

TEST(EventWriterStorageLine, TheSupervisorReadsWhatCouldNotBeRecordedAndWhy) {
  std::string line = EventWriter::StorageFailedLine(
      "currentEpoch", "No space left on device",
      "write /d/version-2/currentEpoch.tmp: No space left on device (at offset 0)");
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  std::string error;
  auto e = pc::ParseZkdEvent(line, &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->kind, pc::ZkdEvent::Kind::kStorageFailed);
  EXPECT_EQ(e->what, "currentEpoch");
  EXPECT_EQ(e->error, "No space left on device");
  // A very long detail is cut so that the line still fits a pipe write whole.
  EXPECT_LE(EventWriter::StorageFailedLine("a snapshot", "x", std::string(5000, 'p')).size(),
            1024u);
  auto back = pc::ParseZkdEvent("{\"event\":\"storage_recovered\"}", &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->kind, pc::ZkdEvent::Kind::kStorageRecovered);
}

std::vector<std::string> ReadAll(int fd) {
  std::string data;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) data.append(buf, n);
  std::vector<std::string> lines;
  for (size_t start = 0, nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(data.substr(start, nl - start));
  }
  return lines;
}

TEST(EventWriter, FactsFillHalfThePipeAndEveryOneLostIsCounted) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  const int capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
  ASSERT_GT(capacity, 0);
  EventWriter writer(fds[1]);
  // Nobody reads: facts go in until half of the pipe is taken, then they are counted instead.
  int written = 0;
  for (; written < 100000 && writer.facts_dropped() < 3; ++written) {
    writer.Fact(DecisionFact(), 10);
  }
  ASSERT_EQ(writer.facts_dropped(), 3);
  int queued = 0;
  ASSERT_EQ(::ioctl(fds[1], FIONREAD, &queued), 0);
  EXPECT_LE(queued, capacity / 2 + 200);
  writer.FactsDropped(2);  // and some the election dropped itself
  // A state line still gets through, with the count ahead of it.
  writer.State("LEADING", 2, 0x200000000, 40);
  EXPECT_EQ(writer.facts_dropped(), 0);
  std::vector<std::string> lines = ReadAll(fds[0]);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], R"({"event":"votes_dropped","count":5})");
  std::string state = EventWriter::StateLine("LEADING", 2, 0x200000000, 40);
  state.pop_back();  // the newline
  EXPECT_EQ(lines.back(), state);
  // Nothing went missing without a count.
  int64_t decisions = 0, counted = 0;
  for (const std::string& l : lines) {
    auto e = pc::ParseZkdEvent(l, nullptr);
    ASSERT_TRUE(e) << l;
    if (e->kind != pc::ZkdEvent::Kind::kVoteFact) continue;
    if (e->fact.kind == pc::VoteFact::Kind::kDecision) ++decisions;
    if (e->fact.kind == pc::VoteFact::Kind::kDropped) counted += e->fact.count;
  }
  EXPECT_EQ(decisions + counted, written + 2);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace zk
