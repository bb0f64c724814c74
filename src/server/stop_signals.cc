#include "server/stop_signals.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <utility>

namespace zk {

StopSignals::StopSignals(uv_loop_t* loop, std::function<void()> stop) : stop_(std::move(stop)) {
  for (uv_signal_t* s : {&sigterm_, &sigint_}) {
    uv_signal_init(loop, s);
    s->data = this;
  }
  uv_signal_start(&sigterm_, OnSignal, SIGTERM);
  uv_signal_start(&sigint_, OnSignal, SIGINT);
}

void StopSignals::OnSignal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<StopSignals*>(handle->data);
  spdlog::info("{} received: shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
  self->stop_();
  uv_close(reinterpret_cast<uv_handle_t*>(&self->sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->sigint_), nullptr);
}

}  // namespace zk
