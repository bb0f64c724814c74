// `pseudo-cluster top`: the cluster live, like top(1). On a terminal a full-screen view (ncurses)
// redrawn every --interval, with keys acting on the selected member through the supervisor, the
// same requests `kill`, `stop`, `restart`, `pause`, `resume`, `isolate` and `heal` send. Not on a
// terminal (or with --once) it prints the same frame as plain text, once or every --interval.
#include <curses.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/top_frame.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/interrupt.h"

namespace pc::cli {

namespace {

struct TopArgs {
  ClusterRef ref;
  bool once = false;
  std::string interval = "500ms";
  int events = 8;
};

int BadTop(const std::string& message) {
  std::fprintf(stderr, "pseudo-cluster top: %s\n", message.c_str());
  return 2;
}

// Sends one member action and returns its one-line answer (the supervisor's first line, or its
// error), for the status line at the bottom of the screen.
std::string Act(const std::string& dir, nlohmann::json request) {
  std::vector<std::string> lines;
  const ControlReply reply = RequestLines(SocketPath(dir), request, &lines);
  if (!reply.connected) {
    return NotRunning(dir);
  }
  if (!reply.ok) {
    return "refused: " + reply.error;
  }
  return lines.empty() ? "done" : lines.front();
}

int Plain(TopSampler& sampler, const TopArgs& a, int interval_ms) {
  CatchInterrupts();
  for (bool first = true;; first = false) {
    const TopFrame frame = sampler.Sample(a.events);
    if (!first) {
      std::printf("\n");
    }
    for (const std::string& line : RenderTop(frame, 200, a.events).lines) {
      std::printf("%s\n", line.c_str());
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      return 0;  // the reader went away (`top --interval 1s | head`): nobody to print for
    }
    if (!frame.error.empty()) {
      return 1;
    }
    if (a.once) {
      return 0;
    }
    for (int slept = 0; slept < interval_ms && !Interrupted(); slept += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (Interrupted()) {
      return 0;
    }
  }
}

const char kHelp[] =
    "k kill s stop r restart p pause/resume i isolate h heal q quit (arrows select)";

int Screen(TopSampler& sampler, const TopArgs& a, int interval_ms) {
  // newterm, not initscr: a terminal ncurses does not know (TERM unset or unknown) falls back to
  // plain frames instead of ending the process.
  SCREEN* screen = newterm(nullptr, stdout, stdin);
  if (screen == nullptr) {
    std::fprintf(stderr, "top: terminal '%s' unknown to ncurses; printing plain frames\n",
                 std::getenv("TERM") ? std::getenv("TERM") : "");
    return Plain(sampler, a, interval_ms);
  }
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  timeout(interval_ms);
  size_t selected = 0;
  std::string message;
  int code = 0;
  for (;;) {
    const TopFrame frame = sampler.Sample(a.events);
    int height = 0, width = 0;
    getmaxyx(stdscr, height, width);
    const TopLayout layout = RenderTop(frame, width, a.events, static_cast<int>(selected));
    if (!frame.members.empty() && selected >= frame.members.size()) {
      selected = frame.members.size() - 1;
    }
    erase();
    for (int i = 0; i < static_cast<int>(layout.lines.size()) && i < height - 2; ++i) {
      const bool chosen =
          !frame.members.empty() && i == layout.first_member_line + static_cast<int>(selected);
      if (chosen) attron(A_REVERSE);
      mvaddnstr(i, 0, layout.lines[size_t(i)].c_str(), width);
      if (chosen) attroff(A_REVERSE);
    }
    mvaddnstr(height - 2, 0, message.c_str(), width);
    mvaddnstr(height - 1, 0, kHelp, width);
    refresh();
    if (!frame.error.empty()) {
      code = 1;
    }
    const int key = getch();
    if (key == 'q' || key == 'Q') {
      break;
    }
    if (key == KEY_UP && selected > 0) {
      --selected;
    } else if (key == KEY_DOWN && selected + 1 < frame.members.size()) {
      ++selected;
    }
    if (frame.members.empty()) {
      continue;
    }
    const TopMember& m = frame.members[selected];
    const std::string target = std::to_string(m.id);
    const std::string& dir = sampler.dir();
    switch (key) {
      case 'k':
        message = "kill " + target + ": " + Act(dir, {{"cmd", "kill"}, {"target", target}});
        break;
      case 's':
        message = "stop " + target + ": " + Act(dir, {{"cmd", "stop"}, {"target", target}});
        break;
      case 'r':
        message = "restart " + target + ": " + Act(dir, {{"cmd", "restart"}, {"target", target}});
        break;
      case 'p': {
        const std::string cmd = m.process == "paused" ? "resume" : "pause";
        message = cmd + " " + target + ": " + Act(dir, {{"cmd", cmd}, {"target", target}});
        break;
      }
      case 'i':
        message = "isolate " + target + ": " + Act(dir, {{"cmd", "isolate"}, {"target", target}});
        break;
      case 'h':
        message = "heal: " + Act(dir, {{"cmd", "heal"}});
        break;
      default:
        break;
    }
  }
  endwin();
  delscreen(screen);
  return code;
}

int CmdTop(const TopArgs& a) {
  auto interval = ParseDurationMs(a.interval);
  if (!interval || *interval < 100) {
    return BadTop("--interval '" + a.interval + "': expected e.g. 500ms or 1s (100ms or more)");
  }
  if (a.events < 0) {
    return BadTop("--events " + std::to_string(a.events) + ": expected 0 or more");
  }
  TopSampler sampler(ResolveClusterDir(a.ref));
  if (!SupervisorRunning(SocketPath(sampler.dir()))) {
    return Fail(NotRunning(sampler.dir()));
  }
  if (a.once || !::isatty(STDOUT_FILENO) || !::isatty(STDIN_FILENO)) {
    return Plain(sampler, a, *interval);
  }
  return Screen(sampler, a, *interval);
}

}  // namespace

void AddTopCommand(CLI::App& app, CommandRun* chosen) {
  auto a = std::make_shared<TopArgs>();
  auto* top = app.add_subcommand(
      "top", "the cluster live: members, quorum, load and events, with keys to act on members");
  top->add_flag("--once", a->once, "print one frame as text and exit");
  top->add_option("--interval", a->interval, "time between frames (default 500ms)");
  top->add_option("--events", a->events, "timeline lines at the bottom (default 8)");
  FinishWithClusterRef(top, a->ref, chosen, [a] { return CmdTop(*a); });
}

}  // namespace pc::cli
