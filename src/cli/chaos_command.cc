// `chaos check DIR`: the verdict on a recorded chaos history, offline (chaos/verdict.h does the
// work). DIR holds history.jsonl (a path to the file itself works too). Prints the checks and
// the verdict line, or verdict.json with --json; exits 0 valid, 1 invalid, 3 unknown, 2 on bad
// input (a missing or malformed file, named with its line and field).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "chaos/history.h"
#include "chaos/verdict.h"
#include "cli/command.h"
#include "loadgen/chaos_nemesis.h"
#include "loadgen/chaos_run.h"
#include "supervisor/cluster_ref.h"
#include "supervisor/link_matrix.h"

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

struct ChaosRunArgs {
  loadgen::ChaosOptions options;
  std::string time = "60s", interval = "5s", rate = "200/s", nemesis, cluster;
  int64_t seed = -1;
  bool schedule = false;
};

int BadRun(const std::string& message) {
  std::fprintf(stderr, "pseudo-cluster chaos: %s\n", message.c_str());
  return 2;
}

// "60s", "1.5m"? no: what ParseDurationMs reads ("500ms", "60s"); a bare number is seconds.
std::optional<int64_t> Seconds(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    return int64_t{std::atoll(text.c_str())} * 1000;
  }
  auto ms = ParseDurationMs(text);
  if (!ms) {
    return std::nullopt;
  }
  return *ms;
}

int CmdChaosRun(ChaosRunArgs& a) {
  loadgen::ChaosOptions& o = a.options;
  auto time = Seconds(a.time);
  if (!time || *time < 1000) {
    return BadRun("--time '" + a.time + "': expected e.g. 60s (1s or more)");
  }
  auto interval = Seconds(a.interval);
  if (!interval || *interval < 200) {
    return BadRun("--interval '" + a.interval + "': expected e.g. 5s (200ms or more)");
  }
  o.time_ms = *time;
  o.interval_ms = *interval;
  std::string rate = a.rate;
  if (rate.size() > 2 && rate.substr(rate.size() - 2) == "/s") {
    rate.resize(rate.size() - 2);
  }
  char* end = nullptr;
  o.rate = std::strtod(rate.c_str(), &end);
  if (rate.empty() || *end != '\0' || !(o.rate > 0)) {
    return BadRun("--rate '" + a.rate + "': expected ops per second, e.g. 200/s");
  }
  if (o.workload != "register" && o.workload != "sequential" && o.workload != "session") {
    return BadRun("--workload " + o.workload + ": register, sequential or session");
  }
  o.nemesis.clear();
  std::stringstream in(a.nemesis);
  std::string kind;
  while (std::getline(in, kind, ',')) {
    if (kind.empty()) {
      continue;
    }
    const auto& kinds = loadgen::NemesisKinds();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      return BadRun("--nemesis: unknown fault '" + kind +
                    "' (kill, pause, partition, isolate-leader, delay, restart-all)");
    }
    o.nemesis.push_back(kind);
  }
  if (a.nemesis.empty()) {
    o.nemesis = loadgen::NemesisKinds();
  }
  if (!a.cluster.empty()) {
    o.cluster_dir = ResolveClusterDir(ClusterRef{a.cluster, ""});
  }
  o.seed = a.seed >= 0 ? static_cast<uint64_t>(a.seed) : static_cast<uint64_t>(std::time(nullptr));
  if (a.schedule) {
    for (const auto& f :
         loadgen::NemesisSchedule(o.seed, o.nemesis, o.interval_ms, o.time_ms, o.nodes)) {
      std::printf("%6.1fs - %6.1fs  %s\n", double(f.start_ms) / 1000, double(f.end_ms) / 1000,
                  f.Describe().c_str());
    }
    return 0;
  }
  // With --cluster the engine and the member count are the cluster's (RunChaos prints them).
  const std::string what =
      o.cluster_dir.empty() ? o.engine + ", " + std::to_string(o.nodes) + " members" : a.cluster;
  std::fprintf(stderr, "chaos: %s, %s, seed %llu, nemesis %s every %s, %d clients\n",
               what.c_str(), a.time.c_str(), static_cast<unsigned long long>(o.seed),
               a.nemesis.empty() ? "all" : a.nemesis.c_str(), a.interval.c_str(), o.clients);
  return loadgen::RunChaos(o);
}

}  // namespace

void AddChaosCommand(CLI::App& app, CommandRun* chosen) {
  auto* chaos = app.add_subcommand(
      "chaos",
      "a Jepsen-style run: workload + nemesis + checker (exit 0 valid, 1 invalid, 3 unknown)");
  chaos->require_subcommand(0, 1);
  auto r = std::make_shared<ChaosRunArgs>();
  chaos->add_option("--engine", r->options.engine, "zkd or apache")
      ->check(CLI::IsMember({"zkd", "apache"}));
  chaos->add_option("--nodes", r->options.nodes, "members (default 5)")->check(CLI::Range(1, 9));
  chaos->add_option("--time", r->time, "how long the workload runs (default 60s)");
  chaos->add_option("--seed", r->seed, "the nemesis schedule and the ops (default: the clock)")
      ->check(CLI::NonNegativeNumber);
  chaos->add_option("--nemesis", r->nemesis,
                    "faults, comma-separated: kill,pause,partition,isolate-leader,delay,"
                    "restart-all (default all)");
  chaos->add_option("--interval", r->interval, "one fault per interval, for half of it (5s)");
  chaos->add_option("--workload", r->options.workload, "register, sequential or session");
  chaos->add_option("--clients", r->options.clients, "client sessions (default 5)")
      ->check(CLI::Range(1, 100));
  chaos->add_option("--rate", r->rate, "ops per second, all clients together (default 200/s)");
  chaos->add_option("--cluster", r->cluster, "a running cluster's name, instead of an own one");
  chaos->add_flag("--schedule", r->schedule,
                  "print the nemesis schedule these options and seed give, and run nothing");
  chaos->add_option("--out", r->options.out_dir, "output directory (default chaos-<time>)");
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
  chaos->callback([chosen, check, r] {
    if (!check->parsed()) {
      *chosen = [r] { return CmdChaosRun(*r); };
    }
  });
}

}  // namespace pc::cli
