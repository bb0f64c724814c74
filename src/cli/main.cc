// pseudo-cluster: a ZooKeeper ensemble on one machine. Builds the command line from the command
// groups (command.h), parses it and runs the chosen command. `__spawn` is not a command: it is
// the Supervisor starting a server through this binary (supervisor/spawn_shim.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>

#include "cli/command.h"
#include "supervisor/spawn_shim.h"

namespace {

int Run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "__spawn") == 0) {
    return pc::RunSpawnShim(argc, argv);
  }
  CLI::App app{"pseudo-cluster: a ZooKeeper ensemble on one machine"};
  app.require_subcommand(1);
  // A usage error is one line, as every other error (CLI11 adds a second line by default).
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("pseudo-cluster: ") + e.what() + " (see --help)\n";
  });
  pc::cli::CommandRun chosen;
  pc::cli::AddLifecycleCommands(app, &chosen);
  pc::cli::AddObserveCommands(app, &chosen);
  pc::cli::AddMemberCommands(app, &chosen);
  pc::cli::AddLinkCommands(app, &chosen);
  pc::cli::AddExportCommand(app, &chosen);
  pc::cli::AddBenchCommand(app, &chosen);
  pc::cli::AddLessonCommand(app, &chosen);
  pc::cli::AddChaosCommand(app, &chosen);
  pc::cli::AddTopCommand(app, &chosen);
  pc::cli::AddUiCommand(app, &chosen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // a usage error, as the fault commands' bad input
  }
  return chosen ? chosen() : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pseudo-cluster: %s\n", e.what());
    return 1;
  }
}
