// NodeProcess: one server process of the cluster, on the Supervisor's libuv loop (the only thread
// that may touch it). Spawns the server through the `__spawn` shim of our own binary, which sets
// PR_SET_PDEATHSIG=SIGKILL before exec so the server dies with the supervisor, even on kill -9.
// stdout and stderr go to <node dir>/logs/server.log. For zkd, fd 3 is the event pipe
// (zkd_events.h); its lines are handed to on_event.
//
// The uv handles of one run (process + event pipe) live in a heap Run freed in their close
// callbacks, so a node can be restarted while the previous run's handles are still closing.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "supervisor/engine.h"
#include "supervisor/zkd_events.h"

namespace pc {

class NodeProcess {
 public:
  enum class State { kStopped, kRunning, kPaused, kCrashed };

  struct Exit {
    int64_t status = 0;
    int signal = 0;
    bool requested = false;  // we asked for it (stop, kill, restart, down)
  };

  NodeProcess(uv_loop_t* loop, int id, std::string node_dir);
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  std::function<void(NodeProcess&)> on_start;
  std::function<void(NodeProcess&, const Exit&)> on_exit;
  std::function<void(NodeProcess&, const std::string& line)> on_event_line;

  // Spawns the server. Returns "" or one line saying why it could not be started.
  std::string Start(const Launcher& launcher, const std::string& self_exe);
  // Sends `signal`; `requested` marks the coming exit as asked for.
  void Signal(int signal, bool requested);
  // SIGTERM (after SIGCONT if paused), then SIGKILL after `grace_ms`.
  void Stop(int grace_ms);
  void Pause();
  void Resume();
  // Closes the grace timer; call once when the supervisor shuts down and the process is gone.
  void Close();

  int id() const { return id_; }
  int pid() const { return pid_; }
  State state() const { return state_; }
  bool alive() const { return state_ == State::kRunning || state_ == State::kPaused; }
  int64_t started_ms() const { return started_ms_; }
  const std::string& node_dir() const { return node_dir_; }
  std::string log_path() const { return node_dir_ + "/logs/server.log"; }
  // What the current (or last) run wrote to the server log, at most its last kRunLogBytesMax.
  std::string RunLog() const;
  static constexpr size_t kRunLogBytesMax = size_t{64} * 1024;

  struct Run;  // one run's uv handles; defined in node_process.cc

 private:
  std::vector<std::string> SpawnArgs(const Launcher& launcher, const std::string& self_exe) const;
  static std::vector<std::string> SpawnEnvironment(const Launcher& launcher);
  static std::vector<char*> CStrings(std::vector<std::string>& strings);
  static void OnProcessExit(uv_process_t* process, int64_t status, int term_signal);
  static void OnEventAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnEventRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnGraceTimer(uv_timer_t* timer);

  uv_loop_t* loop_;
  int id_;
  std::string node_dir_;
  State state_ = State::kStopped;
  int pid_ = 0;
  int64_t started_ms_ = 0;
  int64_t run_log_from_ = 0;  // the log's size when the current run started
  bool exit_requested_ = false;
  Run* run_ = nullptr;  // the current run, null when not alive
  uv_timer_t grace_timer_;
};

const char* StateName(NodeProcess::State state);

}  // namespace pc
