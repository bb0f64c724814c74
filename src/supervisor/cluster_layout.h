// ClusterLayout: where each node lives and which ports it uses, and the files that make a node
// directory the ZooKeeper tutorials would recognise:
//   <cluster dir>/node<i>/zoo.cfg, data/myid, data/version-2/, datalog/version-2/, logs/
// Port math: node i (1-based) gets base.client-1+i, base.quorum-1+i, base.election-1+i.
// Rendering is pure; WriteNodeDirs touches only the cluster directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"

namespace pc {

struct NodePorts {
  int client;
  int quorum;
  int election;
  int secure_client;  // secureClientPort: client + kSecurePortShift (listened on with --tls)
};

NodePorts PortsOf(const ClusterSpec& spec, int id);

// With proxied links (`up --faults`), member `from` reaches member `to` through the proxy that
// listens on 127.0.<from>.<to>, on `to`'s own quorum and election ports (link_layer.h).
std::string ProxyHost(int from, int to);

// Root for cluster directories: $PSEUDO_CLUSTER_HOME, else $HOME/.pseudo-cluster.
std::string StateRoot();
// The cluster directory: spec.dir if set, else StateRoot()/<name>. Always absolute.
std::string ClusterDir(const ClusterSpec& spec);

std::string NodeDir(const std::string& cluster_dir, int id);
std::string SocketPath(const std::string& cluster_dir);
std::string NodeLogPath(const std::string& cluster_dir, int id);

// What differs between one node's zoo.cfg on this machine and on a real host (export.h): the
// rest (timing, 4lw whitelist, observers, the server.N order) comes from the ClusterSpec.
struct ZooCfgPlacement {
  struct Server {
    std::string host;
    int quorum_port;
    int election_port;
    int client_port = 0;  // for the dynamic config's ";127.0.0.1:<client>" part
  };
  std::string header;  // the first line, after "# "
  std::string data_dir;
  std::string data_log_dir;
  int client_port = 0;
  std::string client_port_address;  // empty: no clientPortAddress line
  std::vector<Server> servers;      // server.N at [N-1]; written only for more than one node
  std::vector<std::string> server_notes;  // comment lines written above the server.N lines
  // With spec.tls: the directory of the PEM files (tls_certs.h); empty writes no TLS lines.
  std::string tls_dir;
  // `up --reconfig` (cluster_spec.h): non-empty, the server.N lines go to this file instead
  // (RenderDynamicConfig), zoo.cfg names it in dynamicConfigFile and enables reconfig.
  std::string dynamic_config_file;
  std::string super_digest;  // "super:<digest>": DigestAuthenticationProvider.superDigest
};

// The dynamic config file ZooKeeper 3.5+ reads (and rewrites at every reconfig as
// zoo.cfg.dynamic.<version in hex>): one line per member, as ZooKeeper writes them,
//   server.N=127.0.0.1:<quorum>:<election>:participant;127.0.0.1:<client>
std::string RenderDynamicConfig(const ClusterSpec& spec, const ZooCfgPlacement& placement);

// The dynamic config file `up` writes beside zoo.cfg: version 0 (no version yet; the first
// leader stamps the configuration with its epoch's zxid and ZooKeeper writes a new file).
inline constexpr const char* kFirstDynamicConfig = "zoo.cfg.dynamic.0";

// The zoo.cfg text for node `id` of `spec`, placed as `placement` says. The one zoo.cfg writer:
// the cluster directories and the export both render through it.
std::string RenderZooCfg(const ClusterSpec& spec, int id, const ZooCfgPlacement& placement);

// Where node `id` of the cluster whose directory is `cluster_dir` lives, as its zoo.cfg says.
// `super_digest` is written only for a cluster with reconfig (empty otherwise).
ZooCfgPlacement PlacementOf(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                            const std::string& super_digest = "");

// The zoo.cfg text for node `id` of the cluster whose directory is `cluster_dir`.
std::string RenderZooCfg(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                         const std::string& super_digest = "");

// Beside each zoo.cfg: what pseudo-cluster wrote there on its own, to tell hand edits from it.
inline constexpr const char* kZooCfgWrittenCopy = ".zoo.cfg.written";

// Creates (or reuses) every node directory and writes zoo.cfg and data/myid. A zoo.cfg edited by
// hand keeps the learner's lines except those pseudo-cluster owns (zoo_cfg_merge.h); `notes`
// gets one line per edit kept or overridden ("node1/zoo.cfg: kept your line '...'").
// With reconfig it also makes the super password (super_password.h) and writes each member's
// zoo.cfg.dynamic.0. Returns an empty string or one line saying which path failed and why.
std::string WriteNodeDirs(const ClusterSpec& spec, const std::string& cluster_dir,
                          std::vector<std::string>* notes = nullptr);

// The same for one node (`add` lays out the new member with it, leaving the others' files, which
// ZooKeeper itself rewrites at each reconfig, alone).
std::string WriteNodeDir(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                         std::vector<std::string>* notes = nullptr);

// Reads a zoo.cfg (key=value, no sections) with inih. Empty error means OK.
struct ZooCfg {
  std::map<std::string, std::string> values;
  std::string error;
};
ZooCfg ReadZooCfg(const std::string& path);

}  // namespace pc
