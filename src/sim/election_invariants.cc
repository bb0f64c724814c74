#include "sim/election_invariants.h"

#include <memory>
#include <utility>

namespace zk::sim {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

std::string CheckRoles(const Simulator& sim) {
  const Membership& m = sim.membership();
  for (const auto& [sid, v] : sim.views()) {
    bool voter = v.voter.value_or(m.IsVoter(sid));
    bool observer = v.observer.value_or(m.IsObserver(sid));
    if (!observer && v.state == PeerState::kObserving) {
      return (voter ? "voter " : "non-voting participant ") + S(sid) + " is OBSERVING";
    }
    if (observer && (v.state == PeerState::kLeading || v.state == PeerState::kFollowing)) {
      return "observer " + S(sid) + " is " + PeerStateName(v.state);
    }
    if (!voter && v.state == PeerState::kLeading) return "non-voter " + S(sid) + " is LEADING";
    if (v.state == PeerState::kLeading && v.leader != sid) {
      return S(sid) + " is LEADING for " + S(v.leader);
    }
    if (v.state == PeerState::kFollowing || v.state == PeerState::kObserving) {
      if (v.leader == sid) return S(sid) + " follows itself";
      // With reconfig a voter is one by its own active config (its view says), and the
      // starting config may not name it (a spare that joined); a leader that just stepped
      // down may still be followed until its followers hear of it.
      std::optional<MemberView> lv = v.voter ? sim.view(v.leader) : std::nullopt;
      bool leader_votes = v.voter ? (!lv || lv->state != PeerState::kLeading ||
                                     lv->voter.value_or(true))
                                  : m.IsVoter(v.leader);
      if (!leader_votes) return S(sid) + " follows non-voter " + S(v.leader);
    }
  }
  return {};
}

std::string CheckOneBackedLeader(const Simulator& sim) {
  const Membership& m = sim.membership();
  int64_t backed = -1;
  for (const auto& [leader, lv] : sim.views()) {
    if (lv.state != PeerState::kLeading) continue;
    size_t behind = m.IsVoter(leader) ? 1 : 0;
    for (const auto& [sid, v] : sim.views()) {
      if (v.state == PeerState::kFollowing && v.leader == leader && m.IsVoter(sid)) ++behind;
    }
    if (behind < m.QuorumSize()) continue;
    if (backed != -1) {
      return "servers " + S(backed) + " and " + S(leader) + " both lead with a quorum following";
    }
    backed = leader;
  }
  return {};
}

bool Older(int64_t epoch_a, int64_t zxid_a, int64_t epoch_b, int64_t zxid_b) {
  return epoch_a != epoch_b ? epoch_a < epoch_b : zxid_a < zxid_b;
}

std::string CheckDecision(const Simulator& sim, const SimEvent& e, ElectionStats* stats) {
  if (!e.decision) return {};
  const Decision& d = *e.decision;
  if (stats) {
    ++stats->decisions;
    if (d.state == PeerState::kLeading) {
      ++stats->leading_decisions;
      std::set<int64_t>& leaders = stats->leaders_by_round[d.election_epoch];
      leaders.insert(e.sid);
      if (leaders.size() == 2) ++stats->rounds_with_two_leaders;
    }
  }
  const Membership& m = sim.membership();
  if (d.supporters.empty()) return "decision without supporters";
  std::set<int64_t> voters;
  for (const auto& [sid, st] : d.supporters) voters.insert(sid);
  if (!m.IsQuorum(voters)) return "decision by " + S(e.sid) + " without a quorum of supporters";
  if (d.state != PeerState::kLeading) return {};
  const SimDisk& mine = sim.disk(e.sid);
  if (d.zxid != mine.last_zxid || d.peer_epoch != mine.current_epoch) {
    return S(e.sid) + " leads with a vote that is not its own durable state";
  }
  if (d.by != DecidedBy::kLookingQuorum && d.by != DecidedBy::kLookingAll) return {};
  for (const auto& [sid, st] : d.supporters) {
    if (st != PeerState::kLooking) continue;
    const SimDisk& theirs = sim.disk(sid);
    if (Older(d.peer_epoch, d.zxid, theirs.current_epoch, theirs.last_zxid)) {
      return S(e.sid) + " was elected by " + S(sid) + " whose history is more recent";
    }
  }
  return {};
}

}  // namespace

void InstallElectionInvariants(Simulator& sim, ElectionStats* stats) {
  sim.AddInvariant("roles", CheckRoles);
  sim.AddInvariant("one-backed-leader", CheckOneBackedLeader);
  sim.AddEventHook("leader-is-most-recent", [stats](const Simulator& s, const SimEvent& e) {
    return CheckDecision(s, e, stats);
  });
}

void InstallRoleInvariants(Simulator& sim) { sim.AddInvariant("roles", CheckRoles); }

std::string ElectionSettled(const Simulator& sim) {
  const Membership& m = sim.membership();
  int64_t leader = -1;
  for (int64_t sid : m.voters()) {
    std::optional<MemberView> v = sim.view(sid);
    if (!v) return S(sid) + " is down";
    if (v->state == PeerState::kLeading) {
      if (leader != -1) return "two leaders: " + S(leader) + " and " + S(sid);
      leader = sid;
    }
  }
  if (leader == -1) return "no leader";
  for (const std::set<int64_t>* group : {&m.voters(), &m.observers()}) {
    for (int64_t sid : *group) {
      if (sid == leader) continue;
      std::optional<MemberView> v = sim.view(sid);
      if (!v) return S(sid) + " is down";
      PeerState want = m.IsVoter(sid) ? PeerState::kFollowing : PeerState::kObserving;
      if (v->state != want || v->leader != leader) {
        return S(sid) + " is " + PeerStateName(v->state) +
               (v->state == PeerState::kLooking ? "" : " " + S(v->leader)) + ", not " +
               PeerStateName(want) + " " + S(leader);
      }
    }
  }
  return {};
}

}  // namespace zk::sim
