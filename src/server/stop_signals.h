// StopSignals: zkd's clean shutdown. On the first SIGTERM or SIGINT it logs one line, calls
// `stop` (which closes the shells' handles, so the loop runs out) and closes its own signal
// handles. Owned by main, on the loop's thread; must outlive the loop run.
#pragma once

#include <uv.h>

#include <functional>

namespace zk {

class StopSignals {
 public:
  StopSignals(uv_loop_t* loop, std::function<void()> stop);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static void OnSignal(uv_signal_t* handle, int signum);

  std::function<void()> stop_;
  uv_signal_t sigterm_{};
  uv_signal_t sigint_{};
};

}  // namespace zk
