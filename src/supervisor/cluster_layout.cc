#include "supervisor/cluster_layout.h"

#include <ini.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "supervisor/super_password.h"
#include "supervisor/zoo_cfg_merge.h"

namespace fs = std::filesystem;

namespace pc {

NodePorts PortsOf(const ClusterSpec& spec, int id) {
  const int client = spec.base.client - 1 + id;
  return {client, spec.base.quorum - 1 + id, spec.base.election - 1 + id,
          client + kSecurePortShift};
}

std::string ProxyHost(int from, int to) {
  return "127.0." + std::to_string(from) + "." + std::to_string(to);
}

std::string StateRoot() {
  if (const char* root = std::getenv("PSEUDO_CLUSTER_HOME"); root && *root) {
    return fs::absolute(root).lexically_normal().string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : "/tmp") / ".pseudo-cluster").string();
}

std::string ClusterDir(const ClusterSpec& spec) {
  if (!spec.dir.empty()) {
    return fs::absolute(spec.dir).lexically_normal().string();
  }
  return (fs::path(StateRoot()) / spec.name).string();
}

std::string NodeDir(const std::string& cluster_dir, int id) {
  return cluster_dir + "/node" + std::to_string(id);
}

std::string SocketPath(const std::string& cluster_dir) { return cluster_dir + "/supervisor.sock"; }

std::string NodeLogPath(const std::string& cluster_dir, int id) {
  return NodeDir(cluster_dir, id) + "/logs/server.log";
}

std::string RenderZooCfg(const ClusterSpec& spec, int id, const ZooCfgPlacement& placement) {
  std::ostringstream out;
  out << "# " << placement.header << "\n"
      << "tickTime=" << spec.tick_time_ms << "\n"
      << "initLimit=" << spec.init_limit << "\n"
      << "syncLimit=" << spec.sync_limit << "\n"
      << "dataDir=" << placement.data_dir << "\n"
      << "dataLogDir=" << placement.data_log_dir << "\n"
      << "clientPort=" << placement.client_port << "\n";
  if (!placement.client_port_address.empty()) {
    out << "clientPortAddress=" << placement.client_port_address << "\n";
  }
  out << "4lw.commands.whitelist=*\n"
      << "admin.enableServer=false\n";
  if (spec.max_client_cnxns >= 0) {
    out << "maxClientCnxns=" << spec.max_client_cnxns << "\n";
  }
  if (spec.read_only_mode) {
    // zkd reads it here; Apache ZooKeeper only as -Dreadonlymode.enabled=true, which
    // pseudo-cluster passes to its JVM.
    out << "readonlymode.enabled=true\n";
    if (spec.engine == Engine::kApache) {
      // Since 3.5 a read-only Apache server opens only local sessions: without these it answers
      // a read-only client's handshake with an error header instead of a session.
      out << "localSessionsEnabled=true\n"
          << "localSessionsUpgradingEnabled=true\n";
    }
  }
  if (spec.tls && !placement.tls_dir.empty()) {
    // ZooKeeper serves TLS with Netty only; zkd reads the same keys. PEM stores: the key
    // store is the member's key and certificate in one file, the trust store the local CA.
    out << "secureClientPort=" << placement.client_port + kSecurePortShift << "\n"
        << "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n"
        << "ssl.keyStore.location=" << placement.tls_dir << "/server.pem\n"
        << "ssl.keyStore.type=PEM\n"
        << "ssl.trustStore.location=" << placement.tls_dir << "/ca.pem\n"
        << "ssl.trustStore.type=PEM\n"
        << "ssl.clientAuth=need\n";
  }
  if (!placement.super_digest.empty()) {
    out << "DigestAuthenticationProvider.superDigest=" << placement.super_digest << "\n";
  }
  if (!placement.dynamic_config_file.empty()) {
    // ZooKeeper's advice for an ensemble that may grow or shrink: no standalone mode, so a
    // single remaining member still runs as a quorum of one and can be grown again.
    out << "reconfigEnabled=true\n"
        << "standaloneEnabled=false\n"
        << "dynamicConfigFile=" << placement.dynamic_config_file << "\n";
    return out.str();
  }
  if (spec.nodes() > 1) {
    for (const std::string& note : placement.server_notes) {
      out << "# " << note << "\n";
    }
    if (spec.is_observer(id)) {
      out << "peerType=observer\n";
    }
    for (int n = 1; n <= spec.nodes(); ++n) {
      if (!spec.is_member(n)) continue;
      const ZooCfgPlacement::Server& s = placement.servers[n - 1];
      out << "server." << n << "=" << s.host << ":" << s.quorum_port << ":" << s.election_port
          << (spec.is_observer(n) ? ":observer" : "") << "\n";
    }
  }
  return out.str();
}

std::string RenderDynamicConfig(const ClusterSpec& spec, const ZooCfgPlacement& placement) {
  std::ostringstream out;
  for (int n = 1; n <= spec.nodes(); ++n) {
    if (!spec.is_member(n)) continue;
    const ZooCfgPlacement::Server& s = placement.servers[n - 1];
    out << "server." << n << "=" << s.host << ":" << s.quorum_port << ":" << s.election_port
        << (spec.is_observer(n) ? ":observer" : ":participant") << ";127.0.0.1:" << s.client_port
        << "\n";
  }
  return out.str();
}

