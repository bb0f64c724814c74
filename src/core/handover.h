// The designated leader of a reconfig (ZooKeeper 3.5+, Leader.getDesignatedLeader): when a
// leader commits a reconfig, it names who leads the new configuration, so that the members go
// straight to LEADING / FOLLOWING it (COMMITANDACTIVATE) instead of running an election.
//   - itself, if it stays a voter;
//   - otherwise one of the new voters that acked the reconfig, narrowed down by the proposals
//     outstanding after it, in zxid order: the candidate that acked the most of them in a row
//     has the most of the leader's history, so the fewest proposals are dropped. Among equals
//     the lowest id (the order ZooKeeper's HashSet of small Longs iterates in).
// Pure.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "core/election.h"

namespace zk {

// `acked`: who acked the reconfig; `later_acks`: the ackers of each outstanding proposal after
// it, in zxid order. 0 when no new voter but this one acked (the caller falls back to an
// election; a quorum of the new voters acked, so this happens only with a single new voter).
int64_t DesignatedLeader(int64_t my_id, const Membership& next, const std::set<int64_t>& acked,
                         const std::vector<std::set<int64_t>>& later_acks);

}  // namespace zk
