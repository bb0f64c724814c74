// The `pseudo-cluster` subcommands, one function each, called by main.cc after CLI11 has parsed
// the flags. They run in the short-lived command process and talk to the Supervisor over its
// socket (except `up`, which forks it, and `logs` / `list`, which read files). Each returns the
// process exit code and prints errors as one line on stderr.
#pragma once

#include <string>

#include "supervisor/cluster_ref.h"
#include "supervisor/cluster_spec.h"

namespace pc {

struct UpOptions {
  ClusterSpec spec;
  bool detach = false;
  bool fresh = false;  // wipe node directories first
  int timeout_s = 120;
};

int CmdUp(const UpOptions& options);
int CmdStatus(const ClusterRef& ref, bool json);
int CmdAction(const ClusterRef& ref, const std::string& action, const std::string& target,
              const std::string& signal);
int CmdEvents(const ClusterRef& ref, bool follow, bool json, bool absolute);
int CmdLogs(const ClusterRef& ref, const std::string& target, bool follow, int lines);
int CmdWait(const ClusterRef& ref, const std::string& what, double timeout_s);
int CmdDown(const ClusterRef& ref, bool clean);
int CmdList(bool json);
// Writes the ensemble for real hosts (export.h). Uses the cluster's recorded layout when there is
// one, else `hosts.size()` voters; `engine` ("" = keep) overrides.
int CmdExport(const ClusterRef& ref, const std::string& hosts, const std::string& out_dir,
              const std::string& engine);

}  // namespace pc
