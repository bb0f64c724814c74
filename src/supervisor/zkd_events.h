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

namespace pc {

enum class Role { kUnknown, kLooking, kFollowing, kLeading, kObserving, kStandalone };

const char* RoleName(Role role);  // "looking", "follower", "leader", "observer", "standalone"

struct ZkdEvent {
  enum class Kind { kState, kServing, kQuorumLost, kOther } kind = Kind::kOther;
  Role role = Role::kUnknown;
  int64_t epoch = -1;
  uint64_t zxid = 0;
  int64_t election_ms = -1;
  std::string name;  // the "event" field as written
};

// Parses one line; nullopt with `error` set when the line is not a JSON object with "event".
std::optional<ZkdEvent> ParseZkdEvent(const std::string& line, std::string* error);

}  // namespace pc
