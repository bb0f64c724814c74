// The `session` workload: ephemerals and watches across faults. Each client process holds one
// session at a time, creates ephemerals (create with ephemeral: true), looks at them (exists),
// sets watches (watch) and changes watched nodes (write, delete); "notify" records the
// notifications it receives, "session" records that it learned its session expired, and the
// final listings carry each ephemeral's owner. What ZooKeeper promises, as checked here:
//
//  - an ephemeral disappears only when its session ended. An ok write (create, write, cas,
//    delete, close) proves its session alive when it was invoked: the leader refuses any
//    write of a session whose close has committed or begun. The ephemeral is seen gone when a
//    session that saw it before (its own create, or exists = true) later gets exists = false
//    (reads never go back within a session), when a NodeDeleted notification for it arrives, or
//    when a final listing lacks it. Gone at t while its owner does an ok write invoked after t
//    is a violation ("ephemeral-lost"): so a session still alive at the end, as a final write
//    by each live session proves, keeps all its ephemerals. An owner that merely fell silent
//    may have expired unseen: nothing is claimed about it.
//  - an ephemeral does not outlive its session's ok close: the close is answered after it
//    commits, so a final listing made after it must not show the node.
//  - every watch fires at most once: a notification consumes the session's watches on that
//    path of the kinds the event triggers (data: NodeCreated, NodeDataChanged, NodeDeleted;
//    child: NodeChildrenChanged, NodeDeleted; ZooKeeper sends one notification for both); one
//    with nothing armed (set by an ok or info watch invoked before it) is a violation.
//  - a watch fires only for a change that happened: NodeDataChanged needs an ok or info write
//    to the path invoked before the notification (and, when both versions are known, one newer
//    than the version the watch saw); NodeCreated a create of the path; NodeChildrenChanged a
//    create or delete under it; NodeDeleted a delete of it, or for an ephemeral its creation
//    (the session's end is what deletes it, and ephemeral-lost judges that).
// Pure: no I/O, clock or threads.
#pragma once

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos {

// Check "session".
CheckResult CheckSessions(const History& history);

}  // namespace pc::chaos
