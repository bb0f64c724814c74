#include "loadgen/bench_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/four_letter.h"
#include "supervisor/four_letter_ask.h"
#include "supervisor/port_check.h"

extern char** environ;

namespace fs = std::filesystem;

namespace pc::loadgen {

namespace {

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool Settled(const std::string& role) {
  return role == "leader" || role == "follower" || role == "observer" || role == "standalone";
}

}  // namespace

int RunSelf(const std::vector<std::string>& args, const std::string& home,
            const std::string& log_path, bool wait, int* pid_out) {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PSEUDO_CLUSTER_HOME=", 20) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  env_strings.push_back("PSEUDO_CLUSTER_HOME=" + home);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> all = {self};
  all.insert(all.end(), args.begin(), args.end());
  for (auto& s : all) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return -1;
  }
  if (pid_out != nullptr) {
    *pid_out = pid;
  }
  if (!wait) {
    return 0;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      last = line;
    }
  }
  return last;
}

std::string PickBasePorts(int nodes, int* client_base) {
  static std::mt19937 rng(
      static_cast<unsigned>(::getpid()) * 7919u +
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int base = 10000 + 10 * static_cast<int>(rng() % 600);
    bool free = true;
    for (int b : {base, base + 6000, base + 12000}) {
      for (int i = 0; i < nodes && free; ++i) {
        free = PortIsFree(b + i);
      }
    }
    if (free) {
      if (client_base != nullptr) {
        *client_base = base;
      }
      return std::to_string(base) + "," + std::to_string(base + 6000) + "," +
             std::to_string(base + 12000);
    }
  }
  return {};
}

std::vector<std::string> UpArgs(const std::string& name, const std::string& ports,
                                const OwnClusterOptions& options) {
  std::vector<std::string> args = {"up",           std::to_string(options.voters),
                                   "-d",           "--fresh",
                                   "--name",       name,
                                   "--engine",     options.engine,
                                   "--observers",  std::to_string(options.observers),
                                   "--base-ports", ports,
                                   "--tick-time",  std::to_string(options.tick_time_ms),
                                   "--apache-jvm", options.apache_jvm};
  if (options.links == "proxied") {
    args.push_back("--faults");
  }
  if (options.max_client_cnxns >= 0) {
    args.push_back("--max-client-cnxns");
    args.push_back(std::to_string(options.max_client_cnxns));
  }
  return args;
}

std::optional<BenchCluster> BenchCluster::BringUp(const std::string& home, const std::string& name,
                                                  const OwnClusterOptions& options,
                                                  std::string* error) {
  const std::string log = home + "/" + name + "-commands.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string ports = PickBasePorts(options.voters + options.observers);
    if (ports.empty()) {
      *error = "no free port ranges between 10000 and 28000";
      return std::nullopt;
    }
    const int rc = RunSelf(UpArgs(name, ports, options), home, log, true);
    if (rc == 0) {
      BenchCluster cluster(home + "/" + name);
      cluster.home_ = home;
      cluster.name_ = name;
      return cluster;
    }
    const std::string last = LastLine(log);
    if (last.find("is in use") == std::string::npos) {  // not a port race: a real failure
      *error =
          "`pseudo-cluster up` for " + options.engine + " failed: " + last + " (see " + log + ")";
      return std::nullopt;
    }
  }
  *error = "`pseudo-cluster up` kept finding its ports taken; see " + log;
  return std::nullopt;
}

void BenchCluster::BringDown() {
  if (name_.empty()) {
    return;
  }
  RunSelf({"down", "--name", name_, "--clean"}, home_, home_ + "/" + name_ + "-commands.log", true);
  name_.clear();
}

