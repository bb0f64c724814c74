#include "supervisor/node_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

namespace pc {

const char* StateName(NodeProcess::State state) {
  switch (state) {
    case NodeProcess::State::kStopped:
      return "stopped";
    case NodeProcess::State::kRunning:
      return "running";
    case NodeProcess::State::kPaused:
      return "paused";
    case NodeProcess::State::kCrashed:
      return "crashed";
  }
  return "?";
}

struct NodeProcess::Run {
  static constexpr size_t kLineBytesMax = size_t{64} * 1024;
  uv_process_t process;
  uv_pipe_t events;
  bool has_events = false;
  int open_handles = 0;
  NodeProcess* node;  // null once the run is over
  std::string line;   // partial event line
  char buffer[4096];
};

namespace {

void OnRunHandleClosed(uv_handle_t* handle) {
  auto* run = static_cast<NodeProcess::Run*>(handle->data);
  if (--run->open_handles == 0) {
    delete run;
  }
}

}  // namespace

NodeProcess::NodeProcess(uv_loop_t* loop, int id, std::string node_dir)
    : loop_(loop), id_(id), node_dir_(std::move(node_dir)) {
  uv_timer_init(loop_, &grace_timer_);
  grace_timer_.data = this;
}

std::vector<std::string> NodeProcess::SpawnArgs(const Launcher& launcher,
                                                const std::string& self_exe) const {
  // <self> __spawn <supervisor pid> <program> <args...> <zoo.cfg>
  std::vector<std::string> argv = {self_exe, "__spawn", std::to_string(::getpid()),
                                   launcher.program};
  argv.insert(argv.end(), launcher.args.begin(), launcher.args.end());
  argv.push_back(node_dir_ + "/zoo.cfg");
  return argv;
}

// The supervisor's environment, with ZKD_EVENT_FD pointing at the event pipe (fd 3) when the
// engine reports events, and absent otherwise.
std::vector<std::string> NodeProcess::SpawnEnvironment(const Launcher& launcher) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "ZKD_EVENT_FD=", 13) != 0) env.emplace_back(*e);
  }
  if (launcher.event_pipe) env.emplace_back("ZKD_EVENT_FD=3");
  return env;
}

// A null-terminated char* array over `strings` (which must outlive it), for uv_spawn.
std::vector<char*> NodeProcess::CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string NodeProcess::Start(const Launcher& launcher, const std::string& self_exe) {
  if (alive()) {
    return "node" + std::to_string(id_) + " is already running (pid " + std::to_string(pid_) + ")";
  }
  int log_fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return "cannot open " + log_path() + ": " + std::strerror(errno);
  }
  const off_t log_size = ::lseek(log_fd, 0, SEEK_END);

  std::vector<std::string> argv = SpawnArgs(launcher, self_exe);
  std::vector<std::string> env = SpawnEnvironment(launcher);
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv = CStrings(env);

  auto* run = new Run();
  run->node = this;
  run->process.data = run;
  run->events.data = run;
  uv_stdio_container_t stdio[4];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = log_fd;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = log_fd;
  int stdio_count = 3;
  if (launcher.event_pipe) {
    uv_pipe_init(loop_, &run->events, 0);
    run->has_events = true;
    stdio[3].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[3].data.stream = reinterpret_cast<uv_stream_t*>(&run->events);
    stdio_count = 4;
  }
  uv_process_options_t options{};
  options.exit_cb = OnProcessExit;
  options.file = self_exe.c_str();
  options.args = cargv.data();
  options.env = cenv.data();
  options.cwd = node_dir_.c_str();
  // Own session: a Ctrl-C in the supervisor's terminal is the supervisor's to handle.
  options.flags = UV_PROCESS_DETACHED;
  options.stdio_count = stdio_count;
  options.stdio = stdio;
  int rc = uv_spawn(loop_, &run->process, &options);
  ::close(log_fd);
  if (rc != 0) {
    run->node = nullptr;
    if (run->has_events) {
      run->open_handles = 2;
      uv_close(reinterpret_cast<uv_handle_t*>(&run->events), OnRunHandleClosed);
    } else {
      run->open_handles = 1;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&run->process), OnRunHandleClosed);
    return "cannot start node" + std::to_string(id_) + ": " + uv_strerror(rc);
  }
  run->open_handles = run->has_events ? 2 : 1;
  if (run->has_events) {
    uv_read_start(reinterpret_cast<uv_stream_t*>(&run->events), OnEventAlloc, OnEventRead);
  }
  run_ = run;
  run_log_from_ = log_size > 0 ? log_size : 0;
  pid_ = run->process.pid;
  state_ = State::kRunning;
  exit_requested_ = false;
  started_ms_ = static_cast<int64_t>(uv_now(loop_));
  if (on_start) {
    on_start(*this);
  }
  return {};
}

