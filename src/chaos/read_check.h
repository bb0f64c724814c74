// What ZooKeeper promises about the register workload's reads, and no more. A read may be stale
// (a follower serves it from its own, possibly lagging, tree), so reads are not linearizable;
// but every read returns a state that really existed, and a session's view never goes back:
//
//  - a read's (value, version) was written: version v is produced by exactly one setData, so
//    it must be the value of the ok write or cas that claims v, or of an info write or cas
//    (outcome unknown; it may have made v), or the initial value at the initial version; and
//    that write must have been invoked before the read completed. A read of a value that only a
//    failed write wrote, or that no write wrote, is a violation.
//  - per session and register, in the session's order: a read never returns a version older
//    than one the session already read (monotonic reads) or wrote (read-your-writes), and an ok
//    write or cas never produces a version at or below one the session has seen (ZooKeeper
//    applies a session's requests in order, and a client never reconnects to a server behind
//    what it has seen).
//  - an ok cas's own getData ("read" in its completion) saw the value it expected and the
//    version just below the one its setData produced: a cas must read the version it claims.
//
// Without versions in the history only "the value was written" can be checked; the rest is
// skipped for those reads. Only ok reads are checked. Pure: no I/O, clock or threads.
#pragma once

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos {

// Check "register-reads".
CheckResult CheckReads(const History& history);

}  // namespace pc::chaos
