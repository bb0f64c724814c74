// `pseudo-cluster ui`: asks the cluster's supervisor to serve its live web page on 127.0.0.1
// (src/ui; once per supervisor, until it exits) and prints the address, which carries the
// page's token.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

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
  const std::string dir = ResolveClusterDir(a.ref);
  const ControlReply reply = Request(SocketPath(dir), {{"cmd", "ui"}, {"port", a.port}});
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (!reply.ok) {
    return Fail(reply.error);
  }
  std::printf("ui: %s\n", reply.data.value("url", "").c_str());
  std::printf(
      "(served by the supervisor on 127.0.0.1 only until `down`; the token in the address "
      "is this page's)\n");
  return 0;
}

}  // namespace

void AddUiCommand(CLI::App& app, CommandRun* chosen) {
  auto a = std::make_shared<UiArgs>();
  auto* ui =
      app.add_subcommand("ui", "the cluster live in a web page on 127.0.0.1 (prints its address)");
  ui->add_option("--port", a->port, "port on 127.0.0.1 (default: a free one)");
  FinishWithClusterRef(ui, a->ref, chosen, [a] { return CmdUi(*a); });
}

}  // namespace pc::cli
