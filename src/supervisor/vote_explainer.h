// The one-line why of an election decision, the same for both engines:
//
//   node2 wins round 3: epoch 1 ties, zxid 0x100000008 ties with node1, myid 2 > 1;
//   votes from 1, 2, 4 (3 of 5)
//
// i.e. the rule of ZooKeeper's vote order (totalOrderPredicate: higher peer epoch, then at the
// same epoch higher zxid, then at the same epoch and zxid higher myid) that makes the winner
// beat the strongest other candidate of the round, and the voters whose votes made the quorum
// (k of n voters). A candidate is a voter that proposed itself in the round; its (epoch, zxid)
// come from the notifications (and votes) of that round in which it names itself. Observers are
// never candidates and their votes never count. A member that found its leader already elected
// (decided by FOLLOWING / LEADING votes: a member joining, or one that decided late) gets
//
//   node3 follows node2, already elected in round 2: votes from 1, 2 (2 of 3)
//
// Pure functions over facts.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "supervisor/vote_facts.h"

namespace pc {

struct Candidate {
  int sid = 0;
  int64_t peer_epoch = 0;
  uint64_t zxid = 0;
};

// ZooKeeper's vote order: does `a` beat `b`?
bool CandidateBeats(const Candidate& a, const Candidate& b);

// The voters that proposed themselves in `round`, by sid, from notifications (a LOOKING sender
// naming itself) and votes (a member voting for itself) of that round.
std::map<int, Candidate> CandidatesOf(int64_t round, const std::vector<VoteFact>& facts,
                                      const std::set<int>& voters);

// The line for `decision`, from the facts of its election (any order; other rounds are ignored).
// `voters` is the ensemble's voter set.
std::string ExplainDecision(const VoteFact& decision, const std::vector<VoteFact>& facts,
                            const std::set<int>& voters);

}  // namespace pc
