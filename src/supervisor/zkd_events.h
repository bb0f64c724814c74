// The contract between the supervisor and zkd for reporting roles.
//
// The supervisor starts `build/zkd <node dir>/zoo.cfg` with an extra pipe as file descriptor 3
// and the environment variable ZKD_EVENT_FD=3. zkd writes one JSON object per line to that fd
// (and nothing else; a zkd started without ZKD_EVENT_FD writes no events). Lines:
//
//   {"event":"state","state":"LOOKING|FOLLOWING|LEADING|OBSERVING|STANDALONE",
//    "epoch":N,"zxid":"0x..","election_ms":N}
//        on every state change; epoch is the current (peer) epoch, zxid the one `srvr` shows,
//        election_ms how long the election that ended in this state took (0 for LOOKING).
//   {"event":"serving"}       the server now accepts client requests (after sync for learners).
//   {"event":"quorum_lost"}   a leader no longer hears from a quorum and steps down.
//   {"event":"storage_failed","what":"currentEpoch","error":"No space left on device",
//    "detail":"<zkd's error line>"}
//        zkd could not record `what` (acceptedEpoch, currentEpoch, a snapshot, the log) and left
//        the quorum until a probe write to its data directory succeeds.
//   {"event":"storage_recovered"}   that probe succeeded: it rejoins through an election.
//
// The election, fact by fact (for `events --votes`; vote_facts.h). Rounds are logical clocks;
// "leader" is a sid (-9223372036854775808: an observer's "no vote"), "peer_epoch" the proposed
// leader's currentEpoch:
//   {"event":"notification","from":2,"state":"LOOKING","leader":2,"zxid":"0x0","round":1,
//    "peer_epoch":0,"my_state":"LOOKING"}
//        every election notification zkd receives from a member, in any state of its own:
//        the sender, its state and vote, and the receiver's state (my_state).
//   {"event":"vote","leader":3,"zxid":"0x0","round":1,"peer_epoch":0,"why":"better_vote",
//    "from":3}
//        zkd's own vote changed: why is start (its first vote, for itself), better_vote (the
//        notification of `from` in the same round beats it) or new_round (`from` is in a newer
//        round: zkd joined it, with the better of that vote and its own first vote).
//   {"event":"decision","state":"FOLLOWING","leader":3,"zxid":"0x0","round":1,"peer_epoch":0,
//    "by":"looking-quorum","supporters":[1,3],"voters":3,"election_ms":40}
//        zkd left the election. by: looking-quorum (a quorum of its round agreed, and the
  //        finalize wait passed), looking-all (a quorum agreed and so did every voter whose
  //        connection had not closed: no finalize wait), round-follow (FOLLOWING/LEADING votes
  //        of its round made a quorum), out-of-election (it joined a running ensemble), reconfig
  //        (no election: a committed reconfig named the designated leader; no supporters);
  //        supporters: the voters whose votes made the quorum.
//   {"event":"votes_dropped","count":N}
//        N facts were lost before this line (the event pipe was full — facts may take only half
//        of it, the rest is kept for state lines — or more piled up than zkd keeps between two
//        writes); sent ahead of the next line that gets through.
//
// Until a zkd has sent its first event, the supervisor also takes its role from `srvr` on the
// client port (Mode / Zxid lines), as for Apache ZooKeeper; after that, from events only.
// Unknown events and unknown fields are ignored, so either side can add to the contract. A line
// that is not JSON is logged by the supervisor and skipped. zkd must not block on the pipe: if the
// supervisor is slow the write may fail with EAGAIN and the event is lost; nothing else breaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "supervisor/vote_facts.h"

namespace pc {

enum class Role { kUnknown, kLooking, kFollowing, kLeading, kObserving, kStandalone };

const char* RoleName(Role role);  // "looking", "follower", "leader", "observer", "standalone"

struct ZkdEvent {
  enum class Kind {
    kState,
    kServing,
    kQuorumLost,
    kVoteFact,
    kStorageFailed,
    kStorageRecovered,
    kOther
  } kind = Kind::kOther;
  Role role = Role::kUnknown;
  int64_t epoch = -1;
  uint64_t zxid = 0;
  int64_t election_ms = -1;
  std::string name;  // the "event" field as written
  // kStorageFailed: what could not be recorded, and the system's error text.
  std::string what;
  std::string error;
  // kVoteFact (notification, vote, decision, votes_dropped): the fact, without node and time.
  VoteFact fact;
};

// Parses one line; nullopt with `error` set when the line is not a JSON object with "event".
std::optional<ZkdEvent> ParseZkdEvent(const std::string& line, std::string* error);

}  // namespace pc
