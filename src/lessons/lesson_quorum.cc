// quorum-math and quorum-loss: what "more than half of the voters" means on real processes.
#include "lessons/lessons.h"
#include "lessons/zk_session.h"

namespace pc::lessons {

namespace {

// Checks the quorum the supervisor computes for `voters` voters: more than half.
void CheckQuorumSize(LessonRun& r, int voters) {
  const int want = voters / 2 + 1;
  const int saw = r.Status()["cluster"].value("quorum_size", 0);
  const std::string v = std::to_string(voters);
  r.Check(saw == want, r.Fact("quorum", {{"n", std::to_string(want)}, {"voters", v}}),
          r.Fact("quorum", {{"n", std::to_string(saw)}, {"voters", v}}));
}

// Kills one follower and checks that the rest still serves (`survives`) or stops serving.
void KillFollower(LessonRun& r, bool survives, const std::string& path) {
  r.MustPc({"kill", "follower"});
  const std::vector<int> running = r.Running();
  if (survives) {
    r.WaitLeader();
    r.CheckWrite(running, path, true);
  } else {
    r.CheckNotServing(running);
    r.CheckWrite(running, path, false);
  }
}

}  // namespace

void QuorumMath(LessonRun& r) {
  r.Step("three");
  r.Up(3);
  CheckQuorumSize(r, 3);

  r.Step("three_lose_one");
  KillFollower(r, true, "/three-lose-one");

  r.Step("three_lose_two");
  KillFollower(r, false, "/three-lose-two");

  r.Step("four");
  r.MustPc({"down", "--clean"});
  r.Up(4);
  CheckQuorumSize(r, 4);

  r.Step("four_lose_one");
  KillFollower(r, true, "/four-lose-one");

  r.Step("four_lose_two");
  KillFollower(r, false, "/four-lose-two");

  r.Step("why_odd");
}

void QuorumLoss(LessonRun& r) {
  r.Step("up");
  r.Up(3);
  r.ZkCli({1}, {"create", "/quorum-loss", "before"});

  r.Step("lose_two");
  const int leader = r.WaitLeader();
  // Once the leader is gone the others are looking, not following: the second is named by id.
  const int follower = leader == 1 ? 2 : 1;
  r.MustPc({"kill", "leader"});
  r.MustPc({"kill", std::to_string(follower)});
  const std::vector<int> left = r.Running();
  r.CheckNotServing(left);
  r.CheckWrite(left, "/quorum-loss-during", false);
  r.ShowEvents();

  r.Step("one_back");
  r.MustPc({"start", std::to_string(leader)});
  r.WaitLeader();
  r.ShowEvents();
  const ChildResult read = r.ZkCli(left, {"get", "/quorum-loss"});
  const bool ok = read.output.find("\nbefore") != std::string::npos;
  r.Check(ok, r.Fact("reads", {{"value", "before"}}),
          ok ? r.Fact("reads", {{"value", "before"}}) : r.Fact("read_fails"));
}

}  // namespace pc::lessons
