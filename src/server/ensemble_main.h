// RunEnsemble: zkd as one member of an ensemble (zoo.cfg names several servers): the
// EnsembleNode (Replica, peers, storage) behind the usual client shell, on one loop, until
// SIGTERM / SIGINT. Returns the process exit code.
#pragma once

#include "server/config.h"

namespace zk {

int RunEnsemble(const ServerConfig& config);

}  // namespace zk
