#include "lessons/lesson_run.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "lessons/zk_session.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"
#include "supervisor/port_check.h"

namespace pc::lessons {

namespace {

constexpr const char* kZkCli = "/usr/share/zookeeper/bin/zkCli.sh";
constexpr const char* kZkServer = "/usr/share/zookeeper/bin/zkServer.sh";
constexpr int kMaxMembers = 10;  // the ports picked leave room for this many members

// Lines zkCli.sh prints on every start, whatever the command: not what the learner came for.
bool IsZkCliChatter(const std::string& line) {
  for (const char* prefix : {"SLF4J:", "WATCHER::", "WatchedEvent", "Connecting to",
                             "Welcome to ZooKeeper", "JLine support"}) {
    if (line.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

std::string Join(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& a : args) {
    if (!line.empty()) {
      line += ' ';
    }
    line += !a.empty() && a.find(' ') == std::string::npos ? a : "'" + a + "'";
  }
  return line;
}

// Three free port ranges for kMaxMembers members: client bases from [10000, 16000) in steps of
// 10, quorum = client + 6000, election = client + 12000, all below the ephemeral range.
bool PickBases(int* client, int* quorum, int* election) {
  static std::mt19937 random{std::random_device{}()};
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = 10000 + 10 * static_cast<int>(random() % 600);
    bool free = true;
    for (int i = 0; i < kMaxMembers && free; ++i) {
      free = PortIsFree(base + i) && PortIsFree(base + 6000 + i) && PortIsFree(base + 12000 + i);
    }
    if (free) {
      *client = base;
      *quorum = base + 6000;
      *election = base + 12000;
      return true;
    }
  }
  return false;
}

}  // namespace

LessonRun::LessonRun(const LessonText& text, const Catalog& catalog, const LessonOptions& options)
    : text_(text), catalog_(catalog), options_(options) {
  name_ = "lesson-" + text.name;
  if (SupervisorRunning(SocketPath(StateRoot() + "/" + name_))) {
    name_ += "-" + std::to_string(::getpid());
  }
  dir_ = StateRoot() + "/" + name_;
  if (!options_.base_ports.empty() &&
      std::sscanf(options_.base_ports.c_str(), "%d,%d,%d", &client_base_, &quorum_base_,
                  &election_base_) != 3) {
    client_base_ = 0;
  }
  Say(catalog_.Ui("cluster_note", {{"cluster", name_}, {"engine", options_.engine}}));
}

LessonRun::~LessonRun() {
  try {
    Down();
  } catch (...) {
    // Down() never throws for an interrupt; nothing else is left to do here.
  }
}

void LessonRun::ThrowIfInterrupted() const {
  if (Interrupted()) {
    throw LessonInterrupted();
  }
}

void LessonRun::Say(const std::string& text) {
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);
}

void LessonRun::PrintCommand(const std::string& line) {
  std::printf("$ %s\n", line.c_str());
  std::fflush(stdout);
}

void LessonRun::PrintOutput(const std::string& text, int max_lines) {
  const auto lines = Lines(text);
  int shown = 0;
  for (const auto& line : lines) {
    if (shown == max_lines) {
      std::printf("  %s\n",
                  catalog_.Ui("more_lines", {{"n", std::to_string(lines.size() - shown)}}).c_str());
      break;
    }
    std::printf("  %s\n", line.c_str());
    ++shown;
  }
  std::fflush(stdout);
}

void LessonRun::Pause() {
  if (options_.yes || !::isatty(0)) {
    return;
  }
  std::printf("%s", catalog_.Ui("press_enter").c_str());
  std::fflush(stdout);
  char c = 0;
  while (true) {
    const ssize_t n = ::read(0, &c, 1);
    ThrowIfInterrupted();
    if (n <= 0 && errno != EINTR) {
      break;  // end of input: go on without pausing
    }
    if (n == 1 && c == '\n') {
      break;
    }
  }
}

void LessonRun::Step(const std::string& id) {
  if (step_ > 0) {
    Pause();
  }
  ThrowIfInterrupted();
  ++step_;
  const StepText* step = nullptr;
  for (const auto& s : text_.steps) {
    if (s.id == id) {
      step = &s;
    }
  }
  if (step == nullptr) {
    throw LessonAborted("the catalogue has no step '" + id + "' in lesson " + text_.name);
  }
  std::printf("\n[%d/%zu] %s\n", step_, text_.steps.size(), step->say.c_str());
  if (!step->predict.empty()) {
    std::printf("%s\n", catalog_.Ui("prediction", {{"text", step->predict}}).c_str());
  }
  std::fflush(stdout);
}

std::string LessonRun::Fact(const std::string& key, const Vars& vars) const {
  auto it = text_.facts.find(key);
  return it != text_.facts.end() ? Format(it->second, vars) : catalog_.Fact(key, vars);
}

bool LessonRun::Check(bool ok, const std::string& predicted, const std::string& saw) {
  ++checks_;
  if (ok) {
    Say(catalog_.Ui("as_predicted", {{"saw", saw}}));
  } else {
    ++failed_;
    Say(catalog_.Ui("not_as_predicted", {{"predicted", predicted}, {"saw", saw}}));
  }
  return ok;
}

std::vector<std::string> LessonRun::Command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {SelfExe()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--name");
  argv.push_back(name_);
  return argv;
}

ChildResult LessonRun::Pc(const std::vector<std::string>& args, double timeout_s) {
  ThrowIfInterrupted();
  PrintCommand("pseudo-cluster " + Join(args));
  ChildResult result = RunChild(Command(args), timeout_s);
  ThrowIfInterrupted();
  PrintOutput(result.output);
  return result;
}

ChildResult LessonRun::MustPc(const std::vector<std::string>& args, double timeout_s) {
  ChildResult result = Pc(args, timeout_s);
  if (result.exit_code != 0) {
    throw LessonAborted(catalog_.Ui("command_failed", {{"command", Join(args)}}));
  }
  return result;
}

void LessonRun::Up(int voters, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"up", std::to_string(voters), "-d", "--tick-time",
                                   std::to_string(options_.tick_time_ms)};
  if (apache()) {
    args.insert(args.end(), {"--engine", "apache"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  PrintCommand("pseudo-cluster " + Join(args));
  ChildResult result;
  const bool fixed_ports = client_base_ != 0 && !options_.base_ports.empty();
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!fixed_ports && !PickBases(&client_base_, &quorum_base_, &election_base_)) {
      break;
    }
    std::vector<std::string> run = args;
    run.insert(run.end(), {"--fresh", "--timeout", "90", "--base-ports",
                           std::to_string(client_base_) + "," + std::to_string(quorum_base_) + "," +
                               std::to_string(election_base_)});
    result = RunChild(Command(run), 150);
    ThrowIfInterrupted();
    // Another program may take a port between the pick and the bind: pick again.
    if (result.exit_code == 0 || fixed_ports ||
        result.output.find("is in use") == std::string::npos) {
      break;
    }
  }
  PrintOutput(result.output);
  up_ = up_ || result.exit_code == 0 || SupervisorRunning(SocketPath(dir_));
  if (result.exit_code != 0) {
    throw LessonAborted(catalog_.Ui("command_failed", {{"command", Join(args)}}));
  }
}

void LessonRun::ShowEvents() {
  ThrowIfInterrupted();
  PrintCommand("pseudo-cluster events");
  ChildResult result = RunChild(Command({"events"}), 30);
  const auto lines = Lines(result.output);
  std::string fresh;
  for (size_t i = events_shown_; i < lines.size(); ++i) {
    fresh += lines[i] + "\n";
  }
  if (events_shown_ > 0 && events_shown_ < lines.size()) {
    std::printf("  %s\n",
                catalog_.Ui("earlier_events", {{"n", std::to_string(events_shown_)}}).c_str());
  }
  events_shown_ = std::max(events_shown_, lines.size());
  PrintOutput(fresh, 60);
}

ChildResult LessonRun::ShowTail(const std::vector<std::string>& args, int lines) {
  ThrowIfInterrupted();
  PrintCommand("pseudo-cluster " + Join(args));
  ChildResult result = RunChild(Command(args), 30);
  ThrowIfInterrupted();
  const auto all = Lines(result.output);
  std::string tail;
  const size_t first = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  if (first > 0) {
    tail = catalog_.Ui("earlier_lines", {{"n", std::to_string(first)}}) + "\n";
  }
  for (size_t i = first; i < all.size(); ++i) {
    tail += all[i] + "\n";
  }
  PrintOutput(tail, lines + 1);
  return result;
}

bool LessonRun::HasFlag(const std::string& command, const std::string& flag) {
  static std::map<std::string, bool> known;
  const std::string key = command + " " + flag;
  auto it = known.find(key);
  if (it == known.end()) {
    const ChildResult help = RunChild({SelfExe(), command, "--help"}, 10);
    it = known.emplace(key, help.output.find(flag) != std::string::npos).first;
  }
  return it->second;
}

nlohmann::json LessonRun::Events() {
  nlohmann::json all = nlohmann::json::array();
  Request(SocketPath(dir_), {{"cmd", "events"}, {"follow", false}}, [&](const nlohmann::json& m) {
    if (m.contains("event")) {
      all.push_back(m["event"]);
    }
  });
  return all;
}

ChildResult LessonRun::ZkCli(const std::vector<int>& ids, const std::vector<std::string>& args) {
  ThrowIfInterrupted();
  std::vector<std::string> argv = {kZkCli, "-server", Hosts(ids)};
  argv.insert(argv.end(), args.begin(), args.end());
  PrintCommand("zkCli.sh " + Join({argv.begin() + 1, argv.end()}));
  ChildResult result = RunChild(argv, 60);
  ThrowIfInterrupted();
  std::string shown;
  for (const auto& line : Lines(result.output)) {
    if (!IsZkCliChatter(line)) {
      shown += line + "\n";
    }
  }
  PrintOutput(shown);
  return result;
}

std::string LessonRun::ShowServerStatus(int id) {
  ThrowIfInterrupted();
  const std::string cfg = NodeDir(dir_, id) + "/zoo.cfg";
  PrintCommand(std::string("zkServer.sh status ") + cfg);
  ChildResult result = RunChild({kZkServer, "status", cfg}, 60);
  ThrowIfInterrupted();
  PrintOutput(result.output);
  return result.output;
}

std::string LessonRun::ShowFourLetter(int id, const std::string& word, int max_lines) {
  ThrowIfInterrupted();
  const int port = ClientPort(id);
  PrintCommand("echo " + word + " | nc 127.0.0.1 " + std::to_string(port));
  std::string answer = AskFourLetter(port, word);
  PrintOutput(answer.empty() ? catalog_.Ui("no_answer") : answer, max_lines);
  return answer;
}

nlohmann::json LessonRun::Status() {
  ControlReply reply = Request(SocketPath(dir_), {{"cmd", "status"}});
  return reply.connected && reply.ok ? reply.data : nlohmann::json();
}

int LessonRun::Leader() {
  const nlohmann::json status = Status();
  return status.is_null() ? 0 : status["cluster"].value("leader", 0);
}

std::string LessonRun::Role(int id) {
  const nlohmann::json status = Status();
  if (!status.is_null()) {
    for (const auto& n : status["nodes"]) {
      if (n.value("id", 0) == id) {
        return n.value("role", "");
      }
    }
  }
  return "";
}

int LessonRun::ClientPort(int id) const { return client_base_ + id - 1; }

std::string LessonRun::Hosts(const std::vector<int>& ids) const {
  std::string hosts;
  for (int id : ids) {
    hosts +=
        (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(ClientPort(id));
  }
  return hosts;
}

bool LessonRun::Serving(int id) {
  return AskFourLetter(ClientPort(id), "srvr", 2000).find("Mode: ") != std::string::npos;
}

bool LessonRun::WaitUntil(double timeout_s, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (true) {
    ThrowIfInterrupted();
    if (done()) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int LessonRun::WaitLeader(double timeout_s) {
  int leader = 0;
  WaitUntil(timeout_s, [&] {
    const nlohmann::json status = Status();
    if (status.is_null() || !status["cluster"].value("ready", false)) {
      return false;
    }
    leader = status["cluster"].value("leader", 0);
    return leader != 0;
  });
  return leader;
}

void LessonRun::Down() {
  if (!up_) {
    return;
  }
  up_ = false;
  PrintCommand("pseudo-cluster down --clean");
  ChildResult result = RunChild(Command({"down", "--clean"}), 60, /*interruptible=*/false);
  PrintOutput(result.output);
}

std::vector<int> LessonRun::Running() {
  std::vector<int> ids;
  const nlohmann::json status = Status();
  if (!status.is_null()) {
    for (const auto& n : status["nodes"]) {
      if (n.value("process", "") == "running") {
        ids.push_back(n.value("id", 0));
      }
    }
  }
  return ids;
}

std::string LessonRun::Mode(int id) {
  const std::string answer = AskFourLetter(ClientPort(id), "srvr", 2000);
  const size_t at = answer.find("Mode: ");
  if (at != std::string::npos) {
    return answer.substr(at + 6, answer.find('\n', at) - at - 6);
  }
  return answer.find("not currently serving") != std::string::npos ? "not serving" : "no answer";
}

bool LessonRun::CheckWrite(const std::vector<int>& ids, const std::string& path, bool want_ok) {
  ThrowIfInterrupted();
  Say(catalog_.Ui("client_write", {{"path", path}, {"hosts", Hosts(ids)}}));
  // A member that does not serve refuses sessions: a few seconds without one is the failure.
  const int rc = CreateOnce(Hosts(ids), path, "written by the lesson", want_ok ? 10000 : 3000);
  ThrowIfInterrupted();
  auto fact = [&](bool ok) {
    return ok ? Fact("write_ok", {{"path", path}})
              : Fact("write_fails", {{"path", path}, {"error", zerror(rc)}});
  };
  return Check((rc == ZOK) == want_ok, fact(want_ok), fact(rc == ZOK));
}

bool LessonRun::CheckLeader(int want, int saw) {
  auto fact = [&](int id) {
    return id == 0 ? Fact("no_leader") : Fact("leader_is", {{"id", std::to_string(id)}});
  };
  return Check(want == saw, fact(want), fact(saw));
}

bool LessonRun::CheckNotServing(const std::vector<int>& ids, double timeout_s) {
  std::string modes;
  const bool stopped = WaitUntil(timeout_s, [&] {
    modes.clear();
    bool all = true;
    for (int id : ids) {
      const std::string mode = Mode(id);
      modes += (modes.empty() ? "" : ", ") + std::string("node") + std::to_string(id) + " " + mode;
      all = all && mode == "not serving";
    }
    return all;
  });
  ShowFourLetter(ids.front(), "srvr");
  std::string nodes;
  for (int id : ids) {
    nodes += (nodes.empty() ? "" : ", ") + std::string("node") + std::to_string(id);
  }
  const std::string predicted = Fact("not_serving", {{"nodes", nodes}});
  return Check(stopped, predicted, stopped ? predicted : modes);
}

}  // namespace pc::lessons
