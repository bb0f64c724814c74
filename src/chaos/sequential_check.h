// The `sequential` workload: clients create sequential children under one parent; after the
// final heal every member lists the parent ("final" records). What ZooKeeper promises:
//
//  - every ok create's node exists on every member (an acknowledged write is never lost);
//  - no two ok creates got the same name;
//  - numbers follow real time: if create A completed before create B was invoked, A's number
//    is the lower (creates are linearizable writes; the number is the parent's counter at the
//    create's turn in the one log);
//  - the numbers are contiguous. ZooKeeper's suffix is the parent's counter of child creates
//    (StatPersisted.cversion: %010d of it, then +1). Only a create that commits advances it: a
//    failed create (NODEEXISTS, NOCHILDRENFOREPHEMERALS, …) is turned into an error txn before
//    the parent is touched, and a proposal lost in a leader change never commits, so its number
//    is handed out again. Deletes do not rewind it. So with persistent children and no deletes
//    the nodes present are numbered initial_cversion, +1, +2, … with no gap at all: an info
//    create either committed (its node is there) or did not (it took no number), and a fail
//    create took none. The one gap allowed is the number of an ephemeral sequential create
//    (ok or info), whose node may have gone with its session. (Checked against Apache
//    ZooKeeper 3.8: see docs/chaos.md.)
//  - every node present was made by an ok create that returned its name, or by one info create
//    with the same requested prefix (each explains at most one node);
//  - all members list the same children.
// Pure: no I/O, clock or threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos {

// Check "sequential".
CheckResult CheckSequential(const History& history);

// The sequence number at the end of a sequential node's name ("p3-0000000042" → 42, ZooKeeper's
// %010d of a signed int, so "-000000001" → -1), or nothing if the name has none.
std::optional<int64_t> SequenceNumber(const std::string& name);

}  // namespace pc::chaos
