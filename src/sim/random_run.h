// One randomized election run per seed (the VOPR idea): members start at random times from
// random durable states, then a chaos phase of crashes, restarts, symmetric and one-way
// partitions, delays, loss and duplication, all drawn from the seed; then the faults stop
// (everyone restarted, network healed and tame) and the ensemble must settle — one leader, every
// voter following it, every observer observing it — within settle_ticks_max and stay settled.
// Invariants are checked after every step throughout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/client_load.h"
#include "sim/election_invariants.h"
#include "sim/replica_invariants.h"

namespace zk::sim {

struct RandomRunConfig {
  int voters = 3;
  int observers = 0;
  int64_t chaos_ticks = 300;
  int64_t settle_ticks_max = 400;
  int64_t stable_ticks = 20;  // settled this long counts as settled
  bool echo = false;          // print the trace as it happens
};

struct RandomRunResult {
  bool ok = false;
  std::string failure;
  int64_t settle_ticks = 0;  // from the end of the faults to settled
  uint64_t steps = 0;
  ElectionStats stats;
  std::vector<std::string> trace_tail;  // on failure
};

RandomRunResult RunRandomElection(uint64_t seed, const RandomRunConfig& config);

// The same chaos with the real Replica (election + Zab + Core) on simulated disks, quorum
// connections that are FIFO until they break (loss and partitions break them), slow fsyncs,
// and simulated clients writing and reading throughout the chaos. Checked after every step:
// roles and Zab's invariants (ZabChecker). After the faults stop: settled (ZabSettled) within
// settle_ticks_max, then every acknowledged write is on every member.
struct ReplicaRunConfig {
  int voters = 3;
  int observers = 0;
  int clients = 3;
  int64_t chaos_ticks = 400;
  int64_t settle_ticks_max = 3000;
  int64_t stable_ticks = 20;
  bool echo = false;
  bool trace_zab = false;  // every Zab packet into the trace
};

struct ReplicaRunResult {
  bool ok = false;
  std::string failure;
  int64_t settle_ticks = 0;
  uint64_t steps = 0;
  ZabStats zab;
  ClientStats clients;
  std::vector<std::string> trace_tail;  // on failure
};

ReplicaRunResult RunRandomReplica(uint64_t seed, const ReplicaRunConfig& config);

}  // namespace zk::sim