std::optional<ClusterView> BenchCluster::Status(std::string* error) const {
  ControlReply reply = Request(SocketPath(dir_), {{"cmd", "status"}});
  if (!reply.connected) {
    *error = "no cluster is running in " + dir_ +
             " (start one with `pseudo-cluster up -d`, or leave out --cluster)";
    return std::nullopt;
  }
  if (!reply.ok) {
    *error = reply.error;
    return std::nullopt;
  }
  ClusterView view;
  const auto& c = reply.data["cluster"];
  view.engine = c.value("engine", "");
  view.leader = c.value("leader", 0);
  view.ready = c.value("ready", false);
  view.tick_time_ms = c.value("tick_time_ms", 0);
  view.voters = c.value("voters", 0);
  view.observers = c.value("observers", 0);
  if (reply.data.contains("links") && reply.data["links"].is_object()) {
    view.links = reply.data["links"].value("mode", "direct");
  }
  for (const auto& n : reply.data["nodes"]) {
    Member m;
    m.id = n.value("id", 0);
    m.role = n.value("process", "") == "running" ? n.value("role", "") : n.value("process", "");
    m.client_port = n.value("client_port", 0);
    m.pid = n.value("pid", 0);
    m.serving = n.value("serving", false);
    view.members.push_back(m);
  }
  return view;
}

bool BenchCluster::WaitReady(double timeout_s, std::string* error) const {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(timeout_s * 1000));
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto view = Status(&last_error)) {
      bool all = view->ready;
      for (const Member& m : view->members) {
        all = all && Settled(m.role);
      }
      if (all) {
        return true;
      }
      last_error = "not ready";
    }
    SleepMs(20);
  }
  *error = "the cluster in " + dir_ + " is not ready after " +
           std::to_string(static_cast<int>(timeout_s)) + " s (" + last_error + ")";
  return false;
}

int BenchCluster::KillLeader(std::string* error) const {
  ControlReply reply =
      Request(SocketPath(dir_), {{"cmd", "kill"}, {"target", "leader"}, {"signal", "KILL"}});
  if (!reply.connected || !reply.ok) {
    *error = reply.connected ? reply.error : "the supervisor in " + dir_ + " is gone";
    return 0;
  }
  const auto& nodes = reply.data["nodes"];
  return nodes.empty() ? 0 : nodes[0].get<int>();
}

bool BenchCluster::Start(int id, std::string* error) const {
  ControlReply reply =
      Request(SocketPath(dir_), {{"cmd", "start"}, {"target", std::to_string(id)}});
  if (!reply.connected || !reply.ok) {
    *error = reply.connected ? reply.error : "the supervisor in " + dir_ + " is gone";
    return false;
  }
  return true;
}

std::string BenchCluster::ForceSync() const {
  ZooCfg cfg = ReadZooCfg(NodeDir(dir_, 1) + "/zoo.cfg");
  auto it = cfg.values.find("forceSync");
  return it == cfg.values.end() ? "yes" : it->second;
}

std::vector<Member> SelectTargets(const ClusterView& view, const std::string& target) {
  std::vector<Member> out;
  auto add_role = [&](const char* role) {
    for (const Member& m : view.members) {
      if (m.role == role) {
        out.push_back(m);
      }
    }
  };
  if (target == "leader" || target == "all") {
    add_role("leader");
    add_role("standalone");
  }
  if (target == "followers" || target == "all") {
    add_role("follower");
  }
  if (target == "observers" || target == "all") {
    add_role("observer");
  }
  return out;
}

std::string HostOf(const Member& member) {
  return "127.0.0.1:" + std::to_string(member.client_port);
}

std::string HostList(const std::vector<Member>& members) {
  std::string hosts;
  for (const Member& m : members) {
    hosts += (hosts.empty() ? "" : ",") + HostOf(m);
  }
  return hosts;
}

int64_t ReadRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atoll(line.c_str() + 6);
    }
  }
  return -1;
}

bool SrvrServing(int port, std::string* role) {
  SrvrReply reply;
  if (!AskSrvr(port, &reply) || !reply.serving) {
    return false;
  }
  *role = RoleName(reply.role);
  return true;
}

bool AskSrvr(int port, SrvrReply* out) {
  const std::string text = AskFourLetter(port, "srvr", 300);
  if (text.empty()) {
    return false;
  }
  *out = ParseSrvr(text);
  return true;
}

}  // namespace pc::loadgen
