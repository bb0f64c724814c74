#include "server/snapshot_child.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>

#include "proto/zxid.h"
#include "server/clock.h"
#include "storage/snapshot.h"

namespace zk {
namespace {

// Below the serving processes, so that on a busy machine the child takes the CPU they leave.
constexpr int kChildNice = 10;
constexpr size_t kReportBytesMax = 4096;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The child: nothing here may take a lock another thread of the server could have held at the
// fork, log through spdlog or touch the loop.
[[noreturn]] void RunChild(int report_fd, pid_t server,
                           const std::function<storage::Status()>& work) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != server) ::_exit(3);  // the server died before the line above
  // Sockets, the log, libuv's own descriptors: the child holds none of them open.
  if (report_fd > 3) ::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
  ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
  // The server's handlers write to libuv's signal pipe, now closed: a SIGTERM must end the child.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // EINVAL ignored
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  errno = 0;
  (void)::nice(kChildNice);
  storage::Status s = work();
  if (!s.ok()) {
    // "<errno> <message>": the server reports a full disk by its errno (ensemble_storage.cc).
    std::string line = std::to_string(s.error_number()) + " " +
                       s.message().substr(0, kReportBytesMax - 32) + "\n";
    (void)!::write(report_fd, line.data(), line.size());
  }
  ::_exit(s.ok() ? 0 : 1);
}

int Reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

struct SnapshotChild::Run {
  uv_pipe_t pipe{};
  SnapshotChild* owner = nullptr;
  pid_t pid = 0;
  std::string tmp_path;
  std::string report;  // what the child wrote: its error
  std::function<void(const storage::Status&)> done;
  char buf[512];
};

bool SnapshotChild::Start(std::function<storage::Status()> work, std::string tmp_path,
                          std::function<void(const storage::Status&)> done, std::string* error) {
  assert(!run_);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  const pid_t server = ::getpid();
  const int64_t t0 = NowUs();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    RunChild(fds[1], server, work);
  }
  fork_us_ = NowUs() - t0;
  ::close(fds[1]);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    return false;
  }
  run_ = new Run;
  run_->owner = this;
  run_->pid = pid;
  run_->tmp_path = std::move(tmp_path);
  run_->done = std::move(done);
  run_->pipe.data = run_;
  uv_pipe_init(loop_, &run_->pipe, 0);
  uv_pipe_open(&run_->pipe, fds[0]);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&run_->pipe),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* run = static_cast<Run*>(h->data);
        *b = uv_buf_init(run->buf, sizeof(run->buf));
      },
      OnRead);
  return true;
}

void SnapshotChild::OnRead(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
  auto* run = static_cast<Run*>(stream->data);
  if (n > 0) {
    if (run->report.size() < kReportBytesMax) run->report.append(buf->base, static_cast<size_t>(n));
    return;
  }
  if (n == 0) return;  // EAGAIN
  // EOF: the child has exited (or is exiting: its descriptors close late in the exit, after its
  // memory is released, so the wait below is short).
  run->owner->Finish(Reap(run->pid));
}

void SnapshotChild::Finish(int status) {
  Run* run = run_;
  run_ = nullptr;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&run->pipe));
  uv_close(reinterpret_cast<uv_handle_t*>(&run->pipe),
           [](uv_handle_t* h) { delete static_cast<Run*>(h->data); });
  storage::Status s = storage::Status::Ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    // written
  } else if (!run->report.empty()) {
    if (run->report.back() == '\n') run->report.pop_back();
    const size_t space = run->report.find(' ');
    const int err = std::atoi(run->report.c_str());
    s = storage::Status::Error(run->report.substr(space == std::string::npos ? 0 : space + 1), err);
  } else if (WIFSIGNALED(status)) {
    ::unlink(run->tmp_path.c_str());
    s = storage::Status::Error("the snapshot process (pid " + std::to_string(run->pid) +
                               ") was killed by signal " + std::to_string(WTERMSIG(status)));
  } else {
    s = storage::Status::Error("the snapshot process (pid " + std::to_string(run->pid) +
                               ") exited with status " + std::to_string(WEXITSTATUS(status)));
  }
  auto done = std::move(run->done);
  done(s);
}

void SnapshotChild::SnapshotCore(const Core& core, const std::string& data_dir,
                                 std::function<void(const storage::Status&, int64_t)> done) {
  if (running()) {
    spdlog::warn("Too busy to snap, skipping (the previous snapshot is still being taken)");
    return;
  }
  const int64_t zxid = core.last_zxid();
  // Runs in the child, on its copy of the tree and sessions.
  auto work = [&core, data_dir, zxid] {
    return storage::SaveSnapshot(data_dir, core.tree(), storage::SessionsOf(core.sessions()), zxid);
  };
  std::string tmp_path =
      storage::VersionDir(data_dir) + "/" + storage::ZxidFileName("snapshot", zxid) + ".tmp";
  snapshot_started_ms_ = SteadyMs();
  std::string error;
  if (!Start(
          work, std::move(tmp_path),
          [done = std::move(done), zxid](const storage::Status& s) { done(s, zxid); }, &error)) {
    spdlog::error("snapshot at zxid {} not taken: {}", ZxidHex(zxid), error);
  }
}

void SnapshotChild::LogWritten(int64_t zxid) const {
  // The bench (snapshot_latency.cc) reads the time from the last ", <n> ms".
  spdlog::info("snapshot at zxid {} written by a child process (fork {} us), {} ms", ZxidHex(zxid),
               fork_us_, SteadyMs() - snapshot_started_ms_);
}

void SnapshotChild::Kill() {
  if (!run_) return;
  Run* run = run_;
  run_ = nullptr;
  ::kill(run->pid, SIGKILL);
  Reap(run->pid);
  ::unlink(run->tmp_path.c_str());
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&run->pipe));
  uv_close(reinterpret_cast<uv_handle_t*>(&run->pipe),
           [](uv_handle_t* h) { delete static_cast<Run*>(h->data); });
}

}  // namespace zk
