// Election: ZooKeeper's FastLeaderElection (docs/election.md) as a pure state machine.
//
// One Election object lives as long as the server process (its logical clock is volatile, as in
// ZooKeeper: a restarted server counts from 0 again). Driven only by:
//   Start(last_zxid, current_epoch)  begin a round (lookForLeader): logical clock + 1, LOOKING,
//                                    propose self, notify every voter
//   Step(notification)               a notification from a peer, already decoded and with the
//                                    sender's sid checked against the connection by the caller
//   Tick()                           one election tick: resend backoff, finalize wait
//   PeerLost(sid)                    the shell saw its connection to sid close (EOF / RST, or
//                                    its dials refused): sid cannot send a vote until it speaks
//                                    again (any notification from it says it is back)
// and answers with:
//   TakeMessages()                   notifications to send, in order, each with its recipient
//   decision()                       nullopt while LOOKING; otherwise LEADING / FOLLOWING leader /
//                                    OBSERVING leader, with the election epoch, the leader's
//                                    proposed zxid and peer epoch
//   TakeFacts()                      what happened, for the supervisor's vote timeline: every
//                                    notification received, every change of our own vote, the
//                                    decision (ElectionFact); bounded, the owner drains it
//
// How a broadcast (Zab) layer sits on top: after every Step/Tick it looks at decision(); when a
// decision appears it runs discovery with that leader (the decided peer_epoch/zxid are what the
// leader claimed in the election; the new Zab epoch is still computed in discovery). Once the new
// epoch is established it calls UpdatePeerEpoch(new_epoch) (ZooKeeper's updateElectionVote), so
// that joiners see the current epoch. When it loses its leader or its quorum it calls Start()
// again with its durable (last zxid, current epoch). Between elections the Election object keeps
// answering LOOKING peers with the current decision — that is what lets a server joining a
// running ensemble follow the existing leader instead of forcing a new election, and, from an
// observer, what tells a member back in an old config the current one — so the shell must keep
// feeding it election-port notifications in every state, on observers too (election_answers.cc).
//
// Nothing here reads a clock, does I/O, uses threads or randomness; only ordered containers.
// Not thread-safe: one owner calls everything.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zk {

// ServerState, with ZooKeeper's wire values.
enum class PeerState : int32_t { kLooking = 0, kFollowing = 1, kLeading = 2, kObserving = 3 };
const char* PeerStateName(PeerState s);  // "LOOKING", "FOLLOWING", ...

// Non-voting servers propose this for sid, zxid and epoch (Long.MIN_VALUE in ZooKeeper).
inline constexpr int64_t kNoVote = std::numeric_limits<int64_t>::min();

// Who may vote and who only observes; ZooKeeper's QuorumMaj. A fixed membership (no reconfig).
class Membership {
 public:
  Membership() = default;
  Membership(std::set<int64_t> voters, std::set<int64_t> observers);

  const std::set<int64_t>& voters() const { return voters_; }
  const std::set<int64_t>& observers() const { return observers_; }
  bool IsVoter(int64_t sid) const { return voters_.count(sid) > 0; }
  bool IsObserver(int64_t sid) const { return observers_.count(sid) > 0; }
  bool IsMember(int64_t sid) const { return IsVoter(sid) || IsObserver(sid); }
  // More than half of the voters are in `acks`; non-voters in `acks` do not count.
  bool IsQuorum(const std::set<int64_t>& acks) const;
  size_t QuorumSize() const { return voters_.size() / 2 + 1; }
  // Empty when usable; otherwise one line saying what is wrong.
  std::string Validate() const;

 private:
  std::set<int64_t> voters_;
  std::set<int64_t> observers_;
};

// What a server proposes (or has decided): ZooKeeper's Vote.
struct Vote {
  int64_t leader = 0;          // proposed leader sid
  int64_t zxid = 0;            // proposed leader's last zxid
  int64_t election_epoch = 0;  // logical clock of the round
  int64_t peer_epoch = 0;      // proposed leader's currentEpoch
  PeerState state = PeerState::kLooking;
  bool operator==(const Vote&) const = default;
};

// ZooKeeper's Vote.equals: if either side is LOOKING all four numbers must match, otherwise only
// the leader and the peer epoch (votes of servers out of election keep an old round number).
bool VotesAgree(const Vote& a, const Vote& b);

// totalOrderPredicate(new, current): peer epoch, then zxid, then sid. A non-voter candidate never
// wins.
bool VoteBeats(const Membership& m, int64_t new_leader, int64_t new_zxid, int64_t new_peer_epoch,
               int64_t cur_leader, int64_t cur_zxid, int64_t cur_peer_epoch);

// One election message (the v2 notification of docs/election.md, Notifications, plus the
// sender's sid, which ZooKeeper takes from the connection).
struct Notification {
  int64_t sid = 0;  // sender
  PeerState state = PeerState::kLooking;
  int64_t leader = 0;
  int64_t zxid = 0;
  int64_t election_epoch = 0;
  int64_t peer_epoch = 0;
  bool operator==(const Notification&) const = default;
};

