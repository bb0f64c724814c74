#include "server/standalone_main.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <cstdio>
#include <set>
#include <vector>

#include "core/standalone.h"
#include "proto/zxid.h"
#include "server/client_server.h"
#include "server/durable_store.h"
#include "server/event_writer.h"
#include "server/stop_signals.h"
#include "server/version.h"

namespace zk {

int RunStandalone(const ServerConfig& config) {
  CoreConfig core_config = CoreConfigFor(config);
  core_config.apply_on_submit = false;  // applied on Persisted, once the log is synced
  int64_t first_session_id = FirstSessionId(WallMs(), config.server_id);
  Standalone machine(core_config, first_session_id);

  uv_loop_t* loop = uv_default_loop();
  // Recovery first: Core::Restore / ApplyTxn move next_session_id past every recovered session.
  DurableStore store(loop, DurableStoreOptions::FromConfig(config), &machine);
  storage::RecoveryResult recovered;
  if (std::string error = store.Recover(&recovered); !error.empty()) {
    spdlog::error("recovery failed, not serving: {}", error);
    std::fprintf(stderr, "zkd: %s\n", error.c_str());
    return 1;
  }
  first_session_id = machine.core().next_session_id();

  ClientServer server(loop, config, &machine);
  server.SetReadyCarrier([&store](std::vector<Output>* out) { store.TakeClientOutputs(out); });
  server.SetStorage({[&store] { return store.accepting_writes(); }});
  store.on_outputs = [&server] { server.DeliverOutputs(); };
  store.on_dropped = [&server](const std::set<int64_t>& sessions) {
    for (int64_t sid : sessions) {
      server.CloseSessionConnection(sid, "its requests were dropped: the txn log cannot be written");
    }
  };
  std::string error = server.Start();
  if (!error.empty()) {
    std::fprintf(stderr, "zkd: %s\n", error.c_str());
    return 1;
  }
  store.Start();
  spdlog::info("zkd {} serving standalone on {} (dataDir {}, dataLogDir {}, tickTime {} ms, "
               "sessions {}-{} ms, first session id {})",
               FullVersion(), server.listen_address(), config.data_dir, config.data_log_dir,
               config.tick_ms, config.min_session_timeout_ms, config.max_session_timeout_ms,
               ZxidHex(first_session_id));

  EventWriter events = EventWriter::FromEnvironment();
  events.State("STANDALONE", 0, machine.core().last_zxid(), 0);
  events.Serving();

  StopSignals signals(loop, [&server, &store] {
    server.Stop();
    store.Stop();
  });

  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  spdlog::info("zkd stopped");
  return 0;
}

}  // namespace zk
