// Member actions: kill, stop, start, restart, pause and resume one or more servers of a running
// cluster, by id or role. The Supervisor does the work and streams a line per server touched.
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

}  // namespace

void AddMemberCommands(CLI::App& app, CommandRun* chosen) {
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
