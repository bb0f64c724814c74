// One randomized election run per seed (the VOPR idea): members start at random times from
// random durable states, then a chaos phase of crashes, restarts, symmetric and one-way
// partitions, delays, loss and duplication, all drawn from the seed; then the faults stop
// (everyone restarted, network healed and tame) and the ensemble must settle — one leader, every
// voter following it, every observer observing it — within election_settle_ticks_max (SimTuning)
// and stay settled. Invariants are checked after every step throughout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/client_load.h"
#include "sim/election_invariants.h"
#include "sim/replica_invariants.h"
#include "sim/tuning.h"

namespace zk::sim {

struct RandomRunResult {
  bool ok = false;
  std::string failure;
  int64_t settle_ticks = 0;  // from the end of the faults to settled
  uint64_t steps = 0;
  ElectionStats stats;
  std::vector<std::string> trace_tail;  // on failure
};

RandomRunResult RunRandomElection(uint64_t seed, const SimTuning& tuning);

// The same chaos with the real Replica (election + Zab + Core) on simulated disks, quorum
// connections that are FIFO until they break (loss and partitions break them), slow fsyncs,
// and simulated clients writing and reading throughout the chaos. Checked after every step:
// roles and Zab's invariants (ZabChecker). After the faults stop: settled (ZabSettled) within
// replica_settle_ticks_max, then every acknowledged write is on every member. With
// tuning.crash_points, members also die at random persistence steps (crash_points.h) during
// the chaos.
struct ReplicaRunResult {
  bool ok = false;
  std::string failure;
  int64_t settle_ticks = 0;
  uint64_t steps = 0;
  ZabStats zab;
  ClientStats clients;
  std::vector<std::string> trace_tail;  // on failure
};

ReplicaRunResult RunRandomReplica(uint64_t seed, const SimTuning& tuning);

}  // namespace zk::sim
