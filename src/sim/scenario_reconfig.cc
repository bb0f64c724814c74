// Scenario commands for dynamic reconfiguration (with `tuning reconfig=1`):
//   spares 4 5 6                  (before anything starts: scenario.h) servers outside the
//                                 starting config; `start 4` lays one out as `pseudo-cluster
//                                 add` does (the serving ensemble's config plus itself) and it
//                                 syncs as a non-voting follower until a reconfig adds it
//   reconfig NAME leave IDS       session NAME asks its member for an incremental reconfig that
//                                 removes the servers IDS (comma separated): ZooKeeper's -remove
//   reconfig NAME join ID [observer]   ... that adds server ID (a participant unless
//                                 `observer`): ZooKeeper's -add
//   reconfig NAME members ID... [observer ID...]   a non-incremental reconfig: exactly these
//                                 servers (ZooKeeper's -members)
//   expect voters ID...           every up member's active membership has exactly these voters
//   expect same-config            the invariant of a settled run (replica_invariants.h): every
//                                 member of the serving leader's config has that config in force
//                                 and in its dynamic config file
//   expect config-file ID VOTER...   member ID's dynamic config file (up or down) has exactly
//                                 these voters
//   expect handed-over ID...      each of these members took its role from a reconfig's
//                                 designated leader (COMMITANDACTIVATE), not an election round
#include "core/election.h"
#include "proto/jute.h"
#include "sim/replica_invariants.h"
#include "sim/replica_member.h"
#include "sim/scenario_zab.h"
#include "sim/sim_config.h"

namespace zk::sim {
namespace {

constexpr const char* kReconfigUsage =
    "reconfig NAME leave IDS | reconfig NAME join ID [observer] | "
    "reconfig NAME members ID... [observer ID...]";

std::string Shown(const std::set<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += " " + std::to_string(id);
  return out;
}

// The ids w[first..] as a set; nullopt if one is not a number.
std::optional<std::set<int64_t>> IdWords(const std::vector<std::string>& w, size_t first) {
  std::set<int64_t> out;
  for (size_t i = first; i < w.size(); ++i) {
    std::optional<int64_t> id = ScenarioNumber(w[i]);
    if (!id) return std::nullopt;
    out.insert(*id);
  }
  return out;
}

// The ReconfigRequest fields (joining, leaving, newMembers) the command asks for; false if
// malformed.
bool RequestFields(const std::vector<std::string>& w, std::string* joining, std::string* leaving,
                   std::string* members, std::string* said) {
  if (w.size() == 4 && w[2] == "leave") {
    *leaving = w[3];
    *said = "leaving " + w[3];
    return true;
  }
  if ((w.size() == 4 || (w.size() == 5 && w[4] == "observer")) && w[2] == "join") {
    std::optional<int64_t> id = ScenarioNumber(w[3]);
    if (!id) return false;
    *joining = SimServerLine(*id, w.size() == 5);
    *said = "joining " + *joining;
    return true;
  }
  if (w.size() >= 4 && w[2] == "members") {
    bool observer = false;
    for (size_t i = 3; i < w.size(); ++i) {
      if (w[i] == "observer") {
        observer = true;
        continue;
      }
      std::optional<int64_t> id = ScenarioNumber(w[i]);
      if (!id) return false;
      *members += (members->empty() ? "" : ",") + SimServerLine(*id, observer);
    }
    *said = "members " + *members;
    return !members->empty();
  }
  return false;
}

}  // namespace

std::string ZabScript::Reconfig(const std::vector<std::string>& w) {
  std::string joining, leaving, members, said;
  if (w.size() < 4 || !RequestFields(w, &joining, &leaving, &members, &said)) {
    return kReconfigUsage;
  }
  Session* session = nullptr;
  ReplicaMember* m = nullptr;
  if (std::string why = ServingSession(w[1], &session, &m); !why.empty()) return why;
  Session& s = *session;
  JuteWriter body;  // ReconfigRequest: joining, leaving, newMembers, curConfigId
  body.String(joining);
  body.String(leaving);
  body.String(members);
  body.Long(-1);
  m->replica().Touch(s.id);
  m->replica().Submit(ClientRequest{s.id, s.next_xid++, OpCode::kReconfig, body.Take(), 0, {}},
                      sim_->now() * 10);
  sim_->Note("session " + w[1] + " asks for a reconfig " + said);
  sim_->Poke(s.member);
  return {};
}

std::string ZabScript::ExpectVoters(const std::vector<std::string>& w) {
  std::optional<std::set<int64_t>> want = IdWords(w, 2);
  if (!want || want->empty()) return "expect voters ID...";
  for (const auto& [sid, v] : sim_->views()) {
    const auto* m = dynamic_cast<const ReplicaMember*>(sim_->member(sid));
    if (!m) continue;
    const std::set<int64_t>& have = m->replica().config().membership.voters();
    if (have != *want) return "member " + std::to_string(sid) + " has voters" + Shown(have);
  }
  return {};
}

std::string ZabScript::ExpectConfig(const std::vector<std::string>& w) {
  if (w[1] == "same-config") {
    if (w.size() != 2) return "expect same-config";
    std::string why = SameConfig(*sim_);
    return why.empty() ? why : "expected the same config: " + why;
  }
  std::optional<std::set<int64_t>> ids = IdWords(w, 2);
  if (!ids || ids->size() < 2 || !sim_->IsKnown(std::stoll(w[2]))) {
    return "expect config-file ID VOTER...";
  }
  const int64_t sid = std::stoll(w[2]);
  std::set<int64_t> want = *IdWords(w, 3);
  QuorumConfig qc;
  const std::string& text = sim_->disk(sid).config_text;
  if (!ParseQuorumConfig(text, &qc).empty() || qc.Voters() != want) {
    return "member " + std::to_string(sid) + "'s dynamic config file has voters" +
           Shown(qc.Voters()) + " (version " + HexVersion(qc.version) + ")";
  }
  return {};
}

std::string ZabScript::ExpectHandedOver(const std::vector<std::string>& w) {
  if (w.size() < 3) return "expect handed-over ID...";
  for (size_t i = 2; i < w.size(); ++i) {
    std::optional<int64_t> id = ScenarioNumber(w[i]);
    if (!id) return "expect handed-over ID...";
    const auto* m = dynamic_cast<const ReplicaMember*>(sim_->member(*id));
    if (!m || !sim_->IsUp(*id)) return "member " + w[i] + " is not up";
    const std::optional<Decision>& d = m->replica().decision();
    if (!d) return "member " + w[i] + " is LOOKING";
    if (d->by != DecidedBy::kReconfig) {
      return "member " + w[i] + " decided by " + DecidedByName(d->by) + ", not by a hand-over";
    }
  }
  return {};
}

}  // namespace zk::sim
