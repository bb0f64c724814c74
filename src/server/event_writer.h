// EventWriter: zkd's side of the supervisor event contract (src/supervisor/zkd_events.h).
// When the environment variable ZKD_EVENT_FD names a file descriptor, each state change is written
// to it as one JSON line; otherwise nothing is written. Writes never block: the fd is made
// non-blocking and an event that does not fit is dropped (the contract allows losing events).
// Loop thread only.
#pragma once

#include <cstdint>
#include <string>

namespace zk {

class EventWriter {
 public:
  // Reads ZKD_EVENT_FD; a missing or malformed value gives a disabled writer.
  static EventWriter FromEnvironment();
  explicit EventWriter(int fd = -1);

  bool enabled() const { return fd_ >= 0; }
  // {"event":"state","state":"STANDALONE","epoch":0,"zxid":"0x0","election_ms":0}
  void State(const std::string& state, int64_t epoch, int64_t zxid, int64_t election_ms);
  // {"event":"serving"}
  void Serving();

  // The JSON lines, for tests.
  static std::string StateLine(const std::string& state, int64_t epoch, int64_t zxid,
                               int64_t election_ms);
  static std::string ServingLine();

 private:
  void Write(const std::string& line);
  int fd_;
};

}  // namespace zk
