// ClusterRef: which cluster a command is about, as the user named it (--name / --dir), and the
// directory that resolves to. Used by the short-lived command process (the CLI and the bench),
// never by the Supervisor itself. Reads the state root and probes control sockets; no state.
#pragma once

#include <string>

#include "supervisor/cluster_spec.h"

namespace pc {

struct ClusterRef {
  std::string name;
  std::string dir;
};

// --dir, else --name under the state root, else the only running cluster there, else "default".
// Always an absolute path; the directory need not exist.
std::string ResolveClusterDir(const ClusterRef& ref);

// The spec a cluster was brought up with (its cluster.json). False when there is none or it
// does not parse.
bool ReadClusterSpec(const std::string& cluster_dir, ClusterSpec* spec);

}  // namespace pc
