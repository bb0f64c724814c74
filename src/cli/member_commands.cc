// Member actions: kill, stop, start, restart, pause and resume one or more servers of a running
// cluster, by id or role. The Supervisor does the work and streams a line per server touched.
// And the ensemble's shape: `add [--observer]`, `remove TARGET`, `promote TARGET` and
// `demote TARGET` reconfigure a cluster started with `up --reconfig` (supervisor_reconfig.cc);
// bad input to them exits 2.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"

namespace pc::cli {

namespace {

struct ActionArgs {
  ClusterRef ref;
  std::string target;
  std::string signal_name;
};

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

// `add` / `remove` / `promote` / `demote`: streams the supervisor's lines. Exit 2 for bad input (not running, not
// started with --reconfig, an unknown target, a reconfig ZooKeeper refuses), 1 for a member that
// did not come up or go away as asked.
int CmdReshape(const ClusterRef& ref, const nlohmann::json& request) {
  const std::string dir = ResolveClusterDir(ref);
  ControlReply reply = Request(SocketPath(dir), request, [](const nlohmann::json& m) {
    if (m.contains("line")) {
      std::printf("%s\n", m.value("line", "").c_str());
      std::fflush(stdout);
    }
  });
  if (!reply.connected) {
    Fail(NotRunning(dir));
    return 2;
  }
  if (!reply.ok) {
    Fail(reply.error);
    return reply.data.is_object() && reply.data.value("bad_input", false) ? 2 : 1;
  }
  return 0;
}

void AddReshapeCommands(CLI::App& app, CommandRun* chosen) {
  auto* add = app.add_subcommand(
      "add", "grow a running cluster (started with `up --reconfig`) by one member");
  auto add_ref = std::make_shared<ClusterRef>();
  auto observer = std::make_shared<bool>(false);
  add->add_flag("--observer", *observer, "the new member observes instead of voting");
  FinishWithClusterRef(add, *add_ref, chosen, [add_ref, observer] {
    return CmdReshape(*add_ref, {{"cmd", "add"}, {"observer", *observer}});
  });
  // The commands that take one member: the same shape, a different request.
  struct TargetCommand {
    const char* name;
    const char* help;
    const char* target_help;
  };
  const TargetCommand commands[] = {
      {"remove", "reconfigure one member out of a running cluster, then stop it",
       "node id, leader, follower or observer"},
      {"promote", "reconfigure an observer of a running cluster into a voting participant",
       "node id or observer"},
      {"demote",
       "reconfigure a participant of a running cluster into an observer (a leader hands over)",
       "node id, leader or follower"},
  };
  for (const auto& command : commands) {
    auto* cmd = app.add_subcommand(command.name, command.help);
    auto ref = std::make_shared<ClusterRef>();
    auto target = std::make_shared<std::string>();
    cmd->add_option("TARGET", *target, command.target_help)->required();
    const std::string name = command.name;
    FinishWithClusterRef(cmd, *ref, chosen, [ref, target, name] {
      return CmdReshape(*ref, {{"cmd", name}, {"target", *target}});
    });
  }
}

}  // namespace

void AddMemberCommands(CLI::App& app, CommandRun* chosen) {
  AddReshapeCommands(app, chosen);
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
  for (const auto& action : actions) {
    auto* cmd = app.add_subcommand(action.name, action.help);
    auto a = std::make_shared<ActionArgs>();
    cmd->add_option("TARGET", a->target,
                    "node id, leader, follower, followers, observer, observers or all")
        ->required();
    if (std::string(action.name) == "kill") {
      cmd->add_option("-s,--signal", a->signal_name, "KILL, TERM, INT, ... (default KILL)");
    }
    const std::string name = action.name;
    FinishWithClusterRef(cmd, a->ref, chosen,
                         [a, name] { return CmdAction(a->ref, name, a->target, a->signal_name); });
  }
}

}  // namespace pc::cli
