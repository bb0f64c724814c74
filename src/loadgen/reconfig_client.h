// ReconfigClient: the runner behind `pseudo-cluster add` / `remove` (supervisor/reconfig_call.h):
// one short session of Debian's C client (libzookeeper-mt), logged in as super with the digest
// scheme, that sends one incremental reconfig and waits for its answer. Blocking: the supervisor
// calls it on libuv's thread pool. The C client's own threads end with the session.
#pragma once

#include "supervisor/reconfig_call.h"

namespace pc::loadgen {

ReconfigAnswer CallReconfig(const ReconfigAsk& ask);

// The one line for a reconfig result code: zerror's text and, for the codes reconfig has,
// what it means here ("ZNEWCONFIGNOQUORUM: ...").
std::string ReconfigErrorText(int rc);

}  // namespace pc::loadgen
