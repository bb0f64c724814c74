// `export --format compose`: the ensemble as a Docker Compose file for the official `zookeeper`
// image, whose entrypoint writes zoo.cfg from ZOO_* variables and myid from ZOO_MY_ID, and keeps
// its data in /data and its transaction log in /datalog (one named volume each per member).
#include <sstream>

#include "supervisor/cluster_layout.h"
#include "supervisor/export.h"

namespace pc {

std::string YamlQuote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

std::vector<std::pair<std::string, std::string>> ImageEnvironment(const ClusterSpec& spec,
                                                                  std::string cfg_extra) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"ZOO_TICK_TIME", std::to_string(spec.tick_time_ms)},
      {"ZOO_INIT_LIMIT", std::to_string(spec.init_limit)},
      {"ZOO_SYNC_LIMIT", std::to_string(spec.sync_limit)},
      {"ZOO_4LW_COMMANDS_WHITELIST", "*"},
      {"ZOO_ADMINSERVER_ENABLED", "false"},
  };
  if (spec.max_client_cnxns >= 0) {
    env.push_back({"ZOO_MAX_CLIENT_CNXNS", std::to_string(spec.max_client_cnxns)});
  }
  if (spec.read_only_mode) {
    // Apache ZooKeeper reads readonlymode only as a system property; since 3.5 a read-only
    // server also needs local sessions (see RenderZooCfg).
    env.push_back({"SERVER_JVMFLAGS", "-Dreadonlymode.enabled=true"});
    cfg_extra += " localSessionsEnabled=true localSessionsUpgradingEnabled=true";
  }
  if (const size_t start = cfg_extra.find_first_not_of(' '); start != std::string::npos) {
    env.push_back({"ZOO_CFG_EXTRA", cfg_extra.substr(start)});  // the entrypoint splits on spaces
  }
  return env;
}

std::string EnsembleSummary(const ClusterSpec& spec) {
  auto count = [](int n, const std::string& what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  return "'" + spec.name + "' (" + count(spec.voters, "voter") +
         (spec.observers ? ", " + count(spec.observers, "observer") : "") + ")";
}

ExportFiles RenderCompose(const ClusterSpec& spec) {
  auto host = [](int id) { return "zoo" + std::to_string(id); };
  const std::string servers = ZooServersLine(spec, host);
  std::ostringstream out;
  out << "# The ensemble " << EnsembleSummary(spec) << " for Docker Compose, exported by\n"
      << "# pseudo-cluster. The official " << kZooKeeperImage
      << " image (Apache ZooKeeper): service zooN is node N;\n"
      << "# each publishes its client port on the port the local cluster gives node N, so\n"
      << "# clients keep their connect string.\n"
      << "#   docker compose -f compose.yaml up -d\n"
      << "#   echo srvr | nc 127.0.0.1 " << spec.base.client << "\n"
      << "services:\n";
  for (int id = 1; id <= spec.nodes(); ++id) {
    out << "  " << host(id) << ":\n"
        << "    image: " << kZooKeeperImage << "\n"
        << "    hostname: " << host(id) << "\n"
        << "    restart: always\n"
        << "    ports:\n"
        << "      - " << YamlQuote(std::to_string(PortsOf(spec, id).client) + ":2181") << "\n"
        << "    environment:\n"
        << "      ZOO_MY_ID: " << YamlQuote(std::to_string(id)) << "\n"
        << "      ZOO_SERVERS: " << YamlQuote(servers) << "\n";
    for (const auto& [key, value] : ImageEnvironment(spec)) {
      out << "      " << key << ": " << YamlQuote(value) << "\n";
    }
    out << "    volumes:\n"
        << "      - " << host(id) << "-data:/data\n"
        << "      - " << host(id) << "-datalog:/datalog\n";
  }
  out << "volumes:\n";
  for (int id = 1; id <= spec.nodes(); ++id) {
    out << "  " << host(id) << "-data:\n"
        << "  " << host(id) << "-datalog:\n";
  }
  ExportFiles result;
  result.files["compose.yaml"] = out.str();
  return result;
}

}  // namespace pc
