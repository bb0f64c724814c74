#include "lessons/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "supervisor/interrupt.h"

namespace pc::lessons {

namespace {

using Clock = std::chrono::steady_clock;

// Forks and execs `argv` with stdout and stderr on `out_fd` and stdin on `in_fd` (-1:
// /dev/null). Returns the pid, or -1.
pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (in_fd < 0) {
      in_fd = ::open("/dev/null", O_RDONLY);
    }
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    // A process group of its own: the learner's Ctrl-C reaches only the lesson, which ends its
    // children itself and still runs `down` after it.
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Ends `pid`: SIGTERM, a second to go, then SIGKILL. Reaps it.
void EndChild(pid_t pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 20; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      return;
    }
    ::usleep(50 * 1000);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// Appends what `fd` has to `out`, waiting at most wait_ms for it. False at end of stream.
bool ReadSome(int fd, int wait_ms, std::string* out) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) <= 0) {
    return true;
  }
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    out->append(buf, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

}  // namespace

const std::string& SelfExe() {
  static const std::string path = std::filesystem::read_symlink("/proc/self/exe").string();
  return path;
}

ChildResult RunChild(const std::vector<std::string>& argv, double timeout_s, bool interruptible) {
  ChildResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    result.output = "cannot create a pipe";
    return result;
  }
  const pid_t pid = Spawn(argv, -1, fds[1]);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    result.output = "cannot fork";
    return result;
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(timeout_s * 1000));
  // `up -d` leaves a supervisor behind that let go of the pipe before it started anything, so
  // the end of the stream comes with the command's own exit.
  while (ReadSome(fds[0], 100, &result.output)) {
    if ((interruptible && Interrupted()) || Clock::now() > deadline) {
      ::close(fds[0]);
      EndChild(pid);
      return result;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

InteractiveChild::InteractiveChild(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    return;
  }
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return;
  }
  pid_ = Spawn(argv, in[0], out[1]);
  ::close(in[0]);
  ::close(out[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
}

InteractiveChild::~InteractiveChild() {
  if (in_fd_ >= 0) {
    ::close(in_fd_);
  }
  if (out_fd_ >= 0) {
    ::close(out_fd_);
  }
  if (pid_ > 0) {
    EndChild(pid_);
  }
}

void InteractiveChild::Send(const std::string& line) {
  if (in_fd_ < 0) {
    return;
  }
  const std::string text = line + "\n";
  // A child that died makes the write fail with EPIPE; ignore SIGPIPE for that moment.
  auto* previous = ::signal(SIGPIPE, SIG_IGN);
  [[maybe_unused]] ssize_t n = ::write(in_fd_, text.data(), text.size());
  ::signal(SIGPIPE, previous);
}

void InteractiveChild::ReadAvailable(int wait_ms) {
  if (out_fd_ >= 0 && !ReadSome(out_fd_, wait_ms, &output_)) {
    ::close(out_fd_);
    out_fd_ = -1;
  }
}

size_t InteractiveChild::WaitFor(const std::string& text, size_t from, double timeout_s) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(timeout_s * 1000));
  while (true) {
    const size_t at = output_.find(text, std::min(from, output_.size()));
    if (at != std::string::npos) {
      return at;
    }
    if (out_fd_ < 0 || Interrupted() || Clock::now() > deadline) {
      return std::string::npos;
    }
    ReadAvailable(100);
  }
}

}  // namespace pc::lessons
