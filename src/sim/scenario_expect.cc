// The scenario runner's `expect` lines: leader and epoch, no leader, the same digest on every
// member, the members' configuration; each a failed line names what it saw (Describe).
#include <algorithm>
#include <sstream>

#include "sim/election_invariants.h"
#include "sim/election_member.h"
#include "sim/replica_invariants.h"
#include "sim/scenario_runner.h"

namespace zk::sim {

std::string Runner::Describe(int64_t sid) {
  std::optional<MemberView> v = sim_->view(sid);
  if (!v) return std::to_string(sid) + " down";
  std::string s = std::to_string(sid) + " " + PeerStateName(v->state);
  if (v->state != PeerState::kLooking && v->state != PeerState::kLeading) {
    s += " " + std::to_string(v->leader);
  }
  if (replica_) {
    s += std::string(v->serving ? " serving" : "") + " epoch " + std::to_string(v->peer_epoch) +
         " zxid " + std::to_string(v->zxid >> 32) + ":" + std::to_string(v->zxid & 0xffffffff);
    return s;
  }
  s += " round " + std::to_string(v->election_epoch);
  return s;
}

std::string Runner::Expect(const std::vector<std::string>& w) {
  if (w.size() < 2) return Error("expect what?");
  const std::string& what = w[1];
  if (what == "no-leader") return ExpectNoLeader(w);
  if (what == "settled") {
    std::string why = replica_ ? ZabSettled(*sim_) : ElectionSettled(*sim_);
    if (why.empty() && replica_) why = checker_->CheckAllAcked(*sim_);
    return why.empty() ? std::string() : Error("expected settled: " + why);
  }
  if (replica_ && what == "acked") {
    std::optional<int64_t> n = w.size() == 3 ? Number(w[2]) : std::nullopt;
    if (!n) return Error("expect acked N");
    int64_t got = static_cast<int64_t>(clients_->acked().size());
    if (got != *n) {
      return Error("expected " + std::to_string(*n) + " acknowledged writes, got " +
                   std::to_string(got));
    }
    return {};
  }
  if (replica_ && what == "same-digest") return ExpectSameDigest();
  if (replica_ && what == "epoch") {
    std::optional<int64_t> sid = w.size() == 4 ? Number(w[2]) : std::nullopt;
    std::optional<int64_t> e = w.size() == 4 ? Number(w[3]) : std::nullopt;
    if (!sid || !e || !sim_->IsKnown(*sid)) return Error("expect epoch ID N");
    std::optional<MemberView> v = sim_->view(*sid);
    if (!v || v->peer_epoch != *e) {
      return Error("expected " + std::to_string(*sid) + " in epoch " + std::to_string(*e) +
                   ", but " + Describe(*sid));
    }
    return {};
  }
  return ExpectMembers(w);
}

// expect no-leader [IDS]: no voter (or none of IDS) leads.
std::string Runner::ExpectNoLeader(const std::vector<std::string>& w) {
  const Membership& m = sim_->membership();
  std::set<int64_t> among;
  for (size_t i = 2; i < w.size(); ++i) {
    std::optional<int64_t> v = Number(w[i]);
    if (!v || !m.IsMember(*v)) return Error("not a member: " + w[i]);
    among.insert(*v);
  }
  for (int64_t sid : m.voters()) {
    if (!among.empty() && !among.count(sid)) continue;
    std::optional<MemberView> v = sim_->view(sid);
    if (v && v->state == PeerState::kLeading) {
      return Error("expected no leader, but " + Describe(sid));
    }
  }
  return {};
}

// expect same-digest: every running member applied the same zxid to the same tree.
std::string Runner::ExpectSameDigest() {
  std::optional<uint64_t> digest;
  int64_t zxid = 0, first = 0;
  for (const auto& [sid, v] : sim_->views()) {
    const auto* rm = dynamic_cast<const ReplicaMember*>(sim_->member(sid));
    if (!rm) continue;
    const Core& core = rm->replica().core();
    uint64_t d = TreeDigest(core.tree());
    if (!digest) {
      digest = d;
      zxid = core.last_zxid();
      first = sid;
    } else if (d != *digest || core.last_zxid() != zxid) {
      return Error("members " + std::to_string(first) + " and " + std::to_string(sid) +
                   " differ: " + Describe(first) + " / " + Describe(sid));
    }
  }
  return {};
}

// expect leader|following|observing|looking|down|serving|not-serving IDS
//        [leader L] [round R] [epoch E]
std::string Runner::ExpectMembers(const std::vector<std::string>& w) {
  const std::string& what = w[1];
  std::vector<int64_t> ids;
  std::optional<int64_t> leader, round, epoch;
  for (size_t i = 2; i < w.size(); ++i) {
    if ((w[i] == "leader" || w[i] == "round" || w[i] == "epoch") && i + 1 < w.size()) {
      std::optional<int64_t> v = Number(w[i + 1]);
      if (!v) return Error("bad number " + w[i + 1]);
      (w[i] == "leader" ? leader : w[i] == "round" ? round : epoch) = v;
      ++i;
      continue;
    }
    std::optional<int64_t> v = Number(w[i]);
    if (!v || !sim_->IsKnown(*v)) return Error("not a member: " + w[i]);
    ids.push_back(*v);
  }
  if (ids.empty()) return Error("expect " + what + " needs member ids");
  std::optional<PeerState> want;
  if (what == "leader") want = PeerState::kLeading;
  if (what == "following") want = PeerState::kFollowing;
  if (what == "observing") want = PeerState::kObserving;
  if (what == "looking") want = PeerState::kLooking;
  const bool serving_check = replica_ && (what == "serving" || what == "not-serving");
  if (!want && what != "down" && !serving_check) return Error("unknown expectation " + what);
  for (int64_t sid : ids) {
    std::optional<MemberView> v = sim_->view(sid);
    if (serving_check) {
      bool serving = v && v->serving;
      if (serving != (what == "serving")) {
        return Error("expected " + std::to_string(sid) + " " + what + ", but " + Describe(sid));
      }
      continue;
    }
    if (what == "down") {
      if (v) return Error("expected " + std::to_string(sid) + " down, but " + Describe(sid));
      continue;
    }
    bool ok = v && v->state == *want;
    if (ok && leader) ok = v->leader == *leader;
    if (ok && round) ok = v->election_epoch == *round;
    if (ok && epoch) ok = v->peer_epoch == *epoch;
    if (!ok) {
      return Error("expected " + std::to_string(sid) + " " + PeerStateName(*want) +
                   (leader ? " " + std::to_string(*leader) : "") +
                   (round ? " round " + std::to_string(*round) : "") +
                   (epoch ? " epoch " + std::to_string(*epoch) : "") + ", but " + Describe(sid));
    }
  }
  return {};
}

}  // namespace zk::sim
