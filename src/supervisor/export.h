// Export: the same ensemble for real machines, in the forms people deploy ZooKeeper with.
//  - ssh (RenderExport): one directory per host with a zoo.cfg on the standard ports (2181
//    client, 2888 quorum, 3888 election) and its myid, plus ensemble.sh, which installs the
//    files over ssh/scp and starts, stops and checks the whole ensemble (Apache ZooKeeper through
//    zkServer.sh, or zkd).
//  - compose (RenderCompose, export_compose.cc): compose.yaml for the official `zookeeper`
//    Docker image, one service per member.
//  - k8s (RenderKubernetes, export_k8s.cc): zookeeper.yaml with the Services, StatefulSet and
//    PodDisruptionBudget of the Kubernetes ZooKeeper tutorial, on the same image.
// The container forms always run Apache ZooKeeper (zkd has no image); every form keeps the
// cluster's members, observers and tick/init/sync limits. Rendering is pure; WriteExport writes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"

namespace pc {

struct ExportFiles {
  std::map<std::string, std::string> files;  // relative path -> content
  std::string error;
};

enum class ExportFormat { kSsh, kCompose, kKubernetes };
std::optional<ExportFormat> ParseExportFormat(const std::string& text);  // ssh, compose, k8s

// The image both container forms run: Apache ZooKeeper 3.8, the version the apache engine runs.
inline constexpr const char* kZooKeeperImage = "zookeeper:3.8";

// One host per node, in node order (node i runs on hosts[i-1]).
ExportFiles RenderExport(const ClusterSpec& spec, const std::vector<std::string>& hosts);

// compose.yaml: services zoo1..zooN (node i is zooi), each publishing its client port on the
// cluster's local client port (base + i - 1), so clients keep their connect string.
ExportFiles RenderCompose(const ClusterSpec& spec);

// zookeeper.yaml: StatefulSet zk (the voters, id = pod ordinal + 1), zk-observer (the
// observers, id = voters + ordinal + 1), headless Service zk-hs, client Service zk-cs, and a
// PodDisruptionBudget that lets no eviction take the voters below a quorum.
ExportFiles RenderKubernetes(const ClusterSpec& spec);

// "server.1=zoo1:2888:3888;2181 server.2=...": the official image's ZOO_SERVERS, with
// `host(id)` naming node id's host.
template <typename HostOf>
std::string ZooServersLine(const ClusterSpec& spec, HostOf host) {
  std::string line;
  for (int id = 1; id <= spec.nodes(); ++id) {
    line += (id > 1 ? " " : "") + ("server." + std::to_string(id) + "=" + host(id) + ":2888:3888" +
                                   (spec.is_observer(id) ? ":observer" : "") + ";2181");
  }
  return line;
}

// The official image's environment both container forms give every member (not ZOO_MY_ID and
// ZOO_SERVERS): the cluster's tick/init/sync limits and the zoo.cfg settings pseudo-cluster
// writes for its own members (every four-letter word allowed, no admin server, ...), with
// `cfg_extra` (space-separated key=value) added to ZOO_CFG_EXTRA.
std::vector<std::pair<std::string, std::string>> ImageEnvironment(const ClusterSpec& spec,
                                                                  std::string cfg_extra = "");

// "'name' (3 voters, 1 observer)", for the files' headers.
std::string EnsembleSummary(const ClusterSpec& spec);

// `text` as a YAML double-quoted scalar.
std::string YamlQuote(const std::string& text);

// Writes the files under `out_dir` (ensemble.sh executable). Returns "" or one error line.
std::string WriteExport(const ExportFiles& files, const std::string& out_dir);

}  // namespace pc