struct OutgoingNotification {
  int64_t to = 0;
  Notification n;
};

struct ElectionConfig {
  int64_t my_id = 0;
  Membership membership;
  // finalizeWait: after a quorum agrees with our proposal, wait this many ticks for a better vote.
  // ZooKeeper waits 200 ms; peers on one host answer in microseconds, so a couple of ticks. Not
  // waited at all once every voter not known lost has a vote in that agrees (kLookingAll).
  int32_t finalize_wait_ticks = 2;
  // Resend backoff while LOOKING: our vote goes out again this many ticks after we last sent it;
  // the interval starts here at each Start(), doubles on each resend, and is capped.
  int32_t min_notification_ticks = 2;
  int32_t max_notification_ticks = 32;
  // Named limit: at most this many notifications queued between TakeMessages() calls.
  size_t outbox_max = 4096;
  // Named limit: at most this many facts kept between TakeFacts() calls (the oldest go first).
  size_t facts_max = 256;
};

// How a decision was reached (for logs and for the simulator's invariant checks).
enum class DecidedBy {
  kLookingQuorum,  // a quorum of the round agreed with our proposal, and finalizeWait passed
  kLookingAll,     // a quorum agreed, and so did every voter not known lost: no better vote can
                   // come, so no finalizeWait
  kRoundFollow,    // FOLLOWING/LEADING notifications of our own round formed a quorum
  kOutOfElection,  // FOLLOWING/LEADING notifications of any round formed a quorum (a joiner)
  kReconfig,       // no round: a committed reconfig named the leader (ZooKeeper's designated
                   // leader, COMMITANDACTIVATE); DecideByReconfig
};
const char* DecidedByName(DecidedBy d);

struct Decision {
  PeerState state = PeerState::kLooking;  // LEADING, FOLLOWING or OBSERVING
  int64_t leader = 0;
  int64_t zxid = 0;            // the leader's zxid as proposed in the election
  int64_t election_epoch = 0;  // the round it was decided in
  int64_t peer_epoch = 0;      // the leader's currentEpoch as proposed (see UpdatePeerEpoch)
  DecidedBy by = DecidedBy::kLookingQuorum;
  // The voters whose votes made the quorum, with the state each vote carried.
  std::map<int64_t, PeerState> supporters;
  // Voters whose last vote of the round, when it was decided, was for a better candidate than
  // the one decided (a leader decided before a late better vote reached it; Replica's
  // MaybeGiveUpLead).
  std::set<int64_t> voting_better;
  int64_t ticks_taken = 0;  // ticks from Start() to the decision
  bool operator==(const Decision&) const = default;
};

// Why this server's own vote changed.
enum class VoteChange {
  kStart,       // Start(): a voter proposes itself
  kBetterVote,  // a notification of our round carried a vote that beats ours
  kNewRound,    // a notification of a newer round: we joined it, with the better of its vote
                // and our own first vote
};
const char* VoteChangeName(VoteChange c);  // "start", "better_vote", "new_round"

// One thing that happened in the election, recorded for the supervisor's vote timeline
// (`pseudo-cluster events --votes`). Only recorded, never read back by the election; pure: it
// carries no time, the shell stamps it.
struct ElectionFact {
  enum class Kind {
    kNotification,  // a notification from a member arrived (in any state of ours)
    kVote,          // our own vote changed (observers have none, so record none)
    kDecision,      // we left the election
  };
  Kind kind = Kind::kNotification;
  // kNotification: what arrived, and our state when it did. kVote: the notification that changed
  // our vote (sid 0 for kStart).
  Notification notification;
  PeerState my_state = PeerState::kLooking;
  // kVote: the new vote (election_epoch is our round) and why it changed.
  Vote vote;
  VoteChange why = VoteChange::kStart;
  // kDecision: what was decided, with the supporters; `voters` is the number of voters.
  Decision decision;
  size_t voters = 0;
};

class Election {
 public:
  explicit Election(ElectionConfig config);

  // Begins a round: ZooKeeper's lookForLeader. Voters propose (my_id, last_zxid, current_epoch);
  // non-voters (observers, non-voting followers) propose nothing (kNoVote) and learn the leader
  // from the voters.
  void Start(int64_t last_zxid, int64_t current_epoch);

  // A notification from a peer. A sender that is not a member (a server about to join by
  // reconfig) is answered like a non-voter and never counted.
  void Step(const Notification& n);

  void Tick();

  // The connection to `sid` closed (the shell saw EOF / RST, or its dials fail). A voter known
  // lost is not waited for: once every other voter's vote is in and agrees with ours, we decide
  // at once instead of after finalizeWait. Lasts until a notification from `sid` arrives, across
  // rounds (the loss that starts an election is usually heard before Start()).
  void PeerLost(int64_t sid);
  const std::set<int64_t>& lost_peers() const { return lost_; }

