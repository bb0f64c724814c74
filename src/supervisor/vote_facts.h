// VoteFact: one fact of a leader election as the supervisor keeps it, the same for both engines.
// zkd reports them on its event pipe (zkd_events.h); for Apache ZooKeeper they are read from the
// members' logs (apache_election_log.h). Three kinds come from the members — a notification a
// member received, a change of a member's own vote, a member's decision — and one from the
// supervisor: facts that were dropped on the way (a full pipe, a full store).
//
// VoteLog is their bounded store, apart from the main Timeline so that an election storm cannot
// push the summary out. Pure (no I/O, no clock: facts arrive stamped); single-threaded, owned by
// the Supervisor's loop.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "supervisor/timeline.h"

namespace pc {

struct VoteFact {
  enum class Kind { kNotification, kVote, kDecision, kDropped };
  Kind kind = Kind::kNotification;
  int64_t t_ms = 0;     // since the supervisor started
  int64_t wall_ms = 0;  // Unix time
  int node = 0;         // who recorded it: the receiver, the voter, the decider (0: supervisor)
  // notification: the sender and its state, and the receiver's state when it arrived.
  // vote: whose notification changed it (0: none, e.g. the member's own first vote).
  int from = 0;
  std::string state;     // notification: the sender's; decision: LEADING/FOLLOWING/OBSERVING
  std::string my_state;  // notification: the receiver's
  // The vote: proposed leader, its zxid and peer epoch, and the round (the logical clock of the
  // sender / voter / decider).
  int64_t leader = 0;
  uint64_t zxid = 0;
  int64_t peer_epoch = 0;
  int64_t round = 0;
  std::string why;              // vote: start, better_vote, new_round; decision: how (DecidedBy)
  std::vector<int> supporters;  // decision: the voters whose votes made the quorum
  int voters = 0;               // decision: how many voters the ensemble has
  int64_t election_ms = -1;     // decision: how long the member was LOOKING (-1: unknown)
  int64_t count = 0;            // dropped: how many facts
  std::string explanation;      // decision: the one-line why (vote_explainer.h)
  // Apache: read between the lines of the log (a vote from a member's notification to itself,
  // a decision's leader and supporters from the notifications before it), not stated by it.
  bool derived = false;
};

const char* VoteFactKindName(VoteFact::Kind kind);  // notification, vote, decision, votes_dropped

// "node2", or "no vote" for a non-voter's proposal (Long.MIN_VALUE).
std::string CandidateName(int64_t leader);

// What a person reads, after the node column: "<- node2 (LOOKING, round 2): node2, epoch 1,
// zxid 0x100000002", "votes node3 (epoch 1, zxid 0x100000002) in round 2: node3's vote beats its
// own", "decides FOLLOWING (225 ms): node3 wins round 2: ...", "12 vote facts dropped: ...".
std::string VoteFactText(const VoteFact& fact);

// As a timeline Event (kind = VoteFactKindName, text = VoteFactText, data = every field), which
// is what the control socket sends and `events --votes --json` prints.
Event VoteFactEvent(const VoteFact& fact);

// Facts since the supervisor started, oldest first; at most kFactsMax (the oldest go first, and
// are counted so the timeline can say so).
class VoteLog {
 public:
  static constexpr size_t kFactsMax = 4000;
  explicit VoteLog(size_t facts_max = kFactsMax) : facts_max_(facts_max) {}
  const VoteFact& Add(VoteFact fact);
  const std::deque<VoteFact>& facts() const { return facts_; }
  // Facts pushed out since the last call.
  int64_t TakeDropped();

 private:
  size_t facts_max_;
  std::deque<VoteFact> facts_;
  int64_t dropped_ = 0;
};

}  // namespace pc
