// pseudo-cluster: a ZooKeeper ensemble on one machine. Command-line parsing only; the work is in
// commands.cc (command side) and supervisor.cc (the supervisor process).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>

#include "loadgen/bench.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/commands.h"
#include "supervisor/spawn_shim.h"

namespace {

void AddClusterRef(CLI::App* cmd, pc::ClusterRef& ref) {
  cmd->add_option("--name", ref.name, "cluster name (directory under $PSEUDO_CLUSTER_HOME)");
  cmd->add_option("--dir", ref.dir, "cluster directory");
}

}  // namespace

static int Run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "__spawn") == 0) {
    return pc::RunSpawnShim(argc, argv);
  }

  CLI::App app{"pseudo-cluster: a ZooKeeper ensemble on one machine"};
  app.require_subcommand(1);
  pc::ClusterRef ref;

  // up
  auto* up = app.add_subcommand("up", "lay out, start and supervise a cluster");
  int size = 0, observers = -1, timeout_s = 120;
  std::string engine, config, name, dir, base_ports, zookeeper_home, apache_jvm;
  int tick_time = 0, init_limit = 0, sync_limit = 0;
  bool detach = false, fresh = false;
  up->add_option("N", size, "number of voting servers (default 3)")->check(CLI::Range(1, 15));
  up->add_option("--observers", observers, "observers besides the N voters")
      ->check(CLI::Range(0, 15));
  up->add_option("--engine", engine, "zkd (default) or apache")
      ->check(CLI::IsMember({"zkd", "apache"}));
  up->add_option("--config", config, "cluster description, e.g. cluster-configs/three.ini");
  up->add_option("--name", name, "cluster name (default: from --config, else 'default')");
  up->add_option("--dir", dir,
                 "cluster directory (default $PSEUDO_CLUSTER_HOME/<name>, "
                 "$PSEUDO_CLUSTER_HOME defaults to ~/.pseudo-cluster)");
  up->add_option("--base-ports", base_ports,
                 "client,quorum,election bases (default 2181,2881,3881)");
  up->add_option("--tick-time", tick_time, "tickTime in ms (default 2000)");
  up->add_option("--init-limit", init_limit, "initLimit in ticks (default 10)");
  up->add_option("--sync-limit", sync_limit, "syncLimit in ticks (default 5)");
  up->add_option("--zookeeper-home", zookeeper_home,
                 "Apache ZooKeeper installation (apache engine)");
  up->add_option("--apache-jvm", apache_jvm,
                 "apache engine's JVM: tuned (default: small heap, quick start) or stock "
                 "(Java's defaults, as zkServer.sh)")
      ->check(CLI::IsMember({"tuned", "stock"}));
  up->add_option("--timeout", timeout_s, "seconds to wait for readiness (default 120)");
  up->add_flag("-d,--detach", detach, "return once ready; the supervisor stays in the background");
  up->add_flag("--fresh", fresh, "wipe the node directories first");

  auto* status = app.add_subcommand("status", "one row per node, and the quorum");
  bool json = false;
  status->add_flag("--json", json, "machine-readable output");
  AddClusterRef(status, ref);

  std::string target, signal_name;
  struct Action {
    const char* name;
    const char* help;
  };
  const Action actions[] = {{"kill", "send a signal (default SIGKILL)"},
                            {"stop", "stop gracefully (SIGTERM)"},
                            {"start", "start stopped servers"},
                            {"restart", "stop, then start"},
                            {"pause", "freeze with SIGSTOP"},
                            {"resume", "thaw with SIGCONT"}};
  std::vector<CLI::App*> action_cmds;
  for (const auto& a : actions) {
    auto* cmd = app.add_subcommand(a.name, a.help);
    cmd->add_option("TARGET", target,
                    "node id, leader, follower, followers, observer, observers or all")
        ->required();
    if (std::strcmp(a.name, "kill") == 0) {
      cmd->add_option("-s,--signal", signal_name, "KILL, TERM, INT, ... (default KILL)");
    }
    AddClusterRef(cmd, ref);
    action_cmds.push_back(cmd);
  }

  auto* events = app.add_subcommand("events", "the timeline");
  bool follow = false, absolute = false;
  events->add_flag("-f,--follow", follow, "keep streaming");
  events->add_flag("--json", json, "one JSON object per event");
  events->add_flag("--absolute", absolute, "wall-clock times");
  AddClusterRef(events, ref);

  auto* logs = app.add_subcommand("logs", "server logs");
  std::string log_target;
  int lines = 20;
  logs->add_option("TARGET", log_target, "node id, role, all (default) or supervisor");
  logs->add_flag("-f,--follow", follow, "keep printing new lines");
  logs->add_option("-n,--lines", lines, "lines per file (default 20)");
  AddClusterRef(logs, ref);

  auto* wait = app.add_subcommand("wait", "wait for a leader or readiness (for scripts)");
  std::string what;
  double wait_timeout_s = 60;
  wait->add_option("WHAT", what, "leader or ready")
      ->required()
      ->check(CLI::IsMember({"leader", "ready"}));
  wait->add_option("--timeout", wait_timeout_s, "seconds (default 60)");
  AddClusterRef(wait, ref);

  auto* down = app.add_subcommand("down", "stop every server and the supervisor");
  bool clean = false;
  down->add_flag("--clean", clean, "also remove the cluster directory");
  AddClusterRef(down, ref);

  auto* list = app.add_subcommand("list", "clusters known on this machine");
  list->add_flag("--json", json, "machine-readable output");

  auto* export_cmd = app.add_subcommand("export", "the same ensemble for real machines");
  std::string hosts, out_dir, export_engine;
  export_cmd->add_option("--hosts", hosts, "h1,h2,h3: one host per node")->required();
  export_cmd->add_option("--out", out_dir, "output directory (default <name>-ensemble)");
  export_cmd->add_option("--engine", export_engine, "zkd or apache (default: the cluster's)")
      ->check(CLI::IsMember({"zkd", "apache"}));
  AddClusterRef(export_cmd, ref);

  auto* bench = app.add_subcommand(
      "bench", "load generator on the Apache C client: latency, throughput, failover, start-up");
  pc::BenchOptions bo;
  bench->add_option("WORKLOAD", bo.workload,
                    "latency, throughput (write, read, mix), failover, startup or all (default)");
  bench->add_option("--engine", bo.engine, "zkd (default) or apache, for clusters it brings up")
      ->check(CLI::IsMember({"zkd", "apache"}));
  bench->add_flag("--compare", bo.compare,
                  "run zkd and Apache ZooKeeper alternately and print them side by side");
  bench->add_option("--cluster", bo.cluster, "run against this running cluster (by name)");
  bench->add_option("--dir", bo.dir, "run against the running cluster in this directory");
  bench->add_option("--nodes", bo.voters, "voters in clusters it brings up (default 3)")
      ->check(CLI::Range(1, 15));
  bench->add_option("--observers", bo.observers, "observers in clusters it brings up")
      ->check(CLI::Range(0, 15));
  bench
      ->add_option("--apache-jvm", bo.apache_jvm,
                   "JVM of the Apache clusters it brings up: stock (default: Java's defaults, "
                   "as zkServer.sh) or tuned (small heap, C1 only, as `up` starts it)")
      ->check(CLI::IsMember({"tuned", "stock"}));
  bench->add_option("--tick-time", bo.tick_time_ms, "tickTime of clusters it brings up (2000)")
      ->check(CLI::Range(50, 60000));
  bench->add_option("--target", bo.target,
                    "members the sessions connect to: leader, followers, observers or all "
                    "(default all, leader first; failover: followers)");
  bench->add_option("--requests", bo.requests, "latency: requests per operation (2000)")
      ->check(CLI::Range(1, 10000000));
  bench->add_option("--warmup-requests", bo.warmup_requests, "latency: untimed first (200)")
      ->check(CLI::Range(0, 10000000));
  bench->add_option("-c,--connections", bo.connections, "throughput: sessions (3)")
      ->check(CLI::Range(1, 256));
  bench->add_option("--inflight", bo.inflight, "throughput: requests in flight per session (64)")
      ->check(CLI::Range(1, 4096));
  bench->add_option("--duration", bo.duration_s, "throughput: measured seconds per kind (5)")
      ->check(CLI::Range(0.1, 3600.0));
  bench->add_option("--warmup", bo.warmup_s, "throughput: unmeasured seconds first (1)")
      ->check(CLI::Range(0.0, 600.0));
  bench->add_option("--value-size", bo.value_bytes, "bytes per value (100)")
      ->check(CLI::Range(0, 1000000));
  bench->add_option("--read-pct", bo.read_pct, "mix: percent of reads (90)")
      ->check(CLI::Range(0, 100));
  auto* rounds_opt = bench
                         ->add_option("--rounds", bo.rounds,
                                      "failover rounds (5); with `bench startup`, its rounds")
                         ->check(CLI::Range(1, 1000));
  bench->add_option("--startup-rounds", bo.startup_rounds, "start-up rounds (3)")
      ->check(CLI::Range(1, 1000));
  bench->add_option("--failover-clients", bo.failover_clients, "failover: writing sessions (2)")
      ->check(CLI::Range(1, 64));
  bench
      ->add_option("--session-timeout", bo.session_timeout_ms,
                   "client session timeout in ms (4000)")
      ->check(CLI::Range(1000, 600000));
  bench->add_flag("--json", bo.json, "machine-readable output");
  bench->add_option("--json-file", bo.json_file, "also write the JSON document to this file");
  bench->add_option("--plot", bo.plot, "draw latency distributions and failover timelines (PNG)");
  bench->add_flag("--keep", bo.keep, "keep the bench's state directory (logs, data)");

  CLI11_PARSE(app, argc, argv);

  if (up->parsed()) {
    pc::UpOptions options;
    options.detach = detach;
    options.fresh = fresh;
    options.timeout_s = timeout_s;
    pc::ClusterSpec& spec = options.spec;
    if (!config.empty()) {
      if (auto r = pc::LoadClusterIni(config, spec); !r.ok()) {
        std::fprintf(stderr, "pseudo-cluster: %s\n", r.error.c_str());
        return 1;
      }
    }
    if (size > 0) {
      spec.voters = size;
    }
    if (observers >= 0) {
      spec.observers = observers;
    }
    if (!engine.empty()) {
      spec.engine = *pc::ParseEngine(engine);
    }
    if (!name.empty()) {
      spec.name = name;
    }
    if (!dir.empty()) {
      spec.dir = dir;
    }
    if (!base_ports.empty()) {
      auto ports = pc::ParseBasePorts(base_ports);
      if (!ports) {
        std::fprintf(stderr,
                     "pseudo-cluster: --base-ports '%s': expected client,quorum,election, e.g. "
                     "2181,2881,3881\n",
                     base_ports.c_str());
        return 1;
      }
      spec.base = *ports;
    }
    if (tick_time > 0) {
      spec.tick_time_ms = tick_time;
    }
    if (init_limit > 0) {
      spec.init_limit = init_limit;
    }
    if (sync_limit > 0) {
      spec.sync_limit = sync_limit;
    }
    if (!zookeeper_home.empty()) {
      spec.zookeeper_home = zookeeper_home;
    }
    if (!apache_jvm.empty()) {
      spec.apache_jvm = apache_jvm;
    }
    return pc::CmdUp(options);
  }
  if (status->parsed()) {
    return pc::CmdStatus(ref, json);
  }
  for (auto* cmd : action_cmds) {
    if (cmd->parsed()) {
      return pc::CmdAction(ref, cmd->get_name(), target, signal_name);
    }
  }
  if (events->parsed()) {
    return pc::CmdEvents(ref, follow, json, absolute);
  }
  if (logs->parsed()) {
    return pc::CmdLogs(ref, log_target, follow, lines);
  }
  if (wait->parsed()) {
    return pc::CmdWait(ref, what, wait_timeout_s);
  }
  if (down->parsed()) {
    return pc::CmdDown(ref, clean);
  }
  if (list->parsed()) {
    return pc::CmdList(json);
  }
  if (bench->parsed()) {
    if (bo.workload == "startup" && rounds_opt->count() > 0) {
      bo.startup_rounds = bo.rounds;
    }
    return pc::CmdBench(bo);
  }
  if (export_cmd->parsed()) {
    return pc::CmdExport(ref, hosts, out_dir, export_engine);
  }
  return 1;
}

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pseudo-cluster: %s\n", e.what());
    return 1;
  }
}
