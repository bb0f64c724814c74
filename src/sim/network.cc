#include "sim/network.h"

#include <algorithm>

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
    if (quorum_connections_ && m.channel == Channel::kQuorum) Break(m.from, m.to);
    return;
  }
  Key key = std::make_tuple(now_tick + delay, tie, seq_++);
  if (quorum_connections_ && m.channel == Channel::kQuorum) {
    // FIFO within the connection: never ahead of what was sent before on it.
    Connection& c = connections_[Ends(m.from, m.to)];
    auto last = c.last_key.find(m.from);
    if (last != c.last_key.end() && key < last->second) {
      // Delivered right behind the previous one (the sequence number is always larger).
      key = std::make_tuple(std::get<0>(last->second), std::get<1>(last->second), std::get<2>(key));
    }
    c.last_key[m.from] = key;
  }
  queue_.emplace(key, std::move(m));
}

void SimNetwork::Break(int64_t a, int64_t b) {
  Connection& c = connections_[Ends(a, b)];
  if (c.breaking) return;
  c.breaking = true;
  ++stats_.breaks;
  breaks_.push_back(Ends(a, b));
}

std::optional<std::pair<int64_t, int64_t>> SimNetwork::TakeBreak() {
  if (breaks_.empty()) return std::nullopt;
  std::pair<int64_t, int64_t> b = breaks_.front();
  breaks_.erase(breaks_.begin());
  return b;
}

void SimNetwork::FinishBreak(int64_t a, int64_t b) {
  Connection& c = connections_[Ends(a, b)];
  c.breaking = false;
  ++c.generation;  // what is still in flight carries the old one and is dropped when due
  c.last_key.clear();
}

void SimNetwork::Close(int64_t a, int64_t b) {
  std::pair<int64_t, int64_t> ends = Ends(a, b);
  breaks_.erase(std::remove(breaks_.begin(), breaks_.end(), ends), breaks_.end());
  ++stats_.closes;
  FinishBreak(a, b);
}

void SimNetwork::Send(SimMessage m, int64_t now_tick) {
  ++stats_.sent;
  if (quorum_connections_ && m.channel == Channel::kQuorum) {
    Connection& c = connections_[Ends(m.from, m.to)];
    if (c.breaking) {
      ++stats_.lost;  // written to a dead socket
      return;
    }
    m.connection = c.generation;
    if (prng_->Chance(faults_.loss)) {
      ++stats_.lost;
      Break(m.from, m.to);  // TCP does not lose one message: it loses the connection
      return;
    }
    Enqueue(std::move(m), now_tick);
    return;
  }
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
    const bool quorum = quorum_connections_ && m.channel == Channel::kQuorum;
    if (quorum) {
      const Connection& c = connections_[Ends(m.from, m.to)];
      if (c.breaking || c.generation != m.connection) {
        ++stats_.lost;  // the connection it was sent on is gone
        continue;
      }
    }
    if (held_links_.count({m.from, m.to}) > 0) {
      held_.push_back(std::move(m));
      continue;
    }
    if (Blocked(m.from, m.to)) {
      ++stats_.blocked;
      if (quorum) Break(m.from, m.to);  // a partition outlasts TCP's patience
      continue;
    }
    ++stats_.delivered;
    return m;
  }
  return std::nullopt;
}

void SimNetwork::Release(int64_t from, int64_t to, int64_t now_tick) {
  held_links_.erase({from, to});
  std::vector<SimMessage> keep;
  for (SimMessage& m : held_) {
    if (m.from != from || m.to != to) {
      keep.push_back(std::move(m));
      continue;
    }
    // Ahead of anything sent later (tie-break 0), behind one another (the sequence).
    Key key = std::make_tuple(now_tick, uint64_t{0}, seq_++);
    if (quorum_connections_ && m.channel == Channel::kQuorum) {
      Connection& c = connections_[Ends(m.from, m.to)];
      auto last = c.last_key.find(m.from);
      if (last == c.last_key.end() || last->second < key) c.last_key[m.from] = key;
    }
    queue_.emplace(key, std::move(m));
  }
  held_.swap(keep);
}

void SimNetwork::DropTo(int64_t sid) {
  held_.erase(std::remove_if(held_.begin(), held_.end(),
                             [sid](const SimMessage& m) { return m.to == sid; }),
              held_.end());
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
