// Cluster lifecycle: `up` (lay out, fork the Supervisor, wait for readiness, then stream the
// timeline or detach), `down` (ask the Supervisor to stop, optionally remove the directory) and
// `list` (the clusters under the state root).
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/command.h"
#include "loadgen/reconfig_client.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/cluster_spec.h"
#include "supervisor/control_client.h"
#include "supervisor/engine.h"
#include "supervisor/interrupt.h"
#include "supervisor/port_check.h"
#include "supervisor/status_view.h"
#include "supervisor/supervisor.h"
#include "supervisor/tls_certs.h"
#include "ui/ui_server.h"

namespace fs = std::filesystem;

namespace pc::cli {

namespace {

// `up`'s flags as given; zero, negative or empty means "not given, keep the spec's".
struct UpArgs {
  int size = 0, observers = -1, timeout_s = 120;
  std::string engine, config, name, dir, base_ports, zookeeper_home, apache_jvm, gap;
  int tick_time = 0, init_limit = 0, sync_limit = 0, max_client_cnxns = -1;
  bool detach = false, fresh = false, faults = false, read_only_mode = false, tls = false;
  bool no_start = false, one_by_one = false, reconfig = false;
};

// Bad input to `up`: one line, exit code 2, nothing laid out or started.
int Refuse(const std::string& message) {
  Fail(message);
  return 2;
}

struct UpOptions {
  ClusterSpec spec;
  bool detach = false;
  bool fresh = false;  // wipe node directories first
  int timeout_s = 120;
};

// The spec `up` brings up: --config, then each flag given over it. Returns 0 or the exit code.
int BuildSpec(const UpArgs& a, ClusterSpec* spec) {
  if (!a.config.empty()) {
    if (auto r = LoadClusterIni(a.config, *spec); !r.ok()) {
      return Fail(r.error);
    }
  }
  if (a.size > 0) {
    spec->voters = a.size;
  }
  if (a.observers >= 0) {
    spec->observers = a.observers;
  }
  if (!a.engine.empty()) {
    spec->engine = *ParseEngine(a.engine);
  }
  if (!a.name.empty()) {
    spec->name = a.name;
  }
  if (!a.dir.empty()) {
    spec->dir = a.dir;
  }
  if (!a.base_ports.empty()) {
    auto ports = ParseBasePorts(a.base_ports);
    if (!ports) {
      return Fail("--base-ports '" + a.base_ports +
                  "': expected client,quorum,election, e.g. 2181,2881,3881");
    }
    spec->base = *ports;
  }
  if (a.tick_time > 0) {
    spec->tick_time_ms = a.tick_time;
  }
  if (a.init_limit > 0) {
    spec->init_limit = a.init_limit;
  }
  if (a.sync_limit > 0) {
    spec->sync_limit = a.sync_limit;
  }
  if (!a.zookeeper_home.empty()) {
    spec->zookeeper_home = a.zookeeper_home;
  }
  if (!a.apache_jvm.empty()) {
    spec->apache_jvm = a.apache_jvm;
  }
  spec->proxied_links = spec->proxied_links || a.faults;
  spec->read_only_mode = spec->read_only_mode || a.read_only_mode;
  spec->tls = spec->tls || a.tls;
  spec->reconfig = spec->reconfig || a.reconfig;
  if (spec->reconfig) {
    if (std::string why = ReconfigUnsupported(spec->engine); !why.empty()) {
      return Refuse("--reconfig: " + why);
    }
    if (spec->proxied_links) {
      return Refuse(
          "--reconfig with --faults: the proxied links have a fixed set of members, so add and "
          "remove cannot work on them yet; choose one of the two");
    }
  }
  if (a.max_client_cnxns >= 0) {
    spec->max_client_cnxns = a.max_client_cnxns;
  }
  if (a.no_start) {
    spec->start = StartOrder::kNone;
  }
  if (a.one_by_one) {
    spec->start = StartOrder::kOneByOne;
  }
  if (!a.gap.empty()) {
    auto ms = ParseDurationMs(a.gap);
    if (!ms) {
      return Refuse("--gap '" + a.gap + "': expected a duration such as 1s, 2.5s or 500ms");
    }
    if (spec->start != StartOrder::kOneByOne) {
      return Refuse("--gap is the pause between one-by-one starts: use it with --one-by-one");
    }
    spec->start_gap_ms = *ms;
  }
  return 0;
}

// Waits until no supervisor answers on the socket, at most timeout_ms.
bool WaitGone(const std::string& socket, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 100) {
    if (!SupervisorRunning(socket)) {
      return true;
    }
    SleepMs(100);
  }
  return false;
}

// Runs the supervisor in this (forked) process. Never returns.
[[noreturn]] void BecomeSupervisor(const UpOptions& options, const std::string& dir,
                                   const Launcher& launcher, bool detach, pid_t parent) {
  if (detach) {
    ::setsid();
  } else {
    // Foreground: if the `up` process dies, bring the cluster down cleanly.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) {
      ::_exit(1);
    }
  }
  int null_fd = ::open("/dev/null", O_RDONLY);
  int log_fd = ::open((dir + "/supervisor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
  }
  if (log_fd >= 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  Supervisor::SetUiStarter(ui::StartUiThread);  // `pseudo-cluster ui` asks the supervisor
  Supervisor::SetReconfigRunner(loadgen::CallReconfig);  // `add` and `remove` ask it
  int rc;
  {
    Supervisor supervisor(options.spec, dir, launcher, fs::read_symlink("/proc/self/exe").string());
    rc = supervisor.Run();
  }
  spdlog::shutdown();
  std::fflush(nullptr);
  ::_exit(rc);
}

// After the supervisor is forked: wait for readiness. Returns 0 when ready.
int AwaitReady(const std::string& dir, pid_t child, int timeout_s) {
  const std::string socket = SocketPath(dir);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::string last_progress;
  while (elapsed_s() < timeout_s) {
    if (Interrupted()) {
      return 130;
    }
    int wstatus;
    if (::waitpid(child, &wstatus, WNOHANG) == child) {
      return Fail("the supervisor exited before the cluster was ready; see " + dir +
                  "/supervisor.log");
    }
    ControlReply reply = Request(socket, {{"cmd", "status"}});
    if (!reply.connected || !reply.ok) {
      SleepMs(100);
      continue;
    }
    const nlohmann::json& status = reply.data;
    bool all_running = true;
    for (const auto& n : status["nodes"]) {
      const std::string process = n.value("process", "");
      if (n.value("queued", false)) {
        all_running = false;  // `up --one-by-one` has not started it yet
        continue;
      }
      if (process == "crashed" || process == "stopped") {
        return Fail("node" + std::to_string(n.value("id", 0)) +
                    " exited before the cluster was ready: " + n.value("last_exit", "") +
                    " (log: " + n.value("log", "") + ")");
      }
      if (process != "running") {
        all_running = false;
      }
    }
    if (all_running && status["cluster"].value("ready", false)) {
      return 0;
    }
    std::string progress = RolesLine(status);
    if (progress != last_progress) {
      char when[32];
      std::snprintf(when, sizeof when, "%5.1fs", elapsed_s());
      std::fprintf(stderr, "  %s  waiting: %s\n", when, progress.c_str());
      last_progress = progress;
    }
    SleepMs(150);
  }
  return Fail("the cluster is not ready after " + std::to_string(timeout_s) + "s (" +
              last_progress + "); see `pseudo-cluster logs` and " + dir + "/supervisor.log");
}

// `up --no-start`: waits until the supervisor answers. Returns 0 once it does.
int AwaitSupervisor(const std::string& dir, pid_t child, int timeout_s) {
  const std::string socket = SocketPath(dir);
  for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 100) {
    if (Interrupted()) {
      return 130;
    }
    int wstatus;
    if (::waitpid(child, &wstatus, WNOHANG) == child) {
      return Fail("the supervisor exited at start; see " + dir + "/supervisor.log");
    }
    if (Request(socket, {{"cmd", "status"}}).ok) {
      return 0;
    }
    SleepMs(100);
  }
  return Fail("the supervisor does not answer after " + std::to_string(timeout_s) + "s; see " +
              dir + "/supervisor.log");
}

// Lays out the cluster directory for `up`: refuses a running cluster or taken ports, writes
// the node directories and cluster.json. Returns 0 or the exit code.
int PrepareClusterDir(const UpOptions& options, const std::string& dir) {
  const ClusterSpec& spec = options.spec;
  const std::string socket = SocketPath(dir);
  if (SupervisorRunning(socket)) {
    return Fail("cluster '" + spec.name + "' is already running in " + dir +
                "; see `pseudo-cluster status`, or `pseudo-cluster down` first");
  }
  std::error_code ec;
  if (fs::exists(socket, ec)) {
    std::fprintf(stderr,
                 "note: %s holds leftovers of a supervisor that did not exit cleanly; reusing its "
                 "data directories (--fresh starts from empty ones)\n",
                 dir.c_str());
    fs::remove(socket, ec);
  }
  std::vector<std::string> taken = CheckPorts(spec);
  if (!taken.empty()) {
    for (const auto& line : taken) {
      std::fprintf(stderr, "pseudo-cluster: %s\n", line.c_str());
    }
    return 1;
  }
  if (options.fresh) {
    for (int id = 1; id <= 64; ++id) {
      fs::remove_all(NodeDir(dir, id), ec);
    }
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return Fail("cannot create " + dir + ": " + ec.message());
  }
  if (spec.tls) {
    if (std::string error = MakeClusterCerts(dir); !error.empty()) {
      return Fail(error);
    }
  }
  std::vector<std::string> notes;
  if (std::string error = WriteNodeDirs(spec, dir, &notes); !error.empty()) {
    return Fail(error);
  }
  for (const std::string& note : notes) {
    std::fprintf(stderr, "%s\n", note.c_str());
  }
  {
    std::ofstream out(dir + "/cluster.json");
    out << SpecToJson(spec).dump(2) << "\n";
  }
  // A cluster in its own --dir is still found by name from the state root.
  const std::string by_name = StateRoot() + "/" + spec.name;
  if (!spec.dir.empty() && !fs::exists(by_name, ec) && by_name != dir) {
    fs::create_directories(StateRoot(), ec);
    fs::create_directory_symlink(dir, by_name, ec);
  }
  return 0;
}

// `up` again on a cluster that `add` / `remove` / `promote` changed: its members are those of
// cluster.json, not the N of the command line, as long as the shape at `up` is the same (the
// ids would collide otherwise: then the changes are dropped, with a note). --fresh forgets them.
void KeepReshapedMembers(UpOptions* options) {
  ClusterSpec& spec = options->spec;
  ClusterSpec before;
  const std::string dir = ClusterDir(spec);
  if (options->fresh || !ReadClusterSpec(dir, &before) || before.reshaped.empty()) return;
  if (before.voters != spec.voters || before.observers != spec.observers) {
    std::fprintf(stderr,
                 "note: %s was grown or shrunk with add/remove from %d voters; this `up` lays out "
                 "%d voters and %d observers anew, without those changes\n",
                 dir.c_str(), before.voters, spec.voters, spec.observers);
    return;
  }
  spec.added = before.added;
  spec.reshaped = before.reshaped;
  spec.reconfig = spec.reconfig || before.reconfig;
  std::fprintf(stderr, "note: keeping the members add/remove left in %s: %d voters, %d observers\n",
               dir.c_str(), spec.voter_count(), spec.observer_count());
}

int CmdUp(UpOptions options) {
  KeepReshapedMembers(&options);
  const ClusterSpec& spec = options.spec;
  if (SpecResult check = CheckSpec(spec); !check.ok()) {
    return Fail(check.error);
  }
  const Launcher launcher = ResolveLauncher(spec, SelfDir());
  if (!launcher.ok()) {
    return Fail(launcher.error);
  }
  const std::string dir = ClusterDir(spec);
  const std::string socket = SocketPath(dir);
  if (int rc = PrepareClusterDir(options, dir); rc != 0) {
    return rc;
  }
  if (std::string note = EvenSizeNote(spec.voters); !note.empty()) {
    std::fprintf(stderr, "%s\n", note.c_str());
  }
  if (spec.start == StartOrder::kNone) {
    std::fprintf(stderr, "laid out %d %s servers of cluster '%s' in %s; none started\n",
                 spec.nodes(), EngineName(spec.engine), spec.name.c_str(), dir.c_str());
  } else {
    std::fprintf(stderr, "starting %d %s servers of cluster '%s' in %s%s\n", spec.nodes(),
                 EngineName(spec.engine), spec.name.c_str(), dir.c_str(),
                 spec.start == StartOrder::kOneByOne ? ", one by one in myid order" : "");
  }
  std::fflush(nullptr);

  CatchInterrupts();
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    return Fail(std::string("fork failed: ") + std::strerror(errno));
  }
  if (child == 0) {
    BecomeSupervisor(options, dir, launcher, options.detach, parent);
  }

