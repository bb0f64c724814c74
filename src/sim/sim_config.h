// The simulated members' dynamic configs (tuning reconfig=1): the server lines the simulator
// writes for them, what a spare is started with, and the config each member has in force.
// Addresses only show in /zookeeper/config (the network routes by id), but they must be
// distinct, as a reconfig refuses two servers on one address.
#pragma once

#include <cstdint>
#include <string>

#include "core/election.h"
#include "core/quorum_config.h"
#include "sim/simulator.h"

namespace zk::sim {

// "10.0.0.<id>:2888:3888:participant|observer;0.0.0.0:2181".
ServerSpec SimServer(int64_t id, bool observer);
// "server.<id>=..." as a reconfig's joining or newMembers names it.
std::string SimServerLine(int64_t id, bool observer);
QuorumConfig SimQuorumConfig(const Membership& m);
// The membership a member with this config runs in: the config's. One it leaves out is a
// non-voting follower (the Replica's rule, replica_reconfig.cc).
Membership LocalMembership(const QuorumConfig& qc);
// What a spare is laid out with, as `pseudo-cluster add` does it: the config a serving member
// has in force (the starting one if none serves) plus itself as a participant, version 0.
QuorumConfig JoinerConfig(const Simulator& sim, int64_t sid);
// The config member `sid` has in force ("" if it is down or no Replica).
std::string ActiveConfigText(const Simulator& sim, int64_t sid);

}  // namespace zk::sim
