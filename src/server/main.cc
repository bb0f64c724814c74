// zkd: a ZooKeeper-compatible server. Usage: zkd <zoo.cfg>
//
// Reads the config (errors: one line, exit 2), creates dataDir/version-2 and dataLogDir/version-2,
// then runs as a standalone server (server/standalone_main.h) or as one member of an ensemble
// (server/ensemble_main.h): recovery from the snapshot and the txn log (a failed recovery: the
// storage error line, exit 1, nothing served), state reported on ZKD_EVENT_FD, served until
// SIGTERM or SIGINT (clean shutdown, exit 0). A taken client port: one line naming it, exit 1.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "server/config.h"
#include "server/ensemble_main.h"
#include "server/jaas_file.h"
#include "server/sasl_digest.h"
#include "server/standalone_main.h"
#include "server/tls_context.h"
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

// Every client connection is a file descriptor: 10,000 sessions spread over three members is
// over 3,000 each, far past a soft limit of 1,024. Take what the hard limit allows (as Java
// does for Apache ZooKeeper with -XX:+MaxFDLimit, its default).
void RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
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
  RaiseOpenFileLimit();

  zk::ConfigResult parsed = zk::ParseConfig(config_path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "zkd: %s\n", parsed.error.c_str());
    return 2;
  }
  const zk::ServerConfig& config = parsed.config;
  for (const std::string& w : config.warnings) spdlog::warn("{}", w);
  if (config.tls.enabled()) {
    // The key and trust stores are files the user named: a bad one is bad input, found now.
    std::string error;
    if (zk::TlsContext::Make(config.tls, &error) == nullptr) {
      std::fprintf(stderr, "zkd: %s: %s\n", config.path.c_str(), error.c_str());
      return 2;
    }
  }
  // SASL: the JAAS file's Server section names the DIGEST-MD5 users (server/jaas_file.h).
  zk::JaasUsers jaas = zk::LoadJaasUsers(config);
  if (!jaas.error.empty()) {
    std::fprintf(stderr, "zkd: %s\n", jaas.error.c_str());
    return 2;
  }
  if (jaas.configured && !jaas.has_server_section) {
    spdlog::warn("{}: no Server section: SASL clients will be refused", jaas.path);
  }
  if (jaas.has_server_section) {
    if (std::string error = zk::StartSaslDigest(jaas.users); !error.empty()) {
      std::fprintf(stderr, "zkd: %s\n", error.c_str());
      return 1;
    }
    spdlog::info("SASL DIGEST-MD5 on, {} user(s) from {}", jaas.users.size(), jaas.path);
  }
  if (!MakeVersionDir(config.data_dir) || !MakeVersionDir(config.data_log_dir)) return 1;
  if (config.servers.size() > 1) return zk::RunEnsemble(config);
  return zk::RunStandalone(config);
}
