#include "supervisor/vote_explainer.h"

#include "proto/zxid.h"

namespace pc {

bool CandidateBeats(const Candidate& a, const Candidate& b) {
  if (a.peer_epoch != b.peer_epoch) {
    return a.peer_epoch > b.peer_epoch;
  }
  if (a.zxid != b.zxid) {
    return a.zxid > b.zxid;
  }
  return a.sid > b.sid;
}

std::map<int, Candidate> CandidatesOf(int64_t round, const std::vector<VoteFact>& facts,
                                      const std::set<int>& voters) {
  std::map<int, Candidate> out;
  for (const VoteFact& f : facts) {
    if (f.round != round) {
      continue;
    }
    int self = 0;
    if (f.kind == VoteFact::Kind::kNotification && f.state == "LOOKING" && f.leader == f.from) {
      self = f.from;
    } else if (f.kind == VoteFact::Kind::kVote && f.leader == f.node) {
      self = f.node;
    }
    if (self > 0 && voters.count(self)) {
      out[self] = Candidate{self, f.peer_epoch, f.zxid};
    }
  }
  return out;
}

namespace {

std::string Hex(uint64_t zxid) { return zk::ZxidHex(static_cast<int64_t>(zxid)); }

// "epoch 2 > 1 of node1", "epoch 1 ties, zxid 0x9 > 0x8 of node4",
// "epoch 1 ties, zxid 0x8 ties with node1, myid 2 > 1": the first rule on which `a` and `b`
// differ, from a's side.
std::string Rule(const Candidate& a, const Candidate& b) {
  const std::string other = "node" + std::to_string(b.sid);
  const char* cmp_epoch = a.peer_epoch > b.peer_epoch ? " > " : " < ";
  if (a.peer_epoch != b.peer_epoch) {
    return "epoch " + std::to_string(a.peer_epoch) + cmp_epoch + std::to_string(b.peer_epoch) +
           " of " + other;
  }
  std::string text = "epoch " + std::to_string(a.peer_epoch) + " ties, zxid " + Hex(a.zxid);
  if (a.zxid != b.zxid) {
    return text + (a.zxid > b.zxid ? " > " : " < ") + Hex(b.zxid) + " of " + other;
  }
  return text + " ties with " + other + ", myid " + std::to_string(a.sid) +
         (a.sid > b.sid ? " > " : " < ") + std::to_string(b.sid);
}

// "votes from 1, 2, 4 (3 of 5)": voters only.
std::string Quorum(const VoteFact& d, const std::set<int>& voters) {
  std::string ids;
  int k = 0;
  for (int sid : d.supporters) {
    if (!voters.count(sid)) {
      continue;
    }
    ids += (k++ ? ", " : "") + std::to_string(sid);
  }
  const int n = voters.empty() ? d.voters : static_cast<int>(voters.size());
  if (k == 0) {
    return "supporters unknown (" + std::to_string(n) + " voters)";
  }
  return "votes from " + ids + " (" + std::to_string(k) + " of " + std::to_string(n) + ")";
}

}  // namespace

std::string ExplainDecision(const VoteFact& d, const std::vector<VoteFact>& facts,
                            const std::set<int>& voters) {
  const std::string winner = "node" + std::to_string(d.leader);
  const std::string round = std::to_string(d.round);
  if (d.why == "reconfig") {
    // No round: the leader that committed a reconfig designated this one (COMMITANDACTIVATE).
    if (d.leader == d.node) return winner + " leads, handed over by reconfig (no election)";
    const char* verb = d.state == "OBSERVING" ? " observes " : " follows ";
    // Apache's learner does not log which member it now follows.
    const std::string leader = d.leader == 0 ? "the designated leader" : winner;
    return "node" + std::to_string(d.node) + verb + leader +
           ", handed over by reconfig (no election)";
  }
  if (d.why == "out-of-election" || (d.why == "round-follow" && d.leader != d.node)) {
    // Not won here: the member found its leader already elected (by FOLLOWING / LEADING votes),
    // in a round of its own (round-follow) or in the ensemble's older one (a member joining).
    if (d.leader == d.node) {
      return winner + " leads again (round " + round + "): " + Quorum(d, voters);
    }
    const char* verb = d.state == "OBSERVING" ? " observes " : " follows ";
    return "node" + std::to_string(d.node) + verb + winner + ", already elected in round " + round +
           ": " + Quorum(d, voters);
  }
  std::map<int, Candidate> candidates = CandidatesOf(d.round, facts, voters);
  Candidate w{static_cast<int>(d.leader), d.peer_epoch, d.zxid};
  if (auto it = candidates.find(w.sid); it != candidates.end()) {
    w = it->second;  // what it proposed in the round (the decision may carry a later epoch)
  }
  const Candidate* strongest = nullptr;
  for (const auto& [sid, c] : candidates) {
    if (sid != w.sid && (!strongest || CandidateBeats(c, *strongest))) {
      strongest = &c;
    }
  }
  std::string head = winner + " wins round " + round;
  if (!strongest) {
    return head + " as the only candidate; " + Quorum(d, voters);
  }
  if (CandidateBeats(*strongest, w)) {
    // Possible when the stronger vote reached too few voters in time (a partition, a member
    // that came up late): say so rather than pretend the order was followed.
    return head + " though node" + std::to_string(strongest->sid) + " ranks higher (" +
           Rule(*strongest, w) + "): its vote did not reach a quorum in time; " + Quorum(d, voters);
  }
  return head + ": " + Rule(w, *strongest) + "; " + Quorum(d, voters);
}

}  // namespace pc