  int rc = spec.start == StartOrder::kNone ? AwaitSupervisor(dir, child, options.timeout_s)
                                           : AwaitReady(dir, child, options.timeout_s);
  if (rc != 0) {
    Request(socket, {{"cmd", "down"}});
    ::waitpid(child, nullptr, 0);
    return rc;
  }
  ControlReply status = Request(socket, {{"cmd", "status"}});
  std::printf("%s", RenderStatus(status.data).c_str());
  if (spec.start == StartOrder::kNone) {
    const std::string which = spec.name == "default" ? "" : " --name " + spec.name;
    std::printf(
        "no member started (--no-start): start them one at a time, e.g. "
        "`pseudo-cluster start 1%s`\n",
        which.c_str());
  }
  if (options.detach) {
    std::printf("supervisor pid %d runs in the background; `pseudo-cluster down` stops it\n",
                static_cast<int>(child));
    return 0;
  }
  std::printf("streaming the timeline; Ctrl-C brings the cluster down\n");
  std::fflush(stdout);
  Request(socket, {{"cmd", "events"}, {"follow", true}},
          [](const nlohmann::json& m) { PrintEvent(m, false, false); });
  Request(socket, {{"cmd", "down"}});
  ::waitpid(child, nullptr, 0);
  std::printf("cluster '%s' is down\n", spec.name.c_str());
  return 0;
}

