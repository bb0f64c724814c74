#include "loadgen/progress.h"

#include <unistd.h>

#include <cstdio>

#include "loadgen/zk_client.h"

namespace pc::loadgen {

Progress::Progress() : tty_(::isatty(2) != 0) {}

void Progress::Phase(const std::string& name) {
  Clear();
  phase_ = name;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s ...", phase_.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "bench: %s\n", phase_.c_str());
  }
  std::fflush(stderr);
}

void Progress::Update(const std::string& detail) {
  if (!tty_) {
    return;
  }
  const int64_t now = NowNs();
  if (now - last_ns_ < 200 * 1000 * 1000) {
    return;
  }
  last_ns_ = now;
  std::fprintf(stderr, "\r\033[K%s: %s", phase_.c_str(), detail.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (tty_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace pc::loadgen