void NodeProcess::Signal(int signal, bool requested) {
  if (!alive()) {
    return;
  }
  if (requested) {
    exit_requested_ = true;
  }
  // A paused member that is killed stays "paused" until its exit is seen: it never runs again,
  // so it must not count as running (and regain a quorum) in between.
  ::kill(pid_, signal);
}

void NodeProcess::Stop(int grace_ms) {
  if (!alive()) {
    return;
  }
  exit_requested_ = true;
  ::kill(pid_, SIGTERM);
  if (state_ == State::kPaused) {
    ::kill(pid_, SIGCONT);
    state_ = State::kRunning;
  }
  uv_timer_start(&grace_timer_, OnGraceTimer, grace_ms, 0);
}

void NodeProcess::Pause() {
  if (state_ != State::kRunning) {
    return;
  }
  ::kill(pid_, SIGSTOP);
  state_ = State::kPaused;
}

void NodeProcess::Resume() {
  if (state_ != State::kPaused) {
    return;
  }
  ::kill(pid_, SIGCONT);
  state_ = State::kRunning;
}

void NodeProcess::Close() {
  uv_timer_stop(&grace_timer_);
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&grace_timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&grace_timer_), nullptr);
  }
}

std::string NodeProcess::RunLog() const {
  std::ifstream in(log_path(), std::ios::binary | std::ios::ate);
  if (!in) {
    return {};
  }
  const std::streamoff size = in.tellg();
  std::streamoff from = std::max<std::streamoff>(run_log_from_, 0);
  if (from > size) from = 0;  // the log was truncated or replaced since
  from = std::max<std::streamoff>(from, size - static_cast<std::streamoff>(kRunLogBytesMax));
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

void NodeProcess::OnGraceTimer(uv_timer_t* timer) {
  auto* node = static_cast<NodeProcess*>(timer->data);
  if (node->alive()) {
    spdlog::warn("node{} did not stop within the grace period; sending SIGKILL", node->id_);
    ::kill(node->pid_, SIGKILL);
  }
}

void NodeProcess::OnProcessExit(uv_process_t* process, int64_t status, int term_signal) {
  auto* run = static_cast<Run*>(process->data);
  NodeProcess* node = run->node;
  run->node = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&run->process), OnRunHandleClosed);
  if (run->has_events) {
    // Events written just before the exit may still be in the pipe: drain it now, so they come
    // before the exit in the timeline. The fd is non-blocking (libuv made it so).
    uv_os_fd_t fd;
    if (node && uv_fileno(reinterpret_cast<uv_handle_t*>(&run->events), &fd) == 0) {
      ssize_t n;
      while ((n = ::read(fd, run->buffer, sizeof run->buffer)) > 0) {
        run->node = node;
        uv_buf_t buf = uv_buf_init(run->buffer, static_cast<unsigned>(n));
        OnEventRead(reinterpret_cast<uv_stream_t*>(&run->events), n, &buf);
        run->node = nullptr;
      }
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&run->events), OnRunHandleClosed);
  }
  if (!node) {
    return;
  }
  uv_timer_stop(&node->grace_timer_);
  Exit exit{status, term_signal, node->exit_requested_};
  node->run_ = nullptr;
  node->state_ = exit.requested ? State::kStopped : State::kCrashed;
  node->exit_requested_ = false;
  if (node->on_exit) {
    node->on_exit(*node, exit);
  }
}

void NodeProcess::OnEventAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* run = static_cast<Run*>(handle->data);
  *buf = uv_buf_init(run->buffer, sizeof run->buffer);
}

void NodeProcess::OnEventRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* run = static_cast<Run*>(stream->data);
  if (nread < 0) {
    uv_read_stop(stream);
    return;
  }
  run->line.append(buf->base, static_cast<size_t>(nread));
  size_t newline;
  while ((newline = run->line.find('\n')) != std::string::npos) {
    std::string line = run->line.substr(0, newline);
    run->line.erase(0, newline + 1);
    if (run->node && run->node->on_event_line && !line.empty()) {
      run->node->on_event_line(*run->node, line);
    }
  }
  if (run->line.size() > Run::kLineBytesMax) {
    spdlog::warn("event line over {} bytes dropped", Run::kLineBytesMax);
    run->line.clear();
  }
}

}  // namespace pc
