#include "server/event_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "proto/zxid.h"

namespace zk {

EventWriter EventWriter::FromEnvironment() {
  const char* value = std::getenv("ZKD_EVENT_FD");
  if (value == nullptr || *value == '\0') return EventWriter(-1);
  char* end = nullptr;
  long fd = std::strtol(value, &end, 10);
  if (*end != '\0' || fd < 0 || fd > 65535 || fcntl(static_cast<int>(fd), F_GETFD) < 0) {
    spdlog::warn("ZKD_EVENT_FD={} is not an open file descriptor; no events will be written",
                 value);
    return EventWriter(-1);
  }
  return EventWriter(static_cast<int>(fd));
}

EventWriter::EventWriter(int fd) : fd_(fd) {
  if (fd_ >= 0) {
    int flags = fcntl(fd_, F_GETFL);
    if (flags >= 0) fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  }
}

std::string EventWriter::StateLine(const std::string& state, int64_t epoch, int64_t zxid,
                                   int64_t election_ms) {
  nlohmann::ordered_json j;
  j["event"] = "state";
  j["state"] = state;
  j["epoch"] = epoch;
  j["zxid"] = ZxidHex(zxid);
  j["election_ms"] = election_ms;
  return j.dump() + "\n";
}

std::string EventWriter::ServingLine() {
  nlohmann::ordered_json j;
  j["event"] = "serving";
  return j.dump() + "\n";
}

void EventWriter::State(const std::string& state, int64_t epoch, int64_t zxid,
                        int64_t election_ms) {
  Write(StateLine(state, epoch, zxid, election_ms));
}

void EventWriter::Serving() { Write(ServingLine()); }

void EventWriter::Write(const std::string& line) {
  if (fd_ < 0) return;
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE) fd_ = -1;  // the supervisor is gone; stop trying
}

}  // namespace zk
