#include "server/ensemble_main.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <cstdio>

#include "server/client_server.h"
#include "server/ensemble_node.h"
#include "server/event_writer.h"
#include "server/stop_signals.h"
#include "server/version.h"

namespace zk {

int RunEnsemble(const ServerConfig& config) {
  uv_loop_t* loop = uv_default_loop();
  EventWriter events = EventWriter::FromEnvironment();
  EnsembleNode node(loop, config, &events, FirstSessionId(WallMs(), config.server_id));
  ClientServer server(loop, config, node.machine());
  server.SetReadyCarrier([&node](std::vector<Output>* out) { node.TakeClientOutputs(out); });
  server.SetEnsemble({[&node] { return node.serving(); }, [&node] { return node.mode(); },
                      [&node](StatsSnapshot* s) { node.FillStats(s); }});
  node.on_outputs = [&server] { server.DeliverOutputs(); };
  node.on_stopped_serving = [&server] {
    server.CloseClientConnections("this server left its role: no leader / quorum");
  };
  node.on_serving_read_only = [&server] { server.ResetServerStats(); };
  if (std::string error = server.Start(); !error.empty()) {
    std::fprintf(stderr, "zkd: %s\n", error.c_str());
    return 1;
  }
  if (std::string error = node.Start(); !error.empty()) {
    std::fprintf(stderr, "zkd: %s\n", error.c_str());
    server.Stop();
    node.Stop();
    uv_run(loop, UV_RUN_DEFAULT);
    return 1;
  }
  spdlog::info("zkd {} member {} serving clients on {} once a leader is established", FullVersion(),
               config.server_id, server.listen_address());

  StopSignals signals(loop, [&server, &node] {
    server.Stop();
    node.Stop();
  });
  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  spdlog::info("zkd stopped");
  return 0;
}

}  // namespace zk
