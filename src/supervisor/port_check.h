// PortCheck: before any process is forked, every port a cluster needs is tested by binding
// 127.0.0.1:<port>. A taken port is named by number and, where /proc lets us see it, by the
// process that holds it (/proc/net/tcp{,6} inode -> /proc/<pid>/fd -> /proc/<pid>/comm).
#pragma once

#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"

namespace pc {

struct PortUse {
  int port;
  std::string what;  // "node2 client port"
};

// Every port of every node, in node order.
std::vector<PortUse> ClusterPorts(const ClusterSpec& spec);

// True if 127.0.0.1:port can be bound right now.
bool PortIsFree(int port);

// "pid 1234 (java)" or "" when the owner is not visible to us.
std::string PortOwner(int port);

// Empty when all ports are free; otherwise one line per taken port, e.g.
// "port 2182 (node2 client port) is in use by pid 1234 (java)".
std::vector<std::string> CheckPorts(const ClusterSpec& spec);

}  // namespace pc
