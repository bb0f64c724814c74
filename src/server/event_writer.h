// EventWriter: zkd's side of the supervisor event contract (src/supervisor/zkd_events.h).
// When the environment variable ZKD_EVENT_FD names a file descriptor, each state change and each
// election fact is written to it as one JSON line; otherwise nothing is written. Writes never
// block: the fd is made non-blocking and a line that does not fit is dropped (the contract allows
// losing events). Election facts may fill only half of the pipe, so that a storm of them never
// costs a state line. Lost facts are counted, and the count goes out as a votes_dropped line
// ahead of the next line that gets through, so the supervisor can say what it missed.
// Loop thread only.
#pragma once

#include <cstdint>
#include <string>

#include "core/election.h"

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
  // The member could not record `what` (acceptedEpoch, currentEpoch, a snapshot, the log) and
  // left the quorum: {"event":"storage_failed","what":"currentEpoch",
  //  "error":"No space left on device","detail":"<the storage error line>"}
  void StorageFailed(const std::string& what, const std::string& error, const std::string& detail);
  // A probe write succeeded; it rejoins through an election: {"event":"storage_recovered"}
  void StorageRecovered();
  // One election fact: a notification, a vote or a decision (FactLine).
  void Fact(const ElectionFact& fact, int64_t tick_ms);
  // Facts lost before they reached the writer (the election's bound); reported with the next
  // line written.
  void FactsDropped(int64_t count) { facts_dropped_ += count; }
  int64_t facts_dropped() const { return facts_dropped_; }

  // The JSON lines, for tests.
  static std::string StateLine(const std::string& state, int64_t epoch, int64_t zxid,
                               int64_t election_ms);
  static std::string ServingLine();
  static std::string StorageFailedLine(const std::string& what, const std::string& error,
                                       const std::string& detail);
  // {"event":"notification","from":2,"state":"LOOKING","leader":2,"zxid":"0x0","round":1,
  //  "peer_epoch":0,"my_state":"LOOKING"}
  // {"event":"vote","leader":3,"zxid":"0x..","round":1,"peer_epoch":0,"why":"better_vote",
  //  "from":3}
  // {"event":"decision","state":"FOLLOWING","leader":3,"zxid":"0x..","round":1,"peer_epoch":0,
  //  "by":"looking-quorum","supporters":[1,3],"voters":3,"election_ms":40}
  // `tick_ms` turns the decision's ticks into election_ms.
  static std::string FactLine(const ElectionFact& fact, int64_t tick_ms);
  // {"event":"votes_dropped","count":N}
  static std::string VotesDroppedLine(int64_t count);

 private:
  // Writes the pending votes_dropped line first, then `line`; a fact that does not get through
  // is counted (`counted`), any other line is simply lost.
  void Write(const std::string& line, bool counted);
  bool WriteOnce(const std::string& line);
  int fd_;
  int pipe_bytes_ = -1;  // the pipe's capacity (F_GETPIPE_SZ); -1: not a pipe
  int64_t facts_dropped_ = 0;
};

}  // namespace zk
