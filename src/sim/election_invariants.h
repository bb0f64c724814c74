// The election-level invariants the simulator checks. Installed by InstallElectionInvariants();
// the Zab layer adds its own (one leader per Zab epoch, committed histories are prefixes, no
// acknowledged write lost, same tree digest after healing) next to these.
//
// Note what is *not* here: "at most one LEADING decision per election epoch". FastLeaderElection
// does not guarantee it — a message slower than finalizeWait, or a restart that resets a logical
// clock, lets two servers each decide LEADING in the same round (test/scenarios/
// election_epoch_is_not_a_fence.txt shows one). Zab's epoch, established by a quorum in discovery,
// is the fence. ElectionStats counts such rounds instead.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "sim/simulator.h"

namespace zk::sim {

struct ElectionStats {
  uint64_t decisions = 0;
  uint64_t leading_decisions = 0;
  // Rounds (election epochs) in which more than one server decided LEADING.
  uint64_t rounds_with_two_leaders = 0;
  std::map<int64_t, std::set<int64_t>> leaders_by_round;
};

// Registers, on `sim`:
//  - roles: an observer never leads or follows (it observes); a voter never observes; a LEADING
//    member names itself; a FOLLOWING/OBSERVING member names another member that is a voter.
//  - one-backed-leader: at any moment at most one LEADING member has a quorum of voters (itself
//    included) that are up and FOLLOWING it.
//  - leader-is-most-recent (on each decision): a leader chosen by a quorum of LOOKING votes has a
//    (currentEpoch, last zxid) at least as recent as each of those voters' durable state, and what
//    it claims in the election is its own durable state.
// `stats` (optional) is updated on each decision and must outlive `sim`.
void InstallElectionInvariants(Simulator& sim, ElectionStats* stats = nullptr);
// Only the `roles` check (state-based, so it holds for any member; the Replica simulation uses
// it next to Zab's own invariants).
void InstallRoleInvariants(Simulator& sim);

// Every member is up and decided, exactly one leads, every voter follows it and every observer
// observes it. Empty if so, else what is missing.
std::string ElectionSettled(const Simulator& sim);

}  // namespace zk::sim
