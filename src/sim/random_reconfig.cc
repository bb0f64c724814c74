#include "sim/random_reconfig.h"

#include <vector>

#include "core/quorum_config.h"
#include "proto/jute.h"
#include "sim/replica_member.h"
#include "sim/sim_config.h"

namespace zk::sim {
namespace {

constexpr int64_t kSessionSettleTicks = 5;  // its createSession commits before it is used

}  // namespace

std::string RandomReconfig::Draw(const std::string& config, std::string* said) {
  QuorumConfig qc;
  if (!ParseQuorumConfig(config, &qc).empty()) return {};
  const std::set<int64_t> voters = qc.Voters();
  std::vector<int64_t> in, out;  // known ids in the config, and outside it
  for (int64_t id : sim_->known()) (qc.Find(id) ? in : out).push_back(id);
  std::string joining, leaving;
  switch (prng_.Below(3)) {
    case 0: {  // a voter leaves (the core refuses what leaves no quorum)
      std::vector<int64_t> v(voters.begin(), voters.end());
      leaving = std::to_string(v[prng_.Below(v.size())]);
      *said = "leaving " + leaving;
      break;
    }
    case 1: {  // a spare (or a member removed before) joins
      if (out.empty()) return {};
      int64_t id = out[prng_.Below(out.size())];
      joining = SimServerLine(id, prng_.Chance(0.3));
      *said = "joining " + joining;
      break;
    }
    default: {  // observer <-> participant
      int64_t id = in[prng_.Below(in.size())];
      joining = SimServerLine(id, voters.count(id) > 0);
      *said = "turning " + std::to_string(id) + (voters.count(id) ? " observer" : " participant");
      break;
    }
  }
  JuteWriter body;  // ReconfigRequest: joining, leaving, newMembers, curConfigId
  body.String(joining);
  body.String(leaving);
  body.String("");
  body.Long(-1);
  return body.Take();
}

void RandomReconfig::Tick() {
  auto* m = dynamic_cast<ReplicaMember*>(sim_->member(member_));
  const bool leads = m && m->replica().state() == PeerState::kLeading && m->replica().serving();
  if (!leads) {
    // A session on the serving leader, if one serves (the old one is abandoned: it expires).
    member_ = session_ = 0;
    for (int64_t id : sim_->known()) {
      auto* c = dynamic_cast<ReplicaMember*>(sim_->member(id));
      if (!c || c->replica().state() != PeerState::kLeading || !c->replica().serving()) continue;
      member_ = id;
      session_ = c->replica().OpenSession(4000, "10.0.1.9", sim_->now() * 10).session_id;
      opened_at_ = sim_->now();
      next_xid_ = 1;
      sim_->Poke(id);
      break;
    }
    return;
  }
  m->replica().Touch(session_);
  if (sim_->now() - opened_at_ < kSessionSettleTicks || !prng_.Chance(chance_)) return;
  std::string said;
  std::string body = Draw(m->replica().active_config_text(), &said);
  if (body.empty()) return;
  ++asked_;
  m->replica().Submit(ClientRequest{session_, next_xid_++, OpCode::kReconfig, body, 0, {}},
                      sim_->now() * 10);
  sim_->Note("reconfig asked of " + std::to_string(member_) + ": " + said);
  sim_->Poke(member_);
}

}  // namespace zk::sim
