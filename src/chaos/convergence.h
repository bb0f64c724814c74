// What holds of the ensemble itself, whatever the workload, from the facts gathered after the
// final heal ("member" records: last zxid, tree digest) and during the run ("leader" records:
// a member seen serving writes as leader of an epoch, from srvr or the supervisor's events):
//  - "convergence": every member has the same last zxid and, where reported, the same digest;
//  - "leaders": no epoch had two leaders (Zab gives each epoch at most one: a leader needs a
//    quorum to acknowledge NEWLEADER for its epoch, and two quorums intersect).
// Pure: no I/O, clock or threads.
#pragma once

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos {

CheckResult CheckConvergence(const History& history);
CheckResult CheckLeaders(const History& history);

}  // namespace pc::chaos
