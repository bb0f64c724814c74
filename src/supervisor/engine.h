// Engine: how a node's server process is launched. zkd is the binary next to pseudo-cluster
// (build/zkd, or $PSEUDO_CLUSTER_ZKD) and reports its roles over the event pipe (zkd_events.h);
// Apache ZooKeeper is `java ... QuorumPeerMain zoo.cfg`, found via --zookeeper-home,
// $ZOOKEEPER_HOME, or Debian's /usr/share/java/zookeeper.jar, and is polled with `srvr` for its
// role.
#pragma once

#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"

namespace pc {

struct Launcher {
  Engine engine = Engine::kZkd;
  std::string program;            // absolute path of the executable
  std::vector<std::string> args;  // before the zoo.cfg path (which comes last)
  bool event_pipe = false;        // give the child fd 3 + ZKD_EVENT_FD=3
  std::string error;              // non-empty: one line saying what to install or pass
  bool ok() const { return error.empty(); }
};

// `self_dir` is the directory of the running pseudo-cluster binary.
Launcher ResolveLauncher(const ClusterSpec& spec, const std::string& self_dir);

// The zkServer.sh that goes with the cluster's ZooKeeper: <home>/bin/zkServer.sh of
// --zookeeper-home or $ZOOKEEPER_HOME when it exists, else Debian's
// /usr/share/zookeeper/bin/zkServer.sh (also for zkd members: the script only asks `srvr`).
std::string ZkServerScript(const ClusterSpec& spec);

// "" when members of `engine` can be reconfigured (`up --reconfig`, `add`, `remove`), else the
// one line that says why not. The one place that decides it: zkd is switched on here once it
// implements reconfig (issue 19 §1).
std::string ReconfigUnsupported(Engine engine);

// Directory of /proc/self/exe.
std::string SelfDir();

}  // namespace pc