int CmdDown(const ClusterRef& ref, bool clean) {
  const std::string dir = ResolveClusterDir(ref);
  const std::string socket = SocketPath(dir);
  ControlReply reply = Request(socket, {{"cmd", "down"}});
  if (reply.connected) {
    if (!WaitGone(socket, (Supervisor::kStopGraceMs + 10000))) {
      return Fail("the supervisor in " + dir + " did not exit; see " + dir + "/supervisor.log");
    }
    std::printf("cluster in %s is down\n", dir.c_str());
  } else if (!clean) {
    return Fail(NotRunning(dir));
  }
  if (!clean) {
    return 0;
  }
  std::error_code ec;
  if (!fs::exists(dir + "/cluster.json", ec)) {
    return Fail(dir + " does not look like a cluster directory (no cluster.json); not removing it");
  }
  const fs::path real = fs::canonical(dir, ec);
  fs::remove_all(real, ec);
  if (fs::is_symlink(dir)) {
    fs::remove(dir, ec);
  }
  if (ec) {
    return Fail("cannot remove " + real.string() + ": " + ec.message());
  }
  std::printf("removed %s\n", real.c_str());
  return 0;
}

int CmdList(bool json) {
  nlohmann::json clusters = nlohmann::json::array();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(StateRoot(), ec)) {
    const std::string dir = entry.path().string();
    ClusterSpec spec;
    if (!ReadClusterSpec(dir, &spec)) {
      continue;
    }
    clusters.push_back({{"name", entry.path().filename().string()},
                        {"engine", EngineName(spec.engine)},
                        {"nodes", spec.voter_count() + spec.observer_count()},
                        {"running", SupervisorRunning(SocketPath(dir))},
                        {"dir", fs::canonical(dir, ec).string()}});
  }
  if (json) {
    std::printf("%s\n", clusters.dump(2).c_str());
    return 0;
  }
  if (clusters.empty()) {
    std::printf("no clusters in %s\n", StateRoot().c_str());
    return 0;
  }
  std::printf("%-16s %-7s %-6s %-8s %s\n", "name", "engine", "nodes", "state", "dir");
  for (const auto& c : clusters) {
    std::printf("%-16s %-7s %-6d %-8s %s\n", c.value("name", "").c_str(),
                c.value("engine", "").c_str(), c.value("nodes", 0),
                c.value("running", false) ? "running" : "stopped", c.value("dir", "").c_str());
  }
  return 0;
}

