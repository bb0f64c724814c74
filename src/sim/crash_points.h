// Crash points: the persistence steps of a ReplicaMember at which the simulator can kill it,
// to drive the interleavings behind ZooKeeper's own Zab bugs (test/scenarios/zookeeper_*.txt).
//
// A point is armed per member (Simulator::ArmCrash, the scenario's `crash-at SID POINT`, or a
// randomized run with crash points on); the member stops carrying out its Ready the next time it
// reaches that step and asks to die; the simulator crashes it right after collecting what it
// had sent. What a crash keeps is SimDisk's rule: the synced log, the epoch files and the
// snapshot written so far; an unsynced log tail may be lost or partly kept.
//
// The steps, in the order ReplicaMember carries out one Ready (machine.h):
//   after-accepted-epoch   acceptedEpoch written
//   after-current-epoch    currentEpoch written
//   after-snapshot         a leader's SNAP installed (the old log dropped)
//   after-log-append       txns appended to the log, not yet synced
//   after-sync             the log synced, before Persisted() and before any message leaves
//   before-X / after-X     the message X about to leave (it does not) / just sent (it does),
//                          for X = ack (a proposal's ACK), newleader-ack (the ACK of
//                          NEWLEADER), ackepoch (ACKEPOCH)
//   before-config-file     a reconfig activated (applied at its commit, the txn in the log),
//                          its dynamic config file not yet written; zkd's shell writes it
//                          first thing in the Ready, so this comes before the steps above
// Plain data; no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace zk::sim {

enum class CrashPoint {
  kAfterAcceptedEpoch,
  kAfterCurrentEpoch,
  kAfterSnapshot,
  kAfterLogAppend,
  kAfterSync,
  kBeforeAck,
  kAfterAck,
  kBeforeNewLeaderAck,
  kAfterNewLeaderAck,
  kBeforeAckEpoch,
  kAfterAckEpoch,
  kBeforeConfigFile,  // last: random runs without reconfig leave it out (random_run.cc)
};

const char* CrashPointName(CrashPoint p);
std::optional<CrashPoint> ParseCrashPoint(const std::string& name);
// Every point, in the order above (random runs draw from it).
const std::vector<CrashPoint>& AllCrashPoints();

}  // namespace zk::sim