ZooCfgPlacement PlacementOf(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                            const std::string& super_digest) {
  const std::string node_dir = NodeDir(cluster_dir, id);
  ZooCfgPlacement placement;
  placement.header =
      "node " + std::to_string(id) + " of cluster '" + spec.name + "' (written by pseudo-cluster)";
  placement.data_dir = node_dir + "/data";
  placement.data_log_dir = node_dir + "/datalog";
  placement.client_port = PortsOf(spec, id).client;
  placement.client_port_address = "127.0.0.1";
  placement.tls_dir = cluster_dir + "/tls";
  for (int n = 1; n <= spec.nodes(); ++n) {
    const NodePorts p = PortsOf(spec, n);
    const bool proxied = spec.proxied_links && n != id;
    placement.servers.push_back(
        {proxied ? ProxyHost(id, n) : "127.0.0.1", p.quorum, p.election, p.client});
  }
  if (spec.reconfig) {
    placement.dynamic_config_file = node_dir + "/" + kFirstDynamicConfig;
    placement.super_digest = super_digest;
  }
  if (spec.proxied_links) {
    placement.server_notes = {
        "Links are proxied (`pseudo-cluster up --faults`), so partition, cut, delay and slow",
        "can act on them: server.N for every other member is this member's own way to N, the",
        "supervisor's proxy on 127.0.<this id>.<N> with N's ports; server." + std::to_string(id) +
            " is this member's real",
        "listen address. The other members' files differ in those lines only. Without --faults",
        "every line is 127.0.0.1, as in the tutorials."};
  }
  return placement;
}

std::string RenderZooCfg(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                         const std::string& super_digest) {
  return RenderZooCfg(spec, id, PlacementOf(spec, cluster_dir, id, super_digest));
}

namespace {

std::string WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return "cannot write " + path.string() + ": " + std::strerror(errno);
  }
  return {};
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string WriteNodeDirs(const ClusterSpec& spec, const std::string& cluster_dir,
                          std::vector<std::string>* notes) {
  for (int id = 1; id <= spec.nodes(); ++id) {
    if (auto e = WriteNodeDir(spec, cluster_dir, id, notes); !e.empty()) {
      return e;
    }
  }
  return {};
}

std::string WriteNodeDir(const ClusterSpec& spec, const std::string& cluster_dir, int id,
                         std::vector<std::string>* notes) {
  std::string digest;
  if (spec.reconfig) {
    std::string password;
    if (auto e = EnsureSuperPassword(cluster_dir, &password); !e.empty()) {
      return e;
    }
    digest = SuperDigest(password);
  }
  const fs::path node = NodeDir(cluster_dir, id);
  for (const char* sub : {"data/version-2", "datalog/version-2", "logs"}) {
    std::error_code ec;
    fs::create_directories(node / sub, ec);
    if (ec) {
      return "cannot create " + (node / sub).string() + ": " + ec.message();
    }
  }
  // Keep the learner's hand edits (zoo_cfg_merge.h): the copy beside zoo.cfg is what
  // pseudo-cluster would have written on its own last time.
  const ZooCfgPlacement placement = PlacementOf(spec, cluster_dir, id, digest);
  const std::string fresh = RenderZooCfg(spec, id, placement);
  const std::string current = ReadText(node / "zoo.cfg");
  const std::string written = ReadText(node / kZooCfgWrittenCopy);
  const ZooCfgMerge merge = MergeZooCfg(current, written.empty() ? fresh : written, fresh);
  if (notes) {
    for (const std::string& note : merge.notes) {
      notes->push_back("node" + std::to_string(id) + "/zoo.cfg: " + note);
    }
  }
  if (auto e = WriteFile(node / "zoo.cfg", merge.text); !e.empty()) {
    return e;
  }
  if (auto e = WriteFile(node / kZooCfgWrittenCopy, fresh); !e.empty()) {
    return e;
  }
  if (auto e = WriteFile(node / "data" / "myid", std::to_string(id) + "\n"); !e.empty()) {
    return e;
  }
  if (!placement.dynamic_config_file.empty()) {
    if (auto e = WriteFile(placement.dynamic_config_file, RenderDynamicConfig(spec, placement));
        !e.empty()) {
      return e;
    }
  }
  return {};
}

namespace {

int OnZooCfgKey(void* user, const char* section, const char* key, const char* value) {
  static_cast<ZooCfg*>(user)->values[key] = value;
  return 1;
}

}  // namespace

ZooCfg ReadZooCfg(const std::string& path) {
  ZooCfg cfg;
  int rc = ini_parse(path.c_str(), OnZooCfgKey, &cfg);
  if (rc == -1) {
    cfg.error = path + ": cannot open";
  }
  if (rc > 0) {
    cfg.error = path + ":" + std::to_string(rc) + ": expected key=value";
  }
  return cfg;
}

}  // namespace pc
