// Observe a cluster: `status` (one row per node and the quorum), `events` (the timeline, or
// follow it), `logs` (tail and follow server logs) and `wait` (block until a leader or
// readiness, for scripts).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/engine.h"
#include "supervisor/interrupt.h"
#include "supervisor/status_view.h"

namespace fs = std::filesystem;

namespace pc::cli {

namespace {

struct ObserveArgs {
  ClusterRef ref;
  bool json = false, follow = false, absolute = false, verbose = false;
  bool votes = false;  // events: the election facts instead of the timeline
  std::string target;  // logs: node id, role, all or supervisor
  int lines = 20;
  std::string what;  // wait: leader or ready
  double wait_timeout_s = 60;
};

using LogFile = std::pair<std::string, std::string>;  // label, path

int CmdStatus(const ObserveArgs& a) {
  const std::string dir = ResolveClusterDir(a.ref);
  ControlReply reply = Request(SocketPath(dir), {{"cmd", "status"}});
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (!reply.ok) {
    return Fail(reply.error);
  }
  if (a.json) {
    std::printf("%s\n", reply.data.dump(2).c_str());
  } else {
    std::printf("%s", RenderStatus(reply.data).c_str());
  }
  if (a.verbose && !a.json) {
    ClusterSpec spec;
    ReadClusterSpec(dir, &spec);
    std::printf("%s", ZkServerStatusCommands(reply.data, ZkServerScript(spec)).c_str());
  }
  return 0;
}

int CmdEvents(const ObserveArgs& a) {
  if (a.votes) {
    return CmdEventsVotes(a.ref, a.follow, a.json, a.absolute);
  }
  const std::string dir = ResolveClusterDir(a.ref);
  if (a.follow) {
    CatchInterrupts();
  }
  // --json: one compact JSON object per line, with or without --follow (JSON Lines).
  ControlReply reply = Request(SocketPath(dir), {{"cmd", "events"}, {"follow", a.follow}},
                               [&](const nlohmann::json& m) { PrintEvent(m, a.json, a.absolute); });
  if (!reply.connected) {
    return Fail(NotRunning(dir));
  }
  if (a.follow) {
    return 0;  // ends when the supervisor exits or on Ctrl-C
  }
  return reply.ok ? 0 : Fail(reply.error);
}

// The logs of the members that have `role` right now (asks the supervisor).
int LogsByRole(const std::string& dir, const std::string& target, std::vector<LogFile>* files) {
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
      files->emplace_back("node" + std::to_string(n.value("id", 0)), n.value("log", ""));
      if (target == "follower" || target == "observer") {
        break;
      }
    }
  }
  if (files->empty()) {
    return Fail("no node is " + target + " right now");
  }
  return 0;
}

// Which log files `logs TARGET` means. Returns 0 or the exit code.
int LogsOf(const std::string& dir, const std::string& target, std::vector<LogFile>* files) {
  ClusterSpec spec;
  if (!ReadClusterSpec(dir, &spec)) {
    return Fail("no cluster in " + dir + " (no cluster.json)");
  }
  if (target.empty() || target == "all") {
    for (int id = 1; id <= spec.nodes(); ++id) {
      files->emplace_back("node" + std::to_string(id), NodeLogPath(dir, id));
    }
  } else if (target == "supervisor") {
    files->emplace_back("supervisor", dir + "/supervisor.log");
  } else if (target.find_first_not_of("0123456789") == std::string::npos) {
    int id = std::atoi(target.c_str());
    if (id < 1 || id > spec.nodes()) {
      return Fail("no node " + target + " in " + dir);
    }
    files->emplace_back("node" + target, NodeLogPath(dir, id));
  } else {
    return LogsByRole(dir, target, files);
  }
  return 0;
}

// Prints the last `lines` lines of each file; returns each file's size, where following starts.
std::vector<std::streamoff> PrintTails(const std::vector<LogFile>& files, int lines) {
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
  return offsets;
}

// Prints complete new lines as they arrive, until Ctrl-C.
void FollowLogs(const std::vector<LogFile>& files, std::vector<std::streamoff> offsets) {
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
}

int CmdLogs(const ObserveArgs& a) {
  const std::string dir = ResolveClusterDir(a.ref);
  std::vector<LogFile> files;
  if (int rc = LogsOf(dir, a.target, &files); rc != 0) {
    return rc;
  }
  std::vector<std::streamoff> offsets = PrintTails(files, a.lines);
  if (a.follow) {
    FollowLogs(files, std::move(offsets));
  }
  return 0;
}

int CmdWait(const ObserveArgs& a) {
  const std::string& what = a.what;
  const double timeout_s = a.wait_timeout_s;
  if (what != "leader" && what != "ready") {
    return Fail("wait for what? use `wait leader` or `wait ready`");
  }
  const std::string dir = ResolveClusterDir(a.ref);
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
    // Never answer with a member that is not running and leading in this very reply (a guard
    // against any lag between a kill and the roles the supervisor holds).
    const int leader = c.value("leader", 0);
    bool leading = false;
    for (const auto& n : last["nodes"]) {
      const std::string role = n.value("role", "");
      leading = leading || (n.value("id", 0) == leader && n.value("process", "") == "running" &&
                            (role == "leader" || role == "standalone"));
    }
    const bool done = leading && (what == "leader" || c.value("ready", false));
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
              RolesLine(last) + ")");
}

}  // namespace

void AddObserveCommands(CLI::App& app, CommandRun* chosen) {
  // One set of values for the group: only one subcommand is ever parsed.
  auto a = std::make_shared<ObserveArgs>();
  auto* status = app.add_subcommand("status", "one row per node, and the quorum");
  status->add_flag("--json", a->json, "machine-readable output");
  status->add_flag("-v,--verbose", a->verbose,
                   "also the zkServer.sh status command for each member");
  FinishWithClusterRef(status, a->ref, chosen, [a] { return CmdStatus(*a); });

  auto* events = app.add_subcommand("events", "the timeline");
  events->add_flag("-f,--follow", a->follow, "keep streaming");
  events->add_flag("--json", a->json, "one JSON object per event, one per line");
  events->add_flag("--absolute", a->absolute, "wall-clock times");
  events->add_flag("--votes", a->votes,
                   "the elections' notifications, votes and decisions, by round, with why the "
                   "winner won");
  FinishWithClusterRef(events, a->ref, chosen, [a] { return CmdEvents(*a); });

  auto* logs = app.add_subcommand("logs", "server logs");
  logs->add_option("TARGET", a->target, "node id, role, all (default) or supervisor");
  logs->add_flag("-f,--follow", a->follow, "keep printing new lines");
  logs->add_option("-n,--lines", a->lines, "lines per file (default 20)");
  FinishWithClusterRef(logs, a->ref, chosen, [a] { return CmdLogs(*a); });

  auto* wait = app.add_subcommand("wait", "wait for a leader or readiness (for scripts)");
  wait->add_option("WHAT", a->what, "leader or ready")
      ->required()
      ->check(CLI::IsMember({"leader", "ready"}));
  wait->add_option("--timeout", a->wait_timeout_s, "seconds (default 60)");
  FinishWithClusterRef(wait, a->ref, chosen, [a] { return CmdWait(*a); });
}

}  // namespace pc::cli
