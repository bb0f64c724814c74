// SimNetwork: the simulated network between ensemble members. Messages are opaque bytes on a
// channel (election port or quorum port), each given a delivery tick and a tie-break drawn from
// the simulator's Prng: per-message delay, loss, duplication and reordering (messages due in the
// same tick are delivered in random order). Partitions block directed links; a symmetric
// partition blocks both directions. A blocked link drops the message when it is due, so a
// partition also catches what was already in flight.
//
// Quorum connections (set_quorum_connections(true), for Zab): the quorum channel between two
// members is one TCP-like connection, FIFO in each direction until it breaks. Delay still
// varies, but a message is never delivered before one sent earlier on the same connection; it is
// never duplicated; loss, or reaching a blocked link, breaks the connection instead: what is in
// flight on it (both directions) is dropped, and anything sent before the simulator has told
// both ends (TakeBreak / FinishBreak) is dropped too. The next message opens a new connection.
// Election notifications stay datagram-like (delay, loss, duplication, reordering).
//
// A held link (Hold, for scenarios that need an exact interleaving) keeps what becomes due on
// it, in order, without breaking anything, until Release delivers it: a slow link, not a cut.
//
// Deterministic: all choices come from the Prng passed in, in the order Send() is called.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/prng.h"

namespace zk::sim {

enum class Channel : uint8_t { kElection = 0, kQuorum = 1 };

struct SimMessage {
  int64_t from = 0;
  int64_t to = 0;
  Channel channel = Channel::kElection;
  std::string payload;
  uint64_t connection = 0;  // quorum connections: the generation it was sent on
  // Not a message: the sender closes its quorum connection with `to` (Ready::quorum_disconnects).
  bool close = false;
};

struct NetworkFaults {
  int32_t delay_min_ticks = 0;  // 0: delivered within the tick it was sent (peers on one host)
  int32_t delay_max_ticks = 0;
  double slow = 0;  // probability of an extra delay of up to slow_max_ticks
  int32_t slow_max_ticks = 0;
  double loss = 0;
  double duplicate = 0;
};

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t blocked = 0;
  uint64_t breaks = 0;  // quorum connections broken
  uint64_t closes = 0;  // quorum connections closed on purpose by one end
};

class SimNetwork {
 public:
  static constexpr size_t kInFlightMax = 1'000'000;

  explicit SimNetwork(Prng* prng) : prng_(prng) {}

  NetworkFaults& faults() { return faults_; }
  const NetworkStats& stats() const { return stats_; }

  void Send(SimMessage m, int64_t now_tick);
  // The next message due at or before now_tick, if any; blocked ones are dropped on the way.
  std::optional<SimMessage> PopDue(int64_t now_tick);
  // Drops everything in flight to `sid` (a crashed process loses its socket buffers).
  void DropTo(int64_t sid);
  size_t in_flight() const { return queue_.size(); }
  bool HasDue(int64_t now_tick) const {
    return !queue_.empty() && std::get<0>(queue_.begin()->first) <= now_tick;
  }

  void Block(int64_t from, int64_t to) { blocked_.insert({from, to}); }
  void Unblock(int64_t from, int64_t to) { blocked_.erase({from, to}); }
  // Blocks both directions between every two members of different groups.
  void Partition(const std::vector<std::set<int64_t>>& groups);
  void Heal() { blocked_.clear(); }
  bool Blocked(int64_t from, int64_t to) const { return blocked_.count({from, to}) > 0; }
  void Hold(int64_t from, int64_t to) { held_links_.insert({from, to}); }
  // Ends the hold: what it kept is due at now_tick, in the order it was sent.
  void Release(int64_t from, int64_t to, int64_t now_tick);
  const std::set<std::pair<int64_t, int64_t>>& blocked() const { return blocked_; }

  // Quorum connections (off by default: the election-only simulation keeps datagrams).
  void set_quorum_connections(bool on) { quorum_connections_ = on; }
  bool quorum_connections() const { return quorum_connections_; }
  // Breaks the quorum connection between a and b (no-op if already breaking).
  void Break(int64_t a, int64_t b);
  // A broken connection whose ends have not been told yet, as (low sid, high sid).
  std::optional<std::pair<int64_t, int64_t>> TakeBreak();
  // The ends were told: messages sent from now on travel on a new connection.
  void FinishBreak(int64_t a, int64_t b);
  // End `a` closes the connection on purpose: what is in flight (both directions) is dropped, a
  // break not yet told is forgotten (the simulator tells only the other end, as a socket's
  // owner hears nothing of its own close), and messages from now on travel on a new connection.
  void Close(int64_t a, int64_t b);

 private:
  void Enqueue(SimMessage m, int64_t now_tick);

  Prng* prng_;
  NetworkFaults faults_;
  NetworkStats stats_;
  // (deliver tick, random tie-break, sequence) -> message: an ordered container, so delivery
  // order depends only on the seed.
  std::map<std::tuple<int64_t, uint64_t, uint64_t>, SimMessage> queue_;
  uint64_t seq_ = 0;
  std::set<std::pair<int64_t, int64_t>> blocked_;
  std::set<std::pair<int64_t, int64_t>> held_links_;
  std::vector<SimMessage> held_;  // what came due on a held link, in order

  using Key = std::tuple<int64_t, uint64_t, uint64_t>;
  struct Connection {
    uint64_t generation = 1;
    bool breaking = false;
    std::map<int64_t, Key> last_key;  // by sender: the last key queued in that direction
  };
  static std::pair<int64_t, int64_t> Ends(int64_t a, int64_t b) {
    return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
  }
  bool quorum_connections_ = false;
  std::map<std::pair<int64_t, int64_t>, Connection> connections_;
  std::vector<std::pair<int64_t, int64_t>> breaks_;  // to be told, in order
};

}  // namespace zk::sim
