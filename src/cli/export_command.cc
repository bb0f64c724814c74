// `export`: the same ensemble for real machines (supervisor/export.h renders the files): one
// host per node with an ssh script, a Docker Compose file, or Kubernetes objects, written to a
// directory.
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/command.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/export.h"

namespace pc::cli {

namespace {

struct ExportArgs {
  ClusterRef ref;
  std::string format = "ssh";
  std::string hosts, out_dir, engine, config;
};

// Bad input of export: one line on stderr, exit code 2 (a usage error).
int Usage(const std::string& message) {
  Fail(message);
  return 2;
}

// The cluster to export: --config when given, else the cluster's recorded layout, else one voter
// per --hosts entry (or 3).
int ExportSpec(const ExportArgs& a, size_t hosts, ClusterSpec* spec) {
  if (!a.config.empty()) {
    if (auto r = LoadClusterIni(a.config, *spec); !r.ok()) {
      return Usage(r.error);
    }
    if (auto r = CheckSpec(*spec); !r.ok()) {
      return Usage(a.config + ": " + r.error);
    }
  } else if (!ReadClusterSpec(ResolveClusterDir(a.ref), spec)) {
    spec->voters = hosts > 0 ? static_cast<int>(hosts) : 3;
    if (!a.ref.name.empty()) {
      spec->name = a.ref.name;
    }
  }
  if (!a.engine.empty()) {
    spec->engine = *ParseEngine(a.engine);
  }
  return 0;
}

int CmdExport(const ExportArgs& a) {
  const ExportFormat format = *ParseExportFormat(a.format);
  std::vector<std::string> hosts;
  std::stringstream list(a.hosts);
  for (std::string host; std::getline(list, host, ',');) {
    hosts.push_back(host);
  }
  if (format == ExportFormat::kSsh && hosts.empty()) {
    return Usage("export --format ssh needs --hosts h1,h2,...: one host per node");
  }
  if (format != ExportFormat::kSsh && !a.hosts.empty()) {
    return Usage("--hosts is for --format ssh; --format " + a.format +
                 " names its members itself (see the file's header)");
  }
  ClusterSpec spec;
  if (int rc = ExportSpec(a, hosts.size(), &spec); rc != 0) {
    return rc;
  }
  ExportFiles files = format == ExportFormat::kCompose      ? RenderCompose(spec)
                      : format == ExportFormat::kKubernetes ? RenderKubernetes(spec)
                                                            : RenderExport(spec, hosts);
  if (!files.error.empty()) {
    return Usage(files.error);
  }
  const std::string out = a.out_dir.empty() ? spec.name + "-ensemble" : a.out_dir;
  if (std::string error = WriteExport(files, out); !error.empty()) {
    return Fail(error);
  }
  for (const auto& [path, content] : files.files) {
    std::printf("%s/%s\n", out.c_str(), path.c_str());
  }
  if (format == ExportFormat::kCompose) {
    std::printf("run it with docker compose -f %s/compose.yaml up -d\n", out.c_str());
  } else if (format == ExportFormat::kKubernetes) {
    std::printf("run it with kubectl apply -f %s/zookeeper.yaml\n", out.c_str());
  } else {
    std::printf(
        "copy them over with %s/ensemble.sh install, then ensemble.sh start | status | stop\n",
        out.c_str());
  }
  return 0;
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandRun* chosen) {
  auto* cmd = app.add_subcommand(
      "export",
      "the same ensemble for real machines: zoo.cfg/myid per host and an ssh script, a Docker "
      "Compose file, or Kubernetes objects");
  auto a = std::make_shared<ExportArgs>();
  cmd->add_option("--format", a->format,
                  "ssh (default: a directory per host and ensemble.sh), compose (compose.yaml "
                  "for the official zookeeper image) or k8s (zookeeper.yaml: Services, "
                  "StatefulSet, PodDisruptionBudget)")
      ->check(CLI::IsMember({"ssh", "compose", "k8s"}));
  cmd->add_option("--hosts", a->hosts, "h1,h2,h3: one host per node (--format ssh only)");
  cmd->add_option("--out", a->out_dir, "output directory (default <name>-ensemble)");
  cmd->add_option("--config", a->config,
                  "export this cluster description (e.g. cluster-configs/three.ini) rather than "
                  "the cluster's recorded layout");
  cmd->add_option("--engine", a->engine,
                  "zkd or apache: what ensemble.sh runs (default: the cluster's; the container "
                  "formats always run Apache ZooKeeper's image)")
      ->check(CLI::IsMember({"zkd", "apache"}));
  FinishWithClusterRef(cmd, a->ref, chosen, [a] { return CmdExport(*a); });
}

}  // namespace pc::cli
