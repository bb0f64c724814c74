// `export`: the same ensemble for real machines (supervisor/export.h renders the files), one
// host per node, written to a directory with a script that installs and runs them.
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
  std::string hosts, out_dir, engine;
};

// Uses the cluster's recorded layout when there is one, else `hosts` voters; `engine` ("" =
// keep) overrides.
int CmdExport(const ExportArgs& a) {
  std::vector<std::string> hosts;
  std::stringstream list(a.hosts);
  for (std::string host; std::getline(list, host, ',');) {
    hosts.push_back(host);
  }
  ClusterSpec spec;
  const std::string dir = ResolveClusterDir(a.ref);
  if (!ReadClusterSpec(dir, &spec)) {
    spec.voters = static_cast<int>(hosts.size());
    if (!a.ref.name.empty()) {
      spec.name = a.ref.name;
    }
  }
  if (!a.engine.empty()) {
    spec.engine = *ParseEngine(a.engine);
  }
  ExportFiles files = RenderExport(spec, hosts);
  if (!files.error.empty()) {
    return Fail(files.error);
  }
  const std::string out = a.out_dir.empty() ? spec.name + "-ensemble" : a.out_dir;
  if (std::string error = WriteExport(files, out); !error.empty()) {
    return Fail(error);
  }
  for (const auto& [path, content] : files.files) {
    std::printf("%s/%s\n", out.c_str(), path.c_str());
  }
  std::printf(
      "copy them over with %s/ensemble.sh install, then ensemble.sh start | status | stop\n",
      out.c_str());
  return 0;
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandRun* chosen) {
  auto* cmd = app.add_subcommand("export", "the same ensemble for real machines");
  auto a = std::make_shared<ExportArgs>();
  cmd->add_option("--hosts", a->hosts, "h1,h2,h3: one host per node")->required();
  cmd->add_option("--out", a->out_dir, "output directory (default <name>-ensemble)");
  cmd->add_option("--engine", a->engine, "zkd or apache (default: the cluster's)")
      ->check(CLI::IsMember({"zkd", "apache"}));
  FinishWithClusterRef(cmd, a->ref, chosen, [a] { return CmdExport(*a); });
}

}  // namespace pc::cli
