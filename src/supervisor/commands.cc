#include "supervisor/commands.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/engine.h"
#include "supervisor/export.h"
#include "supervisor/interrupt.h"
#include "supervisor/port_check.h"
#include "supervisor/status_view.h"
#include "supervisor/supervisor.h"
#include "supervisor/timeline.h"

namespace fs = std::filesystem;

namespace pc {

namespace {

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "pseudo-cluster: %s\n", message.c_str());
  return 1;
}

std::string NotRunning(const std::string& dir) {
  return "no cluster is running in " + dir + " (start one with `pseudo-cluster up`, see `list`)";
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

std::string Progress(const nlohmann::json& status) {
  std::string text;
  for (const auto& n : status["nodes"]) {
    if (!text.empty()) {
      text += ", ";
    }
    text += "node" + std::to_string(n.value("id", 0)) + " " + n.value("role", "");
  }
  return text;
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
    std::string progress = Progress(status);
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

void PrintEvent(const nlohmann::json& message, bool json, bool absolute) {
  if (!message.contains("event")) {
    return;
  }
  if (json) {
    std::printf("%s\n", message["event"].dump().c_str());
  } else {
    std::printf("%s\n", RenderEvent(EventFromJson(message["event"]), absolute).c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int CmdUp(const UpOptions& options) {
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
  if (std::string error = WriteNodeDirs(spec, dir); !error.empty()) {
    return Fail(error);
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
  if (std::string note = EvenSizeNote(spec.voters); !note.empty()) {
    std::fprintf(stderr, "%s\n", note.c_str());
  }
  std::fprintf(stderr, "starting %d %s servers of cluster '%s' in %s\n", spec.nodes(),
               EngineName(spec.engine), spec.name.c_str(), dir.c_str());
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

  int rc = AwaitReady(dir, child, options.timeout_s);
  if (rc != 0) {
    Request(socket, {{"cmd", "down"}});
    ::waitpid(child, nullptr, 0);
    return rc;
  }
  ControlReply status = Request(socket, {{"cmd", "status"}});
  std::printf("%s", RenderStatus(status.data).c_str());
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

int CmdStatus(const ClusterRef& ref, bool json) {
  const std::string dir = ResolveClusterDir(ref);
  ControlReply reply = Request(SocketPath(dir), {{"cmd", "status"}});
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (!reply.ok) {
    return Fail(reply.error);
  }
  if (json) {
    std::printf("%s\n", reply.data.dump(2).c_str());
  } else {
    std::printf("%s", RenderStatus(reply.data).c_str());
  }
  return 0;
}

int CmdAction(const ClusterRef& ref, const std::string& action, const std::string& target,
              const std::string& signal) {
  const std::string dir = ResolveClusterDir(ref);
  nlohmann::json request = {{"cmd", action}, {"target", target}};
  if (!signal.empty()) {
    request["signal"] = signal;
  }
  ControlReply reply = Request(SocketPath(dir), request, [](const nlohmann::json& m) {
    if (m.contains("line")) {
      std::printf("%s\n", m.value("line", "").c_str());
    }
  });
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (!reply.ok) {
    return Fail(reply.error);
  }
  return 0;
}

int CmdEvents(const ClusterRef& ref, bool follow, bool json, bool absolute) {
  const std::string dir = ResolveClusterDir(ref);
  nlohmann::json all = nlohmann::json::array();
  const bool collect = json && !follow;
  if (follow) {
    CatchInterrupts();
  }
  ControlReply reply = Request(SocketPath(dir), {{"cmd", "events"}, {"follow", follow}},
                               [&](const nlohmann::json& m) {
                                 if (collect) {
                                   if (m.contains("event")) {
                                     all.push_back(m["event"]);
                                   }
                                 } else {
                                   PrintEvent(m, json, absolute);
                                 }
                               });
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (collect) {
    std::printf("%s\n", all.dump(2).c_str());
  }
  if (follow) {
    return 0;  // ends when the supervisor exits or on Ctrl-C
  }
  return reply.ok ? 0 : Fail(reply.error);
}

int CmdLogs(const ClusterRef& ref, const std::string& target, bool follow, int lines) {
  const std::string dir = ResolveClusterDir(ref);
  ClusterSpec spec;
  if (!ReadClusterSpec(dir, &spec)) {
    return Fail("no cluster in " + dir + " (no cluster.json)");
  }
  std::vector<std::pair<std::string, std::string>> files;  // label, path
  if (target.empty() || target == "all") {
    for (int id = 1; id <= spec.nodes(); ++id) {
      files.emplace_back("node" + std::to_string(id), NodeLogPath(dir, id));
    }
  } else if (target == "supervisor") {
    files.emplace_back("supervisor", dir + "/supervisor.log");
  } else if (target.find_first_not_of("0123456789") == std::string::npos) {
    int id = std::atoi(target.c_str());
    if (id < 1 || id > spec.nodes()) {
      return Fail("no node " + target + " in " + dir);
    }
    files.emplace_back("node" + target, NodeLogPath(dir, id));
  } else {
    ControlReply reply = Request(SocketPath(dir), {{"cmd", "status"}});
    if (!reply.connected) {
      return Fail(NotRunning(dir) + "; name nodes by id to read their logs");
    }
    std::string role = target;
    if (role == "followers") {
      role = "follower";
    }
    if (role == "observers") {
      role = "observer";
    }
    for (const auto& n : reply.data["nodes"]) {
      if (n.value("role", "") == role) {
        files.emplace_back("node" + std::to_string(n.value("id", 0)), n.value("log", ""));
        if (target == "follower" || target == "observer") {
          break;
        }
      }
    }
    if (files.empty()) {
      return Fail("no node is " + target + " right now");
    }
  }
  std::vector<std::streamoff> offsets;
  for (const auto& [label, path] : files) {
    std::ifstream in(path);
    std::vector<std::string> tail;
    std::string line;
    while (std::getline(in, line)) {
      tail.push_back(line);
      if (static_cast<int>(tail.size()) > lines) {
        tail.erase(tail.begin());
      }
    }
    for (const auto& l : tail) {
      std::printf("%-10s| %s\n", label.c_str(), l.c_str());
    }
    std::error_code ec;
    offsets.push_back(static_cast<std::streamoff>(fs::file_size(path, ec)));
  }
  std::fflush(stdout);
  if (!follow) {
    return 0;
  }
  CatchInterrupts();
  while (!Interrupted()) {
    for (size_t i = 0; i < files.size(); ++i) {
      std::ifstream in(files[i].second);
      in.seekg(offsets[i]);
      std::string line;
      while (std::getline(in, line) && !in.eof()) {
        std::printf("%-10s| %s\n", files[i].first.c_str(), line.c_str());
        offsets[i] = in.tellg();
      }
    }
    std::fflush(stdout);
    SleepMs(200);
  }
  return 0;
}

int CmdWait(const ClusterRef& ref, const std::string& what, double timeout_s) {
  if (what != "leader" && what != "ready") {
    return Fail("wait for what? use `wait leader` or `wait ready`");
  }
  const std::string dir = ResolveClusterDir(ref);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  nlohmann::json last;
  while (std::chrono::steady_clock::now() < deadline) {
    ControlReply reply = Request(SocketPath(dir), {{"cmd", "status"}});
    if (!reply.connected) {
      // Not up yet (scripts run `up &` then `wait`): keep trying until the deadline.
      SleepMs(100);
      continue;
    }
    last = reply.data;
    const auto& c = last["cluster"];
    const bool done = what == "leader" ? c.value("leader", 0) != 0 : c.value("ready", false);
    if (done) {
      std::printf("leader node%d epoch %lld%s\n", c.value("leader", 0),
                  static_cast<long long>(c.value("epoch", int64_t{-1})),
                  c.value("ready", false) ? ", ready" : "");
      return 0;
    }
    SleepMs(100);
  }
  if (last.is_null()) {
    return Fail(NotRunning(dir));
  }
  return Fail("no " + what + " after " + std::to_string(static_cast<int>(timeout_s)) + "s (" +
              Progress(last) + ")");
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
  if (clean) {
    std::error_code ec;
    if (!fs::exists(dir + "/cluster.json", ec)) {
      return Fail(dir +
                  " does not look like a cluster directory (no cluster.json); not removing it");
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
  }
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
                        {"nodes", spec.nodes()},
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

int CmdExport(const ClusterRef& ref, const std::string& hosts_text, const std::string& out_dir,
              const std::string& engine) {
  std::vector<std::string> hosts;
  std::stringstream list(hosts_text);
  for (std::string host; std::getline(list, host, ',');) {
    hosts.push_back(host);
  }
  ClusterSpec spec;
  const std::string dir = ResolveClusterDir(ref);
  if (!ReadClusterSpec(dir, &spec)) {
    spec.voters = static_cast<int>(hosts.size());
    if (!ref.name.empty()) {
      spec.name = ref.name;
    }
  }
  if (!engine.empty()) {
    spec.engine = *ParseEngine(engine);
  }
  ExportFiles files = RenderExport(spec, hosts);
  if (!files.error.empty()) {
    return Fail(files.error);
  }
  const std::string out = out_dir.empty() ? spec.name + "-ensemble" : out_dir;
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

}  // namespace pc
