// Scenario files: small plain-text scripts that drive the simulator and state what must hold,
// in the spirit of etcd raft's testdata. One command per line; '#' starts a comment.
//
//   voters 1 2 3 4 5            the ensemble (before anything starts)
//   observers 6
//   spares 7 8                  servers outside the starting config, started later to join it
//                               by a reconfig (scenario_reconfig.cc)
//   tuning finalize=2 min=2 max=32 lease=5
//   set-zxid 4 0x100000007      durable state (zxid, current/accepted epoch) of a member
//   set-epoch 4 1
//   start 1 2 3 | crash 3 | restart 3
//   partition 1,2 | 3,4,5       symmetric: nothing crosses between the groups
//   partition 1 -> 3            one-way: 1's messages to 3 are lost
//   heal
//   net delay 0 3 | net loss 0.1 | net duplicate 0.05
//   tick 50
//   expect leader 2 [round R] [epoch E]
//   expect following 1 3 [leader 2] [round R]
//   expect observing 6 [leader 2]
//   expect looking 4 5 | expect down 3 | expect no-leader | expect settled
//   print                       the members' states, into the trace
//
// With `mode replica` (first), the members are the real Replica (election + Zab + Core) on
// simulated disks, over quorum connections, with Zab's invariants checked after every step:
//   write 2 [N]                 N (default 1) creates through a client attached to member 2
//                               (it waits until 2 serves)
//   expect acked N              N writes acknowledged so far
//   expect serving 1 2 | expect not-serving 3
//   expect epoch 2 3            member 2's current Zab epoch is 3
//   expect same-digest          every member up has applied the same zxid, with the same tree
//   disk-full 3 | disk-ok 3     member 3's data directory cannot (can again) take an epoch file:
//                               it leaves the quorum until a probe write succeeds
//   expect settled              one serving leader, everyone serving under it, same digest, and
//                               every acknowledged write on every member
//   (expect leader / following / observing / looking / down work as before; their `epoch` is
//   the Zab epoch)
//   tuning trace-zab=1          every Zab packet delivered (but pings) goes into the trace
//   tuning slow-sync=N          every log sync takes 1..N ticks (drawn from the seed)
//   tuning history=N            members keep N txns in memory for DIFF (default 10,000)
//   tuning log-diff=0           no DIFF from the on-disk log past that history (default: as
//                               ZooKeeper, snapshotSizeFactor 0.33)
//   crash-at, hold / release, session / ephemeral / close-session, forge, expect node / no-node:
//   see scenario_zab.h
//
// Every run is seeded (seed 1 unless `seed N` is given), with a quiet network by default, so a
// scenario is deterministic. The election invariants are checked after every step.
// If `<file>.golden` exists, the trace must equal it; RunScenario can rewrite it (`sim
// --scenario FILE --rewrite-golden`, or `make goldens` for all of them).
#pragma once

#include <string>

namespace zk::sim {

struct ScenarioOptions {
  bool echo = false;            // print the trace as it happens
  bool rewrite_golden = false;  // write <file>.golden from this run
};

// Runs one scenario file. Returns an empty string on success, else "file:line: what failed"
// followed by the trace.
std::string RunScenarioFile(const std::string& path, const ScenarioOptions& options);
// The same, for a script in memory (name is used in messages).
std::string RunScenarioText(const std::string& name, const std::string& text,
                            const ScenarioOptions& options, std::string* trace_out = nullptr);

}  // namespace zk::sim
