// zkd: a ZooKeeper-compatible server. Usage: zkd <zoo.cfg>
//
// Reads the config (errors: one line, exit 2), creates dataDir/version-2, recovers the state from
// the snapshot and the txn log (a failed recovery: the storage error line, exit 1, nothing
// served), builds the Standalone machine, the DurableStore and the client shell on one libuv loop, reports its
// state on ZKD_EVENT_FD, and serves until SIGTERM or SIGINT (clean shutdown, exit 0). A taken
// client port: one line naming it, exit 1.
#include <uv.h>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>

#include "core/standalone.h"
#include "proto/zxid.h"
#include "server/client_server.h"
#include "server/durable_store.h"
#include "server/config.h"
#include "server/ensemble_main.h"
#include "server/ensemble_node.h"
#include "server/event_writer.h"
#include "server/stop_signals.h"
#include "server/version.h"

namespace {

bool MakeVersionDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir) / "version-2", ec);
  if (ec) {
    std::fprintf(stderr, "zkd: cannot create %s/version-2: %s\n", dir.c_str(),
                 ec.message().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zkd: a ZooKeeper-compatible server (standalone)"};
  std::string config_path;
  app.add_option("config", config_path, "path to zoo.cfg")->required();
  app.set_version_flag("--version", zk::FullVersion());
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  auto logger = spdlog::stderr_color_mt("zkd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e [%^%l%$] %v");
  std::signal(SIGPIPE, SIG_IGN);

  zk::ConfigResult parsed = zk::ParseConfig(config_path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "zkd: %s\n", parsed.error.c_str());
    return 2;
  }
  const zk::ServerConfig& config = parsed.config;
  for (const std::string& w : config.warnings) spdlog::warn("{}", w);
  if (!MakeVersionDir(config.data_dir) || !MakeVersionDir(config.data_log_dir)) return 1;
  if (config.servers.size() > 1) return zk::RunEnsemble(config);

  zk::CoreConfig core_config = zk::CoreConfigFor(config);
  core_config.apply_on_submit = false;  // applied on Persisted, once the log is synced
  int64_t first_session_id = zk::FirstSessionId(zk::WallMs(), config.server_id);
  zk::Standalone machine(core_config, first_session_id);

  uv_loop_t* loop = uv_default_loop();
  // Recovery first: Core::Restore / ApplyTxn move next_session_id past every recovered session.
  zk::DurableStore store(loop, zk::DurableStoreOptions::FromConfig(config), &machine);
  zk::storage::RecoveryResult recovered;
  if (std::string error = store.Recover(&recovered); !error.empty()) {
    spdlog::error("recovery failed, not serving: {}", error);
    std::fprintf(stderr, "zkd: %s\n", error.c_str());
    return 1;
  }
  first_session_id = machine.core().next_session_id();

  zk::ClientServer server(loop, config, &machine);
  server.SetReadyCarrier([&store](std::vector<zk::Output>* out) { store.TakeClientOutputs(out); });
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
               zk::FullVersion(), server.listen_address(), config.data_dir, config.data_log_dir,
               config.tick_ms, config.min_session_timeout_ms, config.max_session_timeout_ms,
               zk::ZxidHex(first_session_id));

  zk::EventWriter events = zk::EventWriter::FromEnvironment();
  events.State("STANDALONE", 0, machine.core().last_zxid(), 0);
  events.Serving();

  zk::StopSignals signals(loop, [&server, &store] {
    server.Stop();
    store.Stop();
  });

  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  spdlog::info("zkd stopped");
  return 0;
}
