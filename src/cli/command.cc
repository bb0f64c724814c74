#include "cli/command.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

#include "supervisor/timeline.h"

namespace pc::cli {

void Finish(CLI::App* command, CommandRun* chosen, CommandRun run) {
  command->callback([chosen, run = std::move(run)] { *chosen = run; });
}

void FinishWithClusterRef(CLI::App* command, ClusterRef& ref, CommandRun* chosen, CommandRun run) {
  command->add_option("--name,--cluster", ref.name,
                      "cluster name (directory under $PSEUDO_CLUSTER_HOME)");
  command->add_option("--dir", ref.dir, "cluster directory");
  Finish(command, chosen, std::move(run));
}

int Fail(const std::string& message, const char* who) {
  std::fprintf(stderr, "%s: %s\n", who, message.c_str());
  return 1;
}

std::string NotRunning(const std::string& dir) {
  return "no cluster is running in " + dir + " (start one with `pseudo-cluster up`, see `list`)";
}

std::string RolesLine(const nlohmann::json& status) {
  std::string text;
  for (const auto& n : status["nodes"]) {
    if (!text.empty()) {
      text += ", ";
    }
    text += "node" + std::to_string(n.value("id", 0)) + " " + n.value("role", "");
  }
  return text;
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

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace pc::cli
