// Progress: what the bench is doing, on stderr. On a terminal one line redrawn in place (at most
// five times a second); otherwise one plain line per phase, so logs stay readable. (The Ctrl-C
// flag every workload loop checks is supervisor/interrupt.h.) Called from the bench's main
// thread only.
#pragma once

#include <cstdint>
#include <string>

namespace pc::loadgen {

class Progress {
 public:
  Progress();
  // A new phase, e.g. "zkd latency". Ends the previous line.
  void Phase(const std::string& name);
  // Detail for the current phase ("get 812/2000"); shown on terminals only.
  void Update(const std::string& detail);
  // Clears the line (terminals) before normal output.
  void Clear();

 private:
  bool tty_;
  std::string phase_;
  int64_t last_ns_ = 0;
  bool drawn_ = false;
};

}  // namespace pc::loadgen
