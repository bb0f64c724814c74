// Scenario commands for dynamic reconfiguration (with `tuning reconfig=1`):
//   reconfig NAME leave IDS     session NAME asks its member for an incremental reconfig that
//                               removes the servers IDS (comma separated)
//   expect voters ID...         every up member's active membership has exactly these voters
//   expect handed-over ID...    each of these members took its role from a reconfig's designated
//                               leader (COMMITANDACTIVATE), not from an election round
#include "core/election.h"
#include "proto/jute.h"
#include "sim/replica_member.h"
#include "sim/scenario_zab.h"

namespace zk::sim {

std::string ZabScript::Reconfig(const std::vector<std::string>& w) {
  if (w.size() != 4 || w[2] != "leave") return "reconfig NAME leave IDS";
  Session* session = nullptr;
  ReplicaMember* m = nullptr;
  if (std::string why = ServingSession(w[1], &session, &m); !why.empty()) return why;
  Session& s = *session;
  JuteWriter body;  // ReconfigRequest: joining, leaving, newMembers, curConfigId
  body.String("");
  body.String(w[3]);
  body.String("");
  body.Long(-1);
  m->replica().Touch(s.id);
  m->replica().Submit(ClientRequest{s.id, s.next_xid++, OpCode::kReconfig, body.Take(), 0, {}},
                      sim_->now() * 10);
  sim_->Note("session " + w[1] + " asks for a reconfig leaving " + w[3]);
  sim_->Poke(s.member);
  return {};
}

std::string ZabScript::ExpectVoters(const std::vector<std::string>& w) {
  std::set<int64_t> want;
  for (size_t i = 2; i < w.size(); ++i) {
    std::optional<int64_t> id = ScenarioNumber(w[i]);
    if (!id) return "expect voters ID...";
    want.insert(*id);
  }
  for (const auto& [sid, v] : sim_->views()) {
    const auto* m = dynamic_cast<const ReplicaMember*>(sim_->member(sid));
    if (!m) continue;
    const std::set<int64_t>& have = m->replica().config().membership.voters();
    if (have != want) {
      std::string shown;
      for (int64_t id : have) shown += " " + std::to_string(id);
      return "member " + std::to_string(sid) + " has voters" + shown;
    }
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
