// RunStandalone: zkd on its own (zoo.cfg names no other server): the Standalone machine, its
// DurableStore (recovery, txn log, snapshots, purge) and the client shell on one loop, until
// SIGTERM / SIGINT. Returns the process exit code (1: recovery failed or the client port is
// taken, each with one line saying so).
#pragma once

#include "server/config.h"

namespace zk {

int RunStandalone(const ServerConfig& config);

}  // namespace zk
