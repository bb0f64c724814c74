// LessonRun: one run of one lesson on a cluster of its own. A lesson (lessons.h) is a function
// that walks its steps through this object: Step() narrates what comes and what the tutorial
// predicts, Pc() and ZkCli() do it with the real commands (printed as a learner would type
// them), Show*() print what happened, and Check() compares the prediction with what was seen.
//
// The cluster: named lesson-<name> (plus the pid when that one is running), under the state
// home, on free ports; brought up with `up -d` and always taken down with `down --clean` — at
// the end, when a step cannot go on (LessonAborted), and on Ctrl-C (LessonInterrupted; every
// wait here notices it). One thread; the child processes run one at a time.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "lessons/catalog.h"
#include "lessons/child_process.h"

namespace pc::lessons {

struct LessonOptions {
  std::string engine = "zkd";
  std::string language = "en";
  bool yes = false;          // never wait for Enter
  int tick_time_ms = 200;    // small ticks: elections and step-downs take well under a second
  std::string base_ports;    // "client,quorum,election"; empty: free ones picked at random
  bool planted_bug = false;  // vote-order builds its zxids the wrong way round (for its test)
};

// Thrown when a step cannot go on (the cluster did not come up, ...): the run ends as failed.
struct LessonAborted : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Thrown once Ctrl-C (SIGINT / SIGTERM) arrived.
struct LessonInterrupted : std::runtime_error {
  LessonInterrupted() : std::runtime_error("interrupted") {}
};

class LessonRun {
 public:
  LessonRun(const LessonText& text, const Catalog& catalog, const LessonOptions& options);
  ~LessonRun();  // takes the cluster down if it is still up
  LessonRun(const LessonRun&) = delete;
  LessonRun& operator=(const LessonRun&) = delete;

  const LessonOptions& options() const { return options_; }
  bool apache() const { return options_.engine == "apache"; }

  // ---- narration ----
  // The next step, `id` as in the catalogue: waits for Enter first (on a terminal, without
  // --yes), then prints its number, what it does and the prediction.
  void Step(const std::string& id);
  // A fact of this lesson (or a shared one) with its placeholders filled.
  std::string Fact(const std::string& key, const Vars& vars = {}) const;
  // Prints "✔ as predicted (saw)" or "✘ predicted …, saw …"; returns ok.
  bool Check(bool ok, const std::string& predicted, const std::string& saw);
  void Say(const std::string& text);
  int failed_checks() const { return failed_; }
  int checks() const { return checks_; }

  // ---- the cluster, through the real commands ----
  // `up N -d` (+ extra flags) on free ports; aborts the lesson when it does not come up.
  void Up(int voters, const std::vector<std::string>& extra = {});
  // Prints "$ pseudo-cluster ARGS" and runs it on this lesson's cluster; returns its result.
  ChildResult Pc(const std::vector<std::string>& args, double timeout_s = 120);
  // The same, aborting the lesson unless it exits 0.
  ChildResult MustPc(const std::vector<std::string>& args, double timeout_s = 120);
  // `pseudo-cluster events`, only the lines not shown before.
  void ShowEvents();
  // Prints "$ pseudo-cluster ARGS", runs it and shows only the last `lines` lines of its output.
  ChildResult ShowTail(const std::vector<std::string>& args, int lines);
  // True when this binary's `pseudo-cluster COMMAND --help` mentions `flag`: a lesson uses a
  // newer flag (`events --votes`, `up --no-start`) once the binary has it.
  static bool HasFlag(const std::string& command, const std::string& flag);
  // `zkCli.sh -server 127.0.0.1:P[,…] ARGS`, printed and run; its output without the client's
  // start-up chatter.
  ChildResult ZkCli(const std::vector<int>& ids, const std::vector<std::string>& args);
  // `zkServer.sh status <member's zoo.cfg>`, the tutorials' way to see a member's Mode; printed
  // and run. Returns its output.
  std::string ShowServerStatus(int id);
  // `echo WORD | nc 127.0.0.1 PORT`, printed, asked directly; the answer, at most max_lines shown.
  std::string ShowFourLetter(int id, const std::string& word, int max_lines = 12);

  // ---- looking without printing (for the checks) ----
  nlohmann::json Status();   // the supervisor's status reply; null when it does not answer
  int Leader();              // the leading member, 0 for none
  std::string Role(int id);  // "leader", "follower", "looking", "stopped", ...
  int ClientPort(int id) const;
  std::string Hosts(const std::vector<int>& ids) const;  // "127.0.0.1:P1,127.0.0.1:P2"
  bool Serving(int id);                                  // srvr answers with a Mode line
  // Polls `done` every 100 ms for at most timeout_s; true once it held.
  bool WaitUntil(double timeout_s, const std::function<bool()>& done);
  // The leader from Status() once one is there and every running member has a role, 0 if none
  // comes within timeout_s.
  int WaitLeader(double timeout_s = 60);
  const std::string& cluster_dir() const { return dir_; }
  // Ids of the members whose process runs.
  std::vector<int> Running();
  // What srvr says of a member: its Mode ("leader", "follower", ...), "not serving", or
  // "no answer".
  std::string Mode(int id);

  // ---- checks that several lessons make ----
  // A create of `path` through `ids` succeeds (want_ok) or fails, as predicted.
  bool CheckWrite(const std::vector<int>& ids, const std::string& path, bool want_ok);
  // `want` leads (0: nobody leads).
  bool CheckLeader(int want, int saw);
  // srvr on every member of `ids` says "not currently serving", waiting up to timeout_s; the
  // first of them is shown.
  bool CheckNotServing(const std::vector<int>& ids, double timeout_s = 30);
  // Events of the timeline (JSON objects) since the supervisor started.
  nlohmann::json Events();

  // Brings the cluster down (`down --clean`), printed. Idempotent.
  void Down();

 private:
  std::vector<std::string> Command(const std::vector<std::string>& args) const;
  void PrintCommand(const std::string& line);
  void PrintOutput(const std::string& text, int max_lines = 40);
  void Pause();
  void ThrowIfInterrupted() const;

  const LessonText& text_;
  const Catalog& catalog_;
  LessonOptions options_;
  std::string name_, dir_;
  int client_base_ = 0, quorum_base_ = 0, election_base_ = 0;
  bool up_ = false;
  int step_ = 0, checks_ = 0, failed_ = 0;
  size_t events_shown_ = 0;
};

}  // namespace pc::lessons
