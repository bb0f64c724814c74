// The election as Apache ZooKeeper 3.8 logs it, turned into the facts zkd reports (VoteFact).
//
// Apache logs at INFO, in each member's log (<node dir>/logs/server.log):
//   every notification it receives, including the ones it sends itself (ZooKeeper delivers a
//   member's own vote to itself through its queue):
//     Notification: my state:LOOKING; n.sid:2, n.state:LOOKING, n.leader:2, n.round:0x1,
//     n.peerEpoch:0x0, n.zxid:0x0, message format version:0x2, n.config version:0x0
//   the start of its election:  New election. My id = 1, proposed zxid=0x100000002
//   its decision:               FOLLOWING - LEADER ELECTION TOOK - 225 MS
//   an observer's decision:     Observing new leader sid=3 addr=/127.0.0.1:19452
//                               (observers do not log how long their election took)
// It does not log its own vote changes, why they changed, nor the leader (but an observer's) and
// the supporters of a decision. ApacheElectionTracker derives them: a member's vote is what it
// sends itself (the notification with n.sid = its own id), the cause is the last notification it
// heard with that vote; a decision's leader is its own last vote (LEADING: itself) unless
// FOLLOWING/LEADING members heard since form a quorum behind another, and its supporters are the
// voters whose last notification heard agrees. Such facts are marked `derived`.
//
// Pure: ParseApacheLogLine is a function of the text; the tracker of what it was fed. The time
// of a line is read as local time and left for the caller to place (local_ms).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/vote_facts.h"

namespace pc {

struct ApacheLogLine {
  // kElectionTook: decisions. kReconfig: a committed reconfig moves the member to a new leader
  // or role with no election (ZooKeeper 3.5+'s hand-over): the learner's "changes proposed in
  // reconfig", the old leader's "not the designated leader anymore"; its next decision line
  // is that move.
  enum class Kind { kNotification, kNewElection, kElectionTook, kReconfig };
  Kind kind = Kind::kNotification;
  // "2026-12-05 14:25:14,891" at the start of the line as milliseconds since the epoch as if
  // that local time were UTC (the caller subtracts its UTC offset); -1 when the line has none.
  int64_t local_ms = -1;
  // kNotification: the receiver's state and the notification. kElectionTook: the new state, and
  // for an observer the leader.
  std::string my_state;
  int64_t sid = 0;
  std::string state;
  int64_t leader = 0;  // kElectionTook: 0 when the line does not say
  int64_t round = 0;
  int64_t peer_epoch = 0;
  uint64_t zxid = 0;     // kNotification; kNewElection: the proposed zxid
  int64_t my_id = 0;     // kNewElection
  int64_t took_ms = -1;  // kElectionTook
};

// One log line; nullopt for every line that is not one of the above (or is garbled).
std::optional<ApacheLogLine> ParseApacheLogLine(std::string_view line);

// The local time at the start of any log line, as ApacheLogLine::local_ms; -1 if it has none
// (a stack trace's lines, such as the learner's "changes proposed in reconfig").
int64_t ApacheLogLineLocalMs(std::string_view line);

class ApacheElectionTracker {
 public:
  explicit ApacheElectionTracker(std::set<int> voters);

  // Member `node` (re)started: what its previous run said no longer counts.
  void MemberStarted(int node);
  // `add` or `remove` changed who votes.
  void SetVoters(std::set<int> voters) { voters_ = std::move(voters); }
  // The facts a line of member `node`'s log tells, stamped `t_ms` / `wall_ms`, in order.
  std::vector<VoteFact> Feed(int node, const ApacheLogLine& line, int64_t t_ms, int64_t wall_ms);

 private:
  struct Member {
    bool start_pending = false;  // "New election" seen, its first own vote not yet
    bool by_reconfig = false;    // its next decision is a reconfig's hand-over, not an election
    bool has_vote = false;
    VoteFact vote;                  // its last own vote
    std::map<int, VoteFact> heard;  // while LOOKING: the last notification from each sender
  };
  std::optional<VoteFact> OwnVote(int node, Member& m, const VoteFact& n);
  VoteFact Decision(int node, Member& m, const ApacheLogLine& line);
  VoteFact HandOver(int node, const ApacheLogLine& line) const;
  bool IsQuorum(const std::set<int>& sids) const;

  std::set<int> voters_;
  std::map<int, Member> members_;
};

}  // namespace pc
