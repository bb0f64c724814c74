#include "core/sessions.h"

#include <cassert>

namespace zk {

int64_t SessionTable::ExpiryTick(int32_t timeout_ms) const {
  assert(tick_ms_ > 0);
  int64_t ticks = (static_cast<int64_t>(timeout_ms) + tick_ms_ - 1) / tick_ms_;
  return now_tick_ + (ticks < 1 ? 1 : ticks);
}

Session& SessionTable::Add(int64_t id, int32_t timeout_ms) {
  Session& s = sessions_[id];
  s.id = id;
  s.timeout_ms = timeout_ms;
  s.expire_tick = ExpiryTick(timeout_ms);
  return s;
}

Session* SessionTable::Find(int64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const Session* SessionTable::Find(int64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTable::Touch(int64_t id) {
  if (Session* s = Find(id); s && !s->closing) s->expire_tick = ExpiryTick(s->timeout_ms);
}

void SessionTable::Remove(int64_t id) { sessions_.erase(id); }

std::vector<int64_t> SessionTable::Advance() {
  ++now_tick_;
  std::vector<int64_t> expired;
  for (auto& [id, s] : sessions_) {
    if (!s.closing && s.expire_tick <= now_tick_) expired.push_back(id);
  }
  return expired;
}

}  // namespace zk
