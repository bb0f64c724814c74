// The `pseudo-cluster` command line: main.cc builds the CLI11 app and asks each command group to
// add its subcommands. A group keeps its own option values and, when one of its subcommands is
// parsed, sets `chosen` to the work to run; main runs it after parsing and exits with its code.
// Groups: cluster lifecycle (up, down, list), member actions (kill, stop, start, restart, pause,
// resume), link faults (partition, isolate, cut, delay, slow, heal, links), observe (status,
// events, logs, wait), export, bench, lesson (src/lessons) and chaos (check: the verdict on a
// recorded history). Everything here runs in the short-lived command process, talks to the
// Supervisor over its control socket (except `up`, which forks it, and `logs` / `list` / `export`
// / `chaos check`, which read files), and reports an error as one line on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "supervisor/cluster_ref.h"

namespace pc::cli {

// The parsed command's work; returns the process exit code.
using CommandRun = std::function<int()>;

void AddLifecycleCommands(CLI::App& app, CommandRun* chosen);
void AddMemberCommands(CLI::App& app, CommandRun* chosen);
void AddObserveCommands(CLI::App& app, CommandRun* chosen);
void AddExportCommand(CLI::App& app, CommandRun* chosen);
void AddBenchCommand(CLI::App& app, CommandRun* chosen);
void AddLinkCommands(CLI::App& app, CommandRun* chosen);
void AddLessonCommand(CLI::App& app, CommandRun* chosen);
void AddChaosCommand(CLI::App& app, CommandRun* chosen);
void AddTopCommand(CLI::App& app, CommandRun* chosen);  // top_command.cc
void AddUiCommand(CLI::App& app, CommandRun* chosen);   // ui_command.cc

// The last step of adding a subcommand: `run` becomes the chosen work when it is the one parsed.
void Finish(CLI::App* command, CommandRun* chosen, CommandRun run);
// The same for a subcommand about one existing cluster, after adding its --name / --dir.
void FinishWithClusterRef(CLI::App* command, ClusterRef& ref, CommandRun* chosen, CommandRun run);

// Prints "<who>: <message>" on stderr and returns exit code 1.
int Fail(const std::string& message, const char* who = "pseudo-cluster");

// "no cluster is running in <dir> (...)", the error of every command that needs a supervisor.
std::string NotRunning(const std::string& dir);

// "node1 leader, node2 follower, ...": the roles in a `status` reply, for progress and errors.
std::string RolesLine(const nlohmann::json& status);

// Prints one {"event": ...} message of the control socket: as JSON, or as a timeline line.
void PrintEvent(const nlohmann::json& message, bool json, bool absolute);

// `events --votes` (votes_command.cc): the election facts, grouped by round.
int CmdEventsVotes(const ClusterRef& ref, bool follow, bool json, bool absolute);

void SleepMs(int ms);

}  // namespace pc::cli
