// SimTuning: every knob of a simulated ensemble and of a randomized run, in one struct, with the
// defaults that `sim`'s command line, the scenarios and the randomized runs start from. The
// election members (ElectionMember), the Replica members (ReplicaMember), the simulated clients
// (ClientLoad) and the runs (random_run.h) each read the fields that concern them; none keeps a
// tuning struct of its own. Times are in simulator ticks unless a name says otherwise.
//
// Not tuning, so not here: NetworkFaults (network.h) is the network's fault state, which the
// chaos changes as a run goes; the *Stats structs count what happened.
//
// Plain data; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zk::sim {

struct SimTuning {
  // The ensemble.
  int voters = 3;
  int observers = 0;

  // Election (ElectionConfig).
  int32_t finalize_wait_ticks = 2;
  int32_t min_notification_ticks = 2;
  int32_t max_notification_ticks = 32;
  // ElectionMember's stand-in for Zab's liveness: its syncLimit.
  int32_t lease_ticks = 5;

  // Zab (ReplicaMember): one sim tick is tick_ms of wall clock; tickTime = ticks_per_tick_time
  // ticks.
  int32_t tick_ms = 10;
  int32_t ticks_per_tick_time = 10;
  int32_t init_limit = 10;  // tickTimes
  int32_t sync_limit = 5;   // tickTimes
  int32_t session_timeout_min_ms = 200;
  int32_t session_timeout_max_ms = 4000;
  size_t history_max = 10'000;  // ReplicaConfig::history_max: txns kept in memory for DIFF
  // ReplicaConfig::snapshot_size_factor: DIFF from the log past that history (negative: never).
  double snapshot_size_factor = 0.33;

  // Disk (ReplicaMember): with this probability a log sync completes 1..sync_delay_max_ticks
  // ticks after the append instead of within the step.
  double sync_delay_chance = 0;
  int32_t sync_delay_max_ticks = 0;
  // Crash: a random prefix of the unsynced log tail may survive.
  bool crash_keeps_some_unsynced = true;
  // Randomized Replica runs: per chaos tick, the chance that a random member's data directory
  // fills up (or, if full, empties): it cannot write epoch files meanwhile (SimDisk). 0: never,
  // and the run draws exactly what it drew before this fault existed.
  double data_dir_full_chance = 0;

  // Simulated clients (ClientLoad).
  int clients = 3;
  double request_chance = 0.3;  // per tick, per attached client with room in its pipeline
  size_t pipeline_max = 2;      // outstanding requests per client
  double attach_chance = 0.3;   // per tick, for a client without a member
  int64_t ping_ticks = 10;
  int32_t client_session_timeout_ms = 2000;  // what a client asks for

  // Randomized runs (random_run.h): chaos this long, then settled within the run's maximum and
  // for stable_ticks in a row.
  int64_t chaos_ticks = 300;
  int64_t election_settle_ticks_max = 400;
  int64_t replica_settle_ticks_max = 3000;  // a Replica run settles Zab too
  int64_t stable_ticks = 20;
  // Replica runs: during the chaos, now and then arm a crash point (crash_points.h) on a random
  // member. Drawn from a second stream of the seed, so a seed's run is the same as without
  // crash points until the first one fires.
  bool crash_points = false;

  // Output.
  bool echo = false;       // print the trace as it happens
  bool trace_zab = false;  // every Zab packet delivered (but pings) into the trace
  // reconfigEnabled (with skipACL): members keep their membership in /zookeeper/config and
  // take the reconfig op.
  bool reconfig = false;
  // Randomized Replica runs with reconfig: servers outside the starting config that start
  // with the others and may join, and per chaos tick the chance of a random reconfig
  // (random_reconfig.h).
  int spares = 0;
  double reconfig_chance = 0.03;
};

}  // namespace zk::sim
