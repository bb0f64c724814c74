// `pseudo-cluster ui`: serves the cluster's live web page on 127.0.0.1 (src/ui) until Ctrl-C or
// until the cluster goes down; prints the address, which carries this run's token.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"
#include "ui/ui_server.h"

namespace pc::cli {

namespace {

struct UiArgs {
  ClusterRef ref;
  int port = 0;
};

int CmdUi(const UiArgs& a) {
  if (a.port < 0 || a.port > 65535) {
    std::fprintf(stderr, "pseudo-cluster ui: --port %d: expected 1-65535 (or leave it out)\n",
                 a.port);
    return 2;
  }
  ui::UiOptions options;
  options.cluster_dir = ResolveClusterDir(a.ref);
  options.port = a.port;
  if (!SupervisorRunning(SocketPath(options.cluster_dir))) {
    return Fail(NotRunning(options.cluster_dir));
  }
  CatchInterrupts();
  std::string error;
  const int code = ui::ServeUi(
      options,
      [](const std::string& url) {
        std::printf("ui: %s\n(127.0.0.1 only; the token in the address is this run's. Ctrl-C "
                    "stops the page, not the cluster.)\n",
                    url.c_str());
        std::fflush(stdout);
      },
      [] { return Interrupted(); }, &error);
  if (code != 0) {
    std::fprintf(stderr, "pseudo-cluster ui: %s\n", error.c_str());
  }
  return code;
}

}  // namespace

void AddUiCommand(CLI::App& app, CommandRun* chosen) {
  auto a = std::make_shared<UiArgs>();
  auto* ui = app.add_subcommand("ui", "the cluster live in a web page on 127.0.0.1 (prints its address)");
  ui->add_option("--port", a->port, "port on 127.0.0.1 (default: a free one)");
  FinishWithClusterRef(ui, a->ref, chosen, [a] { return CmdUi(*a); });
}

}  // namespace pc::cli
