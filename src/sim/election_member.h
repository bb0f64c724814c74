// ElectionMember: a SimMember made of the pure Election plus a stand-in for Zab's liveness, so
// that elections can be simulated before Zab exists.
//
// The stand-in (to be replaced by the broadcast layer): a LEADING member pings every other
// member each tick on the quorum channel and steps down to LOOKING when the voters that answered
// within lease_ticks (itself included) are no longer a quorum; a FOLLOWING/OBSERVING member
// answers its leader's pings and goes back to LOOKING when it has not heard from it for
// lease_ticks. Going back to LOOKING means Election::Start() from the SimDisk, as ZooKeeper does.
//
// Election notifications travel encoded with peer_wire; a malformed one is counted and dropped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/election.h"
#include "sim/simulator.h"
#include "sim/tuning.h"

namespace zk::sim {

class ElectionMember : public SimMember {
 public:
  ElectionMember(int64_t sid, SimDisk* disk, const Membership& membership, const SimTuning& tuning);

  void Start() override;
  void Step(const SimMessage& m) override;
  void Tick() override;
  void PeerDisconnected(int64_t sid) override;  // the election stops waiting for its vote
  std::vector<SimMessage> TakeMessages() override;
  std::vector<SimEvent> TakeEvents() override;
  MemberView view() const override;

  const Election& election() const { return election_; }
  uint64_t malformed() const { return malformed_; }

 private:
  void Restart(const char* why);  // back to LOOKING
  void AfterStep();               // notices a new decision, moves notifications to the outbox
  void SendQuorum(int64_t to, int32_t kind);

  int64_t sid_;
  SimDisk* disk_;
  Membership membership_;
  SimTuning tuning_;
  Election election_;
  int64_t ticks_ = 0;
  bool had_decision_ = false;
  // Stand-in liveness.
  int64_t decided_at_tick_ = 0;
  int64_t leader_heard_tick_ = 0;
  std::map<int64_t, int64_t> ack_tick_;  // leader: voter -> last tick it answered
  uint64_t malformed_ = 0;
  std::vector<SimMessage> outbox_;
  std::vector<ElectionFact> facts_;  // drained after every step, reused
  std::vector<SimEvent> events_;
};

}  // namespace zk::sim
