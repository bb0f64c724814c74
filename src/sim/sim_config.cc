#include "sim/sim_config.h"

#include "sim/replica_member.h"

namespace zk::sim {

ServerSpec SimServer(int64_t id, bool observer) {
  return ServerSpec{id, "10.0.0." + std::to_string(id), 2888, 3888, observer, "", 2181};
}

std::string SimServerLine(int64_t id, bool observer) {
  return "server." + std::to_string(id) + "=" + ServerSpecText(SimServer(id, observer));
}

QuorumConfig SimQuorumConfig(const Membership& m) {
  QuorumConfig qc;
  for (int64_t id : m.voters()) qc.Put(SimServer(id, false));
  for (int64_t id : m.observers()) qc.Put(SimServer(id, true));
  return qc;
}

Membership LocalMembership(const QuorumConfig& qc) {
  return Membership(qc.Voters(), qc.Observers());
}

QuorumConfig JoinerConfig(const Simulator& sim, int64_t sid) {
  QuorumConfig qc = SimQuorumConfig(sim.membership());
  for (int64_t id : sim.known()) {
    if (id == sid) continue;  // being started: not built yet
    const auto* m = dynamic_cast<const ReplicaMember*>(sim.member(id));
    if (!m || !m->replica().serving()) continue;
    QuorumConfig active;
    if (ParseQuorumConfig(m->replica().active_config_text(), &active).empty()) qc = active;
    break;
  }
  qc.Put(SimServer(sid, false));
  // `add` writes it as zoo.cfg.dynamic.0 (ZooKeeper's docs: the joiner's file has no version):
  // the ensemble's config, versioned by its first leader or by a reconfig, is newer: the joiner
  // adopts it from the votes, one that leaves it out, and follows without a vote until the
  // reconfig that adds it.
  qc.version = 0;
  return qc;
}

std::string ActiveConfigText(const Simulator& sim, int64_t sid) {
  const auto* m = dynamic_cast<const ReplicaMember*>(sim.member(sid));
  return m ? m->replica().active_config_text() : std::string();
}

}  // namespace zk::sim
