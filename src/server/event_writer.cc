#include "server/event_writer.h"

#include <fcntl.h>
#include <sys/ioctl.h>
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
    pipe_bytes_ = fcntl(fd_, F_GETPIPE_SZ);  // -1 when not a pipe: no reserve kept
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

std::string EventWriter::StorageFailedLine(const std::string& what, const std::string& error,
                                           const std::string& detail) {
  nlohmann::ordered_json j;
  j["event"] = "storage_failed";
  j["what"] = what;
  j["error"] = error;
  j["detail"] = detail;
  // A pipe takes a line whole only below PIPE_BUF; a path-heavy detail is cut, not the line.
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (line.size() <= 1024) return line;
  j["detail"] = detail.substr(0, 512);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string EventWriter::FactLine(const ElectionFact& fact, int64_t tick_ms) {
  nlohmann::ordered_json j;
  switch (fact.kind) {
    case ElectionFact::Kind::kNotification: {
      const Notification& n = fact.notification;
      j["event"] = "notification";
      j["from"] = n.sid;
      j["state"] = PeerStateName(n.state);
      j["leader"] = n.leader;
      j["zxid"] = ZxidHex(n.zxid);
      j["round"] = n.election_epoch;
      j["peer_epoch"] = n.peer_epoch;
      j["my_state"] = PeerStateName(fact.my_state);
      break;
    }
    case ElectionFact::Kind::kVote:
      j["event"] = "vote";
      j["leader"] = fact.vote.leader;
      j["zxid"] = ZxidHex(fact.vote.zxid);
      j["round"] = fact.vote.election_epoch;
      j["peer_epoch"] = fact.vote.peer_epoch;
      j["why"] = VoteChangeName(fact.why);
      if (fact.why != VoteChange::kStart) j["from"] = fact.notification.sid;
      break;
    case ElectionFact::Kind::kDecision: {
      const Decision& d = fact.decision;
      j["event"] = "decision";
      j["state"] = PeerStateName(d.state);
      j["leader"] = d.leader;
      j["zxid"] = ZxidHex(d.zxid);
      j["round"] = d.election_epoch;
      j["peer_epoch"] = d.peer_epoch;
      j["by"] = DecidedByName(d.by);
      nlohmann::json supporters = nlohmann::json::array();
      for (const auto& [sid, state] : d.supporters) supporters.push_back(sid);
      j["supporters"] = supporters;
      j["voters"] = fact.voters;
      j["election_ms"] = d.ticks_taken * tick_ms;
      break;
    }
  }
  return j.dump() + "\n";
}

std::string EventWriter::VotesDroppedLine(int64_t count) {
  nlohmann::ordered_json j;
  j["event"] = "votes_dropped";
  j["count"] = count;
  return j.dump() + "\n";
}

void EventWriter::State(const std::string& state, int64_t epoch, int64_t zxid,
                        int64_t election_ms) {
  Write(StateLine(state, epoch, zxid, election_ms), false);
}

void EventWriter::Serving() { Write(ServingLine(), false); }

void EventWriter::StorageFailed(const std::string& what, const std::string& error,
                                const std::string& detail) {
  Write(StorageFailedLine(what, error, detail), false);
}

void EventWriter::StorageRecovered() { Write("{\"event\":\"storage_recovered\"}\n", false); }

void EventWriter::Fact(const ElectionFact& fact, int64_t tick_ms) {
  Write(FactLine(fact, tick_ms), true);
}

void EventWriter::Write(const std::string& line, bool counted) {
  if (fd_ < 0) return;
  // Election facts may fill only half of the pipe: the rest stays free for state lines, from
  // which the supervisor learns roles. An election storm costs facts, never a role change.
  if (counted && pipe_bytes_ > 0) {
    int queued = 0;
    if (ioctl(fd_, FIONREAD, &queued) == 0 && queued > pipe_bytes_ / 2) {
      ++facts_dropped_;
      return;
    }
  }
  if (facts_dropped_ > 0) {
    if (WriteOnce(VotesDroppedLine(facts_dropped_))) {
      facts_dropped_ = 0;
    } else if (counted) {
      ++facts_dropped_;  // the pipe is full: this fact would not fit either
      return;
    }
  }
  if (!WriteOnce(line) && counted) ++facts_dropped_;
}

bool EventWriter::WriteOnce(const std::string& line) {
  if (fd_ < 0) return false;
  // A line is far below PIPE_BUF, so a write to the pipe takes all of it or nothing.
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE) fd_ = -1;  // the supervisor is gone; stop trying
  return n == static_cast<ssize_t>(line.size());
}

}  // namespace zk
