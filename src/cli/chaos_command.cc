// `chaos check DIR`: the verdict on a recorded chaos history, offline (chaos/verdict.h does the
// work). DIR holds history.jsonl (a path to the file itself works too). Prints the checks and
// the verdict line, or verdict.json with --json; exits 0 valid, 1 invalid, 3 unknown, 2 on bad
// input (a missing or malformed file, named with its line and field).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "chaos/history.h"
#include "chaos/verdict.h"
#include "cli/command.h"

namespace pc::cli {

namespace {

struct ChaosCheckArgs {
  std::string path;
  bool json = false;
  int64_t max_states = chaos::LinearizabilityOptions{}.max_states;
};

int BadInput(const std::string& message) {
  std::fprintf(stderr, "pseudo-cluster chaos check: %s\n", message.c_str());
  return 2;
}

int CmdChaosCheck(const ChaosCheckArgs& a) {
  std::filesystem::path file = a.path;
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    file /= "history.jsonl";
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return BadInput(file.string() + ": cannot read it (give a chaos run's directory or its " +
                    "history.jsonl)");
  }
  std::stringstream text;
  text << in.rdbuf();
  chaos::History history;
  std::string error;
  if (!chaos::ParseHistory(text.str(), &history, &error)) {
    return BadInput(file.string() + ": " + error);
  }
  chaos::CheckOptions options;
  options.linearizability.max_states = a.max_states;
  chaos::Verdict verdict = chaos::Judge(history, options);
  if (a.json) {
    std::printf("%s\n", chaos::VerdictJson(verdict, history).dump(2).c_str());
  } else {
    std::fputs(chaos::RenderVerdict(verdict, history).c_str(), stdout);
  }
  return chaos::ExitCode(verdict.outcome);
}

}  // namespace

void AddChaosCommand(CLI::App& app, CommandRun* chosen) {
  auto* chaos = app.add_subcommand("chaos", "Jepsen-style runs: check a recorded history");
  chaos->require_subcommand(1);
  auto* check = chaos->add_subcommand(
      "check", "the verdict on DIR/history.jsonl: exit 0 valid, 1 invalid, 3 unknown");
  auto a = std::make_shared<ChaosCheckArgs>();
  check->add_option("DIR", a->path, "a chaos run's directory, or its history.jsonl")->required();
  check->add_flag("--json", a->json, "print verdict.json instead");
  check
      ->add_option("--max-states", a->max_states,
                   "give up (unknown) after this many states of the linearizability search")
      ->check(CLI::PositiveNumber);
  Finish(check, chosen, [a] { return CmdChaosCheck(*a); });
}

}  // namespace pc::cli
