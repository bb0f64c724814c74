// Export: the same ensemble for real machines. One directory per host with a zoo.cfg on the
// standard ports (2181 client, 2888 quorum, 3888 election) and its myid, plus ensemble.sh, which
// installs the files over ssh/scp and starts, stops and checks the whole ensemble (Apache
// ZooKeeper through zkServer.sh, or zkd). Rendering is pure; WriteExport writes the files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"

namespace pc {

struct ExportFiles {
  std::map<std::string, std::string> files;  // relative path -> content
  std::string error;
};

// One host per node, in node order (node i runs on hosts[i-1]).
ExportFiles RenderExport(const ClusterSpec& spec, const std::vector<std::string>& hosts);

// Writes the files under `out_dir` (ensemble.sh executable). Returns "" or one error line.
std::string WriteExport(const ExportFiles& files, const std::string& out_dir);

}  // namespace pc