void AddUpCommand(CLI::App& app, CommandRun* chosen) {
  auto* up = app.add_subcommand("up", "lay out, start and supervise a cluster");
  auto a = std::make_shared<UpArgs>();
  up->add_option("N", a->size, "number of voting servers (default 3)")->check(CLI::Range(1, 15));
  up->add_option("--observers", a->observers, "observers besides the N voters")
      ->check(CLI::Range(0, 15));
  up->add_option("--engine", a->engine, "zkd (default) or apache")
      ->check(CLI::IsMember({"zkd", "apache"}));
  up->add_option("--config", a->config, "cluster description, e.g. cluster-configs/three.ini");
  up->add_option("--name", a->name, "cluster name (default: from --config, else 'default')");
  up->add_option("--dir", a->dir,
                 "cluster directory (default $PSEUDO_CLUSTER_HOME/<name>, "
                 "$PSEUDO_CLUSTER_HOME defaults to ~/.pseudo-cluster)");
  up->add_option("--base-ports", a->base_ports,
                 "client,quorum,election bases (default 2181,2881,3881)");
  up->add_option("--tick-time", a->tick_time, "tickTime in ms (default 2000)");
  up->add_option("--init-limit", a->init_limit, "initLimit in ticks (default 10)");
  up->add_option("--sync-limit", a->sync_limit, "syncLimit in ticks (default 5)");
  up->add_option("--zookeeper-home", a->zookeeper_home,
                 "Apache ZooKeeper installation (apache engine)");
  up->add_option("--apache-jvm", a->apache_jvm,
                 "apache engine's JVM: tuned (default: small heap, quick start) or stock "
                 "(Java's defaults, as zkServer.sh)")
      ->check(CLI::IsMember({"tuned", "stock"}));
  up->add_option("--timeout", a->timeout_s, "seconds to wait for readiness (default 120)");
  up->add_flag("-d,--detach", a->detach,
               "return once ready; the supervisor stays in the background");
  up->add_flag("--fresh", a->fresh, "wipe the node directories first");
  up->add_flag("--faults", a->faults,
               "pass every link between members through the supervisor, so that partition, "
               "isolate, cut, delay and slow can act on them (default: direct links, zoo.cfg "
               "exactly as in the tutorials)");
  auto* no_start = up->add_flag(
      "--no-start", a->no_start,
      "lay out the cluster and start the supervisor, but no member: start them one at a time "
      "with `start 1`, `start 2` ... (the tutorials' start-up order, by hand)");
  up->add_flag("--one-by-one", a->one_by_one,
               "start the members in myid order, each once the one before it is up (and, once a "
               "quorum runs, leads or follows): with 3 members node2 leads, with 5 node3")
      ->excludes(no_start);
  up->add_option("--gap", a->gap,
                 "with --one-by-one: pause between one member being up and the next start "
                 "(default 1s; e.g. 500ms, 2s)");
  up->add_option("--max-client-cnxns", a->max_client_cnxns,
                 "maxClientCnxns in every zoo.cfg: sessions per client address (0: no limit; "
                 "default: left out, ZooKeeper's 60)")
      ->check(CLI::Range(0, 100000));
  up->add_flag("--read-only-mode", a->read_only_mode,
               "readonlymode.enabled on every member: cut off from the quorum, a member still "
               "answers reads to clients that allow read-only");
  up->add_flag("--tls", a->tls,
               "every member also serves TLS clients on secureClientPort = client port + 100 "
               "(ssl.clientAuth=need); a local CA, the members' certificate and a client "
               "certificate are made as PEM files in <cluster dir>/tls (ca.pem, client.pem, "
               "client-key.pem for clients)");
  up->add_flag("--reconfig",
               a->reconfig,
               "let the ensemble grow and shrink while it runs (`add`, `remove`): "
               "reconfigEnabled=true, the server lines in zoo.cfg.dynamic.<version>, and a super "
               "digest whose password is kept in <cluster dir>/super.password");
  Finish(up, chosen, [a] {
    UpOptions options;
    options.detach = a->detach;
    options.fresh = a->fresh;
    options.timeout_s = a->timeout_s;
    if (int rc = BuildSpec(*a, &options.spec); rc != 0) {
      return rc;
    }
    return CmdUp(options);
  });
}

}  // namespace

void AddLifecycleCommands(CLI::App& app, CommandRun* chosen) {
  AddUpCommand(app, chosen);

  auto* down = app.add_subcommand("down", "stop every server and the supervisor");
  auto ref = std::make_shared<ClusterRef>();
  auto clean = std::make_shared<bool>(false);
  down->add_flag("--clean", *clean, "also remove the cluster directory");
  FinishWithClusterRef(down, *ref, chosen, [ref, clean] { return CmdDown(*ref, *clean); });

  auto* list = app.add_subcommand("list", "clusters known on this machine");
  auto json = std::make_shared<bool>(false);
  list->add_flag("--json", *json, "machine-readable output");
  Finish(list, chosen, [json] { return CmdList(*json); });
}

}  // namespace pc::cli
