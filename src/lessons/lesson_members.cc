// brain-split and observers: who may serve when the members are cut apart or do not vote.
#include <algorithm>

#include "lessons/lessons.h"
#include "lessons/zk_session.h"

namespace pc::lessons {

namespace {

std::string Id(int id) { return std::to_string(id); }

std::string List(const std::vector<int>& ids, const char* separator) {
  std::string text;
  for (int id : ids) {
    text += (text.empty() ? "" : separator) + Id(id);
  }
  return text;
}

bool Contains(const std::vector<int>& ids, int id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

void BrainSplit(LessonRun& r) {
  r.Step("up");
  r.Up(5, {"--faults"});
  const int old_leader = r.WaitLeader();
  // The leader and one follower on the small side, so the large side has to elect.
  std::vector<int> minority = {old_leader}, majority;
  for (int id = 1; id <= 5; ++id) {
    if (id == old_leader) {
      continue;
    }
    (minority.size() < 2 ? minority : majority).push_back(id);
  }
  std::sort(minority.begin(), minority.end());

  r.Step("split");
  r.MustPc({"partition", List(minority, ","), List(majority, ",")});
  r.CheckNotServing(minority);
  int new_leader = 0;
  r.WaitUntil(60, [&] {
    new_leader = r.Leader();
    return Contains(majority, new_leader) && r.Mode(new_leader) == "leader";
  });
  r.ShowEvents();
  r.Check(Contains(majority, new_leader), r.Fact("leader_among", {{"nodes", List(majority, ", ")}}),
          new_leader == 0 ? r.Fact("no_leader") : r.Fact("leader_is", {{"id", Id(new_leader)}}));

  r.Step("write_majority");
  r.CheckWrite(majority, "/brain-split", true);
  r.CheckWrite(minority, "/brain-split-minority", false);

  r.Step("heal");
  r.MustPc({"heal"});
  const int leader = r.WaitLeader(90);
  r.ShowEvents();
  r.MustPc({"status"});
  r.Check(leader != 0 && r.Running().size() == 5, r.Fact("one_leader", {{"n", "5"}}),
          leader == 0 ? r.Fact("no_leader") : r.Fact("leader_is", {{"id", Id(leader)}}));
  std::vector<int> have;
  for (int id = 1; id <= 5; ++id) {
    if (GetOnce(r.Hosts({id}), "/brain-split", 10000)) {
      have.push_back(id);
    }
  }
  r.Check(have.size() == 5, r.Fact("everywhere", {{"path", "/brain-split"}}),
          r.Fact("found_on", {{"path", "/brain-split"}, {"nodes", List(have, ", ")}}));
}

void Observers(LessonRun& r) {
  r.Step("up");
  r.Up(3, {"--observers", "1"});
  r.WaitLeader();
  const std::string role = r.Role(4);
  r.Check(role == "observer", r.Fact("role_is", {{"id", "4"}, {"role", "observer"}}),
          r.Fact("role_is", {{"id", "4"}, {"role", role}}));

  r.Step("write_through_observer");
  const bool created = r.ZkCli({4}, {"create", "/observers", "via the observer"})
                           .output.find("Created /observers") != std::string::npos;
  const std::string write_ok = r.Fact("write_ok", {{"path", "/observers"}});
  r.Check(
      created, write_ok,
      created ? write_ok : r.Fact("write_fails", {{"path", "/observers"}, {"error", "zkCli.sh"}}));
  r.ZkCli({1}, {"get", "/observers"});
  const bool on_voter = GetOnce(r.Hosts({1}), "/observers").has_value();
  r.Check(on_voter, r.Fact("found_on", {{"path", "/observers"}, {"nodes", "1"}}),
          on_voter ? r.Fact("found_on", {{"path", "/observers"}, {"nodes", "1"}})
                   : r.Fact("read_fails"));

  r.Step("kill_observer");
  r.MustPc({"kill", "4"});
  r.MustPc({"status"});
  r.CheckWrite({1, 2, 3}, "/observers-gone", true);
  r.MustPc({"start", "4"});
  r.WaitLeader();

  r.Step("kill_leader");
  const int old_leader = r.Leader();
  r.MustPc({"kill", "leader"});
  const int leader = r.WaitLeader();
  r.ShowEvents();
  r.Check(leader != 0 && leader != 4 && leader != old_leader,
          r.Fact("leader_among", {{"nodes", "1, 2, 3"}}),
          leader == 0 ? r.Fact("no_leader") : r.Fact("leader_is", {{"id", Id(leader)}}));
  const std::string after = r.Role(4);
  r.Check(after == "observer", r.Fact("role_is", {{"id", "4"}, {"role", "observer"}}),
          r.Fact("role_is", {{"id", "4"}, {"role", after}}));

  r.Step("kill_voter");
  r.MustPc({"kill", "follower"});
  std::vector<int> left = r.Running();
  r.CheckNotServing(left);
  r.CheckWrite({4}, "/observers-alone", false);
}

}  // namespace pc::lessons
