// Reconfigs among the random events of a randomized Replica run (tuning reconfig=1): now and
// then, through a session it keeps on the serving leader, a reconfig of one of three kinds —
// a voter leaves, a spare joins (as a participant or an observer), a member switches between
// observer and participant. Many are refused (no quorum left, one in progress, a spare not
// synced): that is fine, the refusal is ZooKeeper's rule at work; whatever commits must keep
// the invariants, and the run must settle in the config it ends in (same config everywhere).
// Draws from its own Prng, so a run without reconfig draws what it always drew.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/prng.h"
#include "sim/simulator.h"

namespace zk::sim {

class RandomReconfig {
 public:
  RandomReconfig(Simulator* sim, uint64_t seed, double chance)
      : sim_(sim), prng_(seed), chance_(chance) {}
  // One tick of the chaos: keep the session alive, and with `chance` ask for a reconfig.
  void Tick();
  uint64_t asked() const { return asked_; }

 private:
  // The request body (ReconfigRequest) of a random reconfig from `config` ("" if none fits).
  std::string Draw(const std::string& config, std::string* said);

  Simulator* sim_;
  Prng prng_;
  double chance_;
  int64_t member_ = 0;  // where the session lives (0: none)
  int64_t session_ = 0;
  int64_t opened_at_ = 0;
  int32_t next_xid_ = 1;
  uint64_t asked_ = 0;
};

}  // namespace zk::sim