  // Notifications to send, oldest first; the caller delivers them in this order.
  std::vector<OutgoingNotification> TakeMessages();

  // The facts recorded since the last call, oldest first, appended to *out; returns how many
  // were dropped meanwhile because more than facts_max piled up.
  int64_t TakeFacts(std::vector<ElectionFact>* out);

  const std::optional<Decision>& decision() const { return decision_; }
  PeerState state() const { return decision_ ? decision_->state : PeerState::kLooking; }
  bool started() const { return started_; }
  int64_t logical_clock() const { return logical_clock_; }
  // The vote this server currently stands behind: its proposal while LOOKING, its decision after.
  Vote current_vote() const;

  // A committed reconfig handed leadership over to `leader` (ZooKeeper's designated leader,
  // QuorumPeer.updateVote + reconfigFlag): decided without a round, as LEADING when it is us,
  // otherwise FOLLOWING (OBSERVING when the config names us an observer). From now on LOOKING
  // peers are answered with this decision, as after an election. `zxid` and `peer_epoch` are what
  // the vote carries (the reconfig's zxid, our current epoch). The leader must be a voter.
  void DecideByReconfig(int64_t leader, int64_t zxid, int64_t peer_epoch);

  // Zab established a new epoch under the decided leader (ZooKeeper's updateElectionVote): the
  // current vote's peer epoch becomes it, so servers joining later agree with the others.
  void UpdatePeerEpoch(int64_t new_epoch);

  const ElectionConfig& config() const { return config_; }
  // A reconfig activated: who votes from now on. It may leave this server out (a joiner, or a
  // member it removed): then this server votes for nobody and, decided, follows without a vote.
  void SetMembership(Membership m);
  int32_t notification_interval_ticks() const { return notification_interval_ticks_; }
  bool finalizing() const { return finalize_ticks_left_ > 0; }

 private:
  // An observer, or a participant the config leaves out (a non-voting follower): no vote.
  bool NonVoterSelf() const { return !config_.membership.IsVoter(config_.my_id); }
  void UpdateProposal(int64_t leader, int64_t zxid, int64_t peer_epoch);
  // What the election sends (election_answers.cc).
  void SendNotifications();  // to every voter; our own vote goes straight into recvset
  void Send(int64_t to, const Vote& v, PeerState state);
  void AnswerNonVoter(const Notification& n);       // n's sender does not vote
  void AnswerOutOfElection(const Notification& n);  // a voter's, and we have decided
  void AnswerLooking(const Notification& n);        // a voter's, and we are LOOKING
  Vote Proposal() const;
  void HandleLooking(const Notification& n);
  void HandleOutOfElection(const Notification& n);
  // If a quorum agrees with our proposal: decide at once when every voter not known lost agrees
  // too (DecideIfAllAgree), otherwise start the finalize wait.
  void CheckLookingQuorum();
  bool DecideIfAllAgree();  // true if it decided
  // Every voter not in lost_ (ourselves included) has a vote in recvset_ that agrees with ours.
  bool AllReachableAgree() const;
  // The voters in `votes` whose vote agrees with `target`.
  std::set<int64_t> Agreeing(const std::map<int64_t, Vote>& votes, const Vote& target) const;
  bool CheckLeader(const std::map<int64_t, Vote>& votes, int64_t leader,
                   int64_t election_epoch) const;
  void Decide(int64_t leader, int64_t zxid, int64_t peer_epoch, DecidedBy by,
              const std::map<int64_t, Vote>& votes, const std::set<int64_t>& acks);
  void Record(ElectionFact fact);
  // Records the current proposal as our new vote; `cause` brought it (null for kStart).
  void RecordVote(VoteChange why, const Notification* cause);

  ElectionConfig config_;
  bool started_ = false;
  int64_t logical_clock_ = 0;
  // Durable facts of this round (getInitId/getInitLastLoggedZxid/getPeerEpoch).
  int64_t init_zxid_ = kNoVote;
  int64_t init_epoch_ = kNoVote;
  // Current proposal while LOOKING.
  int64_t proposed_leader_ = kNoVote;
  int64_t proposed_zxid_ = kNoVote;
  int64_t proposed_epoch_ = kNoVote;
  std::map<int64_t, Vote> recvset_;
  // By sender: the notification last answered at once, and the vote we answered with.
  std::map<int64_t, std::pair<Notification, Vote>> answered_;
  std::map<int64_t, Vote> outofelection_;
  std::set<int64_t> lost_;  // voters whose connection closed and who have not spoken since
  std::optional<Decision> decision_;
  // Resend backoff and finalize wait, in ticks.
  int32_t notification_interval_ticks_ = 0;
  int32_t ticks_since_broadcast_ = 0;
  int32_t finalize_ticks_left_ = 0;
  int64_t round_ticks_ = 0;
  std::vector<OutgoingNotification> outbox_;
  std::deque<ElectionFact> facts_;
  int64_t facts_dropped_ = 0;
};

}  // namespace zk
