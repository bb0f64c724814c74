// The I/O shell's two clocks. The pure core never reads a clock: the shell passes these in.
#pragma once

#include <cstdint>

namespace zk {

// Wall-clock milliseconds since the epoch: what ZooKeeper records in txn headers and Stats.
int64_t WallMs();
// Monotonic milliseconds (steady_clock): for durations the log prints, never stored.
int64_t SteadyMs();

}  // namespace zk
