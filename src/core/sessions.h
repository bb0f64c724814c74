// The session table: ids, timeouts, auth ids, and expiry counted in ticks (ZooKeeper buckets
// expiry by tickTime; here a session silent for ceil(timeout / tickTime) ticks expires).
// Pure: no clock — the owner calls Advance() once per tick. Ordered containers only.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/records.h"

namespace zk {

struct Session {
  int64_t id = 0;
  int32_t timeout_ms = 0;
  int64_t expire_tick = 0;  // the tick at which it expires unless touched
  std::vector<Id> auth;     // ip id, plus digest ids from auth packets
  bool closing = false;
  bool local = false;  // opened in read-only mode: known to this server only, never logged
};

class SessionTable {
 public:
  explicit SessionTable(int32_t tick_ms = 2000) : tick_ms_(tick_ms) {}
  void set_tick_ms(int32_t tick_ms) { tick_ms_ = tick_ms; }

  Session& Add(int64_t id, int32_t timeout_ms);
  Session* Find(int64_t id);
  const Session* Find(int64_t id) const;
  void Touch(int64_t id);
  void Remove(int64_t id);
  // Moves time forward one tick and returns the sessions whose expiry tick has passed, in id order.
  std::vector<int64_t> Advance();

  int64_t now_tick() const { return now_tick_; }
  int32_t tick_ms() const { return tick_ms_; }
  size_t size() const { return sessions_.size(); }
  const std::map<int64_t, Session>& all() const { return sessions_; }

 private:
  int64_t ExpiryTick(int32_t timeout_ms) const;
  std::map<int64_t, Session> sessions_;
  int64_t now_tick_ = 0;
  int32_t tick_ms_;
};

}  // namespace zk
