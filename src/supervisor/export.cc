#include "supervisor/export.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "supervisor/cluster_layout.h"

namespace fs = std::filesystem;

namespace pc {

namespace {

constexpr const char* kConfPath = "/etc/zookeeper/conf/zoo.cfg";
constexpr const char* kDataDir = "/var/lib/zookeeper/data";
constexpr const char* kDataLogDir = "/var/lib/zookeeper/datalog";

std::string RenderHostCfg(const ClusterSpec& spec, const std::vector<std::string>& hosts, int id) {
  ZooCfgPlacement placement;
  placement.header = "node " + std::to_string(id) + " of ensemble '" + spec.name + "' on " +
                     hosts[id - 1] + " (exported by pseudo-cluster)";
  placement.data_dir = kDataDir;
  placement.data_log_dir = kDataLogDir;
  placement.client_port = 2181;
  for (const std::string& host : hosts) placement.servers.push_back({host, 2888, 3888});
  return RenderZooCfg(spec, id, placement);
}

std::string RenderScript(const ClusterSpec& spec, const std::vector<std::string>& hosts) {
  std::ostringstream out;
  const bool apache = spec.engine == Engine::kApache;
  out << "#!/bin/sh\n"
      << "# The ensemble '" << spec.name << "' on " << hosts.size() << " hosts ("
      << EngineName(spec.engine) << "), exported by pseudo-cluster.\n"
      << "#   ./ensemble.sh install   copy each host's zoo.cfg and myid over (ssh + scp)\n"
      << "#   ./ensemble.sh start | stop | status\n"
      << "set -eu\n"
      << "cd \"$(dirname \"$0\")\"\n"
      << "HOSTS=\"";
  for (size_t i = 0; i < hosts.size(); ++i) {
    out << (i ? " " : "") << hosts[i];
  }
  out << "\"\n"
      << "CONF=${CONF:-" << kConfPath << "}\n"
      << "DATA=${DATA:-" << kDataDir << "}\n"
      << "DATALOG=${DATALOG:-" << kDataLogDir << "}\n";
  if (apache) {
    out << "ZKSERVER=${ZKSERVER:-/usr/share/zookeeper/bin/zkServer.sh}\n";
  } else {
    out << "ZKD=${ZKD:-zkd}\n";
  }
  out << "\ncase \"${1:-}\" in\n"
      << "  install)\n"
      << "    for h in $HOSTS; do\n"
      << "      ssh \"$h\" mkdir -p \"$DATA\" \"$DATALOG\" \"$(dirname \"$CONF\")\"\n"
      << "      scp \"$h/zoo.cfg\" \"$h:$CONF\"\n"
      << "      scp \"$h/myid\" \"$h:$DATA/myid\"\n"
      << "    done ;;\n"
      << "  start)\n"
      << "    for h in $HOSTS; do\n";
  if (apache) {
    out << "      ssh \"$h\" \"$ZKSERVER\" start \"$CONF\"\n";
  } else {
    out << "      ssh \"$h\" \"nohup $ZKD $CONF > $DATA/../zkd.log 2>&1 < /dev/null &\"\n";
  }
  out << "    done ;;\n"
      << "  stop)\n"
      << "    for h in $HOSTS; do\n";
  if (apache) {
    out << "      ssh \"$h\" \"$ZKSERVER\" stop \"$CONF\" || true\n";
  } else {
    out << "      ssh \"$h\" \"pkill -f '$ZKD $CONF'\" || true\n";
  }
  out << "    done ;;\n"
      << "  status)\n"
      << "    for h in $HOSTS; do\n"
      << "      mode=$(echo srvr | nc -w 2 \"$h\" 2181 2>/dev/null | grep '^Mode:' || true)\n"
      << "      echo \"$h: ${mode:-not running}\"\n"
      << "    done ;;\n"
      << "  *) echo \"usage: $0 install|start|stop|status\" >&2; exit 2 ;;\n"
      << "esac\n";
  return out.str();
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(const std::string& text) {
  if (text == "ssh") return ExportFormat::kSsh;
  if (text == "compose") return ExportFormat::kCompose;
  if (text == "k8s") return ExportFormat::kKubernetes;
  return std::nullopt;
}

ExportFiles RenderExport(const ClusterSpec& spec, const std::vector<std::string>& hosts) {
  ExportFiles result;
  if (static_cast<int>(hosts.size()) != spec.nodes()) {
    result.error = std::to_string(hosts.size()) + " hosts for a cluster of " +
                   std::to_string(spec.nodes()) + " nodes: give one host per node with --hosts";
    return result;
  }
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (hosts[i].empty() || hosts[i].find_first_of(" /:;'\"$") != std::string::npos) {
      result.error = "bad host name '" + hosts[i] + "' in --hosts";
      return result;
    }
    for (size_t j = 0; j < i; ++j) {
      if (hosts[i] == hosts[j]) {
        result.error = "host " + hosts[i] +
                       " appears twice in --hosts; with the standard ports "
                       "each node needs its own machine";
        return result;
      }
    }
  }
  for (int id = 1; id <= spec.nodes(); ++id) {
    const std::string& host = hosts[id - 1];
    result.files[host + "/zoo.cfg"] = RenderHostCfg(spec, hosts, id);
    result.files[host + "/myid"] = std::to_string(id) + "\n";
  }
  result.files["ensemble.sh"] = RenderScript(spec, hosts);
  return result;
}

std::string WriteExport(const ExportFiles& files, const std::string& out_dir) {
  for (const auto& [relative, content] : files.files) {
    const fs::path path = fs::path(out_dir) / relative;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return "cannot create " + path.parent_path().string() + ": " + ec.message();
    }
    std::ofstream out(path, std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      return "cannot write " + path.string();
    }
    if (path.extension() == ".sh") {
      fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add, ec);
    }
  }
  return {};
}

}  // namespace pc
