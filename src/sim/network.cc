#include "sim/network.h"

namespace zk::sim {

void SimNetwork::Enqueue(SimMessage m, int64_t now_tick) {
  int64_t delay = prng_->Range(faults_.delay_min_ticks,
                               std::max(faults_.delay_min_ticks, faults_.delay_max_ticks));
  if (faults_.slow_max_ticks > 0 && prng_->Chance(faults_.slow)) {
    delay += prng_->Range(1, faults_.slow_max_ticks);
  }
  uint64_t tie = prng_->Next();
  if (queue_.size() >= kInFlightMax) {
    ++stats_.lost;  // past the limit the network drops, as a full socket buffer would
    return;
  }
  queue_.emplace(std::make_tuple(now_tick + delay, tie, seq_++), std::move(m));
}

void SimNetwork::Send(SimMessage m, int64_t now_tick) {
  ++stats_.sent;
  if (prng_->Chance(faults_.loss)) {
    ++stats_.lost;
    return;
  }
  if (prng_->Chance(faults_.duplicate)) {
    ++stats_.duplicated;
    Enqueue(m, now_tick);
  }
  Enqueue(std::move(m), now_tick);
}

std::optional<SimMessage> SimNetwork::PopDue(int64_t now_tick) {
  while (!queue_.empty()) {
    auto it = queue_.begin();
    if (std::get<0>(it->first) > now_tick) return std::nullopt;
    SimMessage m = std::move(it->second);
    queue_.erase(it);
    if (Blocked(m.from, m.to)) {
      ++stats_.blocked;
      continue;
    }
    ++stats_.delivered;
    return m;
  }
  return std::nullopt;
}

void SimNetwork::DropTo(int64_t sid) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->second.to == sid) {
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

void SimNetwork::Partition(const std::vector<std::set<int64_t>>& groups) {
  for (size_t i = 0; i < groups.size(); ++i) {
    for (size_t j = 0; j < groups.size(); ++j) {
      if (i == j) continue;
      for (int64_t a : groups[i]) {
        for (int64_t b : groups[j]) Block(a, b);
      }
    }
  }
}

}  // namespace zk::sim
