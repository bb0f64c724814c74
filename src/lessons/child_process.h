// Child processes of a lesson: the pseudo-cluster binary itself (so every action is the command
// a learner would type) and zkCli.sh. Blocking, for the lesson's one thread. A run that Ctrl-C
// interrupts (interrupt.h) or that outlives its deadline is ended with SIGTERM, then SIGKILL.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace pc::lessons {

struct ChildResult {
  int exit_code = -1;  // -1: did not exit by itself (killed at the deadline or on Ctrl-C)
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs `argv` (argv[0] a path) with stdin from /dev/null and waits at most timeout_s. With
// `interruptible`, Ctrl-C ends it early; the clean-up after Ctrl-C runs without.
ChildResult RunChild(const std::vector<std::string>& argv, double timeout_s,
                     bool interruptible = true);

// This binary's path (/proc/self/exe), resolved once.
const std::string& SelfExe();

// A long-lived child fed line by line on its stdin, whose output collects in a buffer: the
// interactive zkCli.sh of clients-failover. Ends the child in the destructor.
class InteractiveChild {
 public:
  explicit InteractiveChild(const std::vector<std::string>& argv);
  ~InteractiveChild();
  InteractiveChild(const InteractiveChild&) = delete;
  InteractiveChild& operator=(const InteractiveChild&) = delete;

  bool started() const { return pid_ > 0; }
  void Send(const std::string& line);
  // Reads output until `text` appears after byte `from`, at most timeout_s. Returns its offset
  // or std::string::npos.
  size_t WaitFor(const std::string& text, size_t from, double timeout_s);
  const std::string& output() const { return output_; }

 private:
  void ReadAvailable(int wait_ms);
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string output_;
};

}  // namespace pc::lessons
