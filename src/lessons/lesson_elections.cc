// startup-order and vote-order: who wins an election, and why — on servers started one at a
// time (`up N --no-start`, then `start 1`, `start 2`, ...).
#include <algorithm>
#include <map>

#include "lessons/lessons.h"
#include "lessons/zk_session.h"

namespace pc::lessons {

namespace {

std::string Id(int id) { return std::to_string(id); }

// `start ID`, then wait until the member takes part (looking, following or leading), as one
// who types the commands waits: a JVM that is still booting has not voted yet, and the next
// member started before it would change who meets whom first.
void StartOne(LessonRun& r, int id) {
  r.MustPc({"start", Id(id)});
  r.WaitUntil(60, [&] {
    const std::string role = r.Role(id);
    return role == "looking" || role == "follower" || role == "leader";
  });
}

// StartOne, then the leader once the election it joined is over (0 when not asked to wait).
int StartAndWait(LessonRun& r, int id, bool expect_leader) {
  StartOne(r, id);
  return expect_leader ? r.WaitLeader() : 0;
}

// The zxid the supervisor last saw for each member, as in `status`'s zxid column.
std::map<int, std::string> Zxids(LessonRun& r) {
  std::map<int, std::string> zxids;
  const nlohmann::json status = r.Status();
  for (const auto& n : status.value("nodes", nlohmann::json::array())) {
    zxids[n.value("id", 0)] = n.value("zxid", "");
  }
  return zxids;
}

uint64_t Hex(const std::string& zxid) { return zxid.empty() ? 0 : std::stoull(zxid, nullptr, 16); }

// The votes behind the last election (`events --votes`, its end) once the binary has them,
// and the last decision line it explains ("node2 wins round 3: epoch 1 ties, zxid ... ties
// with node1, myid 2 > 1; votes from 1, 2, 4 (3 of 5)"); until then plain `events` shows the
// outcome and this returns "".
std::string ShowElection(LessonRun& r) {
  if (!LessonRun::HasFlag("events", "--votes")) {
    r.ShowEvents();
    return "";
  }
  const ChildResult votes = r.ShowTail({"events", "--votes"}, 30);
  std::string decision;
  size_t at = 0;
  while ((at = votes.output.find(" wins round ", at)) != std::string::npos) {
    const size_t begin = votes.output.rfind("node", at);
    const size_t end = votes.output.find('\n', at);
    decision = votes.output.substr(begin, end == std::string::npos ? end : end - begin);
    at = end == std::string::npos ? votes.output.size() : end;
  }
  return decision;
}

}  // namespace

void StartupOrder(LessonRun& r) {
  r.Step("layout");
  r.Up(3, {"--no-start"});

  r.Step("start_one");
  StartOne(r, 1);
  std::string role;
  r.WaitUntil(10, [&] { return (role = r.Role(1)) == "looking"; });
  r.Check(role == "looking", r.Fact("role_is", {{"id", "1"}, {"role", "looking"}}),
          r.Fact("role_is", {{"id", "1"}, {"role", role}}));

  r.Step("start_two");
  r.CheckLeader(2, StartAndWait(r, 2, true));
  r.ShowEvents();
  for (int id : {1, 2}) {
    const std::string want = id == 2 ? "leader" : "follower";
    const bool ok = r.ShowServerStatus(id).find("Mode: " + want) != std::string::npos;
    const std::string predicted = r.Fact("server_status", {{"id", Id(id)}, {"mode", want}});
    r.Check(ok, predicted, ok ? predicted : r.Fact("server_status_other", {{"id", Id(id)}}));
  }

  r.Step("start_three");
  r.CheckLeader(2, StartAndWait(r, 3, true));
  const std::string third = r.Role(3);
  r.Check(third == "follower", r.Fact("role_is", {{"id", "3"}, {"role", "follower"}}),
          r.Fact("role_is", {{"id", "3"}, {"role", third}}));

  r.Step("five");
  r.MustPc({"down", "--clean"});
  r.Up(5, {"--no-start"});
  StartOne(r, 1);
  StartOne(r, 2);
  r.CheckLeader(3, StartAndWait(r, 3, true));
  r.ShowEvents();

  r.Step("five_late");
  StartAndWait(r, 4, false);
  r.CheckLeader(3, StartAndWait(r, 5, true));
  for (int id : {4, 5}) {
    const std::string late = r.Role(id);
    r.Check(late == "follower", r.Fact("role_is", {{"id", Id(id)}, {"role", "follower"}}),
            r.Fact("role_is", {{"id", Id(id)}, {"role", late}}));
  }
  r.MustPc({"status"});
}

void VoteOrder(LessonRun& r) {
  // The planted bug (for the lesson's own test): the zxids are built the other way round, so
  // 1 and 2 fall behind and 4 — not 2 — has the newest history when the vote comes.
  const bool planted = r.options().planted_bug;
  const std::vector<int> behind = planted ? std::vector<int>{1, 2} : std::vector<int>{4, 5};

  r.Step("layout");
  r.Up(5, {"--no-start"});
  StartOne(r, 1);
  StartOne(r, 2);
  r.CheckLeader(3, StartAndWait(r, 3, true));
  StartAndWait(r, 4, false);
  StartAndWait(r, 5, true);

  r.Step("write");
  r.ZkCli({1, 2, 3, 4, 5}, {"create", "/vote-order", "all five"});
  r.WaitUntil(10, [&] {
    auto z = Zxids(r);
    return z[1] == z[3] && z[2] == z[3] && z[4] == z[3] && z[5] == z[3];
  });
  const std::map<int, std::string> shared = Zxids(r);

  r.Step("fall_behind");
  for (int id : behind) {
    r.MustPc({"stop", Id(id)});
  }
  std::vector<int> ahead;
  for (int id : r.Running()) {
    ahead.push_back(id);
  }
  if (ahead.size() != 3) {
    throw LessonAborted("expected three members running, not " + std::to_string(ahead.size()));
  }
  r.ZkCli(ahead, {"create", "/vote-order/newer", "without two of them"});
  r.WaitUntil(10, [&] {
    auto z = Zxids(r);
    return z[ahead[0]] == z[ahead[1]] && z[ahead[1]] == z[ahead[2]] &&
           Hex(z[ahead[0]]) > Hex(shared.at(3));
  });
  r.MustPc({"status"});
  {
    auto z = Zxids(r);
    std::string ahead_text, behind_text;
    for (int id : ahead) {
      ahead_text += (ahead_text.empty() ? "" : ", ") + Id(id);
    }
    for (int id : behind) {
      behind_text += (behind_text.empty() ? "" : ", ") + Id(id);
    }
    // The stopped members keep what they had: the zxid seen before they stopped.
    const std::string newest = z[ahead[0]];
    const std::string& older = shared.at(behind[0]);
    const bool ok = ahead == std::vector<int>{1, 2, 3} && Hex(newest) > Hex(older);
    r.Check(ok, r.Fact("zxids", {{"ahead", "1, 2, 3"}, {"behind", "4, 5"}}),
            r.Fact("zxids_seen", {{"ahead", ahead_text},
                                  {"newest", newest},
                                  {"behind", behind_text},
                                  {"older", older}}));
  }

  r.Step("leader_dies");
  r.MustPc({"kill", "3"});
  if (planted) {
    r.MustPc({"stop", "5"});
  }
  std::vector<int> left = r.Running();
  r.CheckNotServing(left);

  r.Step("four_returns");
  const std::vector<int> running = r.Running();
  for (int id : {1, 2, 4}) {
    if (std::find(running.begin(), running.end(), id) == running.end()) {
      StartOne(r, id);
    }
  }
  const int leader = r.WaitLeader();
  const std::string decision = ShowElection(r);
  r.CheckLeader(2, leader);
  if (!decision.empty()) {
    // The timeline's own explanation names the rule that decided: the myid, after the epoch and
    // the zxid tied between 2 and 1.
    const bool by_myid = decision.rfind("node2 wins round", 0) == 0 &&
                         decision.find("myid 2 > 1") != std::string::npos;
    r.Check(by_myid, r.Fact("decided_by_myid"), decision);
  }
  r.MustPc({"status"});
}

}  // namespace pc::lessons
