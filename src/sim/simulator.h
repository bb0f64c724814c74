// Simulator: every ensemble member's pure core in one process, over a SimNetwork, with crashes
// and restarts, all choices drawn from one seed. After every step (one message delivered, one
// member ticked, one fault injected) it runs the registered invariant checks; the first
// violation stops the run and is kept in failure().
//
// Extension points:
//   - SimMember: wrap any pure peer behind Start / Step / Tick / TakeMessages / TakeEvents /
//     view() (+ PeerDisconnected / Crash): ElectionMember (election with a stand-in for Zab's
//     liveness) or ReplicaMember (the real Replica: election + Zab + Core).
//   - SimDisk: what survives a crash: the durable election facts, and for a ReplicaMember its
//     epoch files, installed snapshot and log (with a synced prefix).
//   - AddInvariant (checked after every step, over all members) and AddEventHook (checked on each
//     event a member reports, e.g. a decision).
//   - network().set_quorum_connections(true): the quorum channel becomes FIFO connections that
//     break (loss, partitions, crashes); the simulator tells both ends (PeerDisconnected).
//   - ArmCrash(sid, point): the member dies the next time it reaches that persistence step
//     (crash_points.h); it says so (wants_crash()) and the simulator crashes it after the step.
//
// Single-threaded and deterministic: members are kept in a std::map and visited in sid order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/election.h"
#include "sim/crash_points.h"
#include "sim/network.h"
#include "sim/prng.h"

namespace zk::sim {

// One transaction in a simulated log.
struct SimLogEntry {
  int64_t zxid = 0;
  std::string txn;  // an encoded Txn
};

// What survives a crash. The election-only member uses the three numbers the election starts
// from; a ReplicaMember keeps them in step (for views) and owns the rest: the epoch files, the
// snapshot a leader's SNAP installed, and the transaction log, of which only the first
// `log_synced` entries are sure to survive a crash.
struct SimDisk {
  int64_t last_zxid = 0;
  int64_t current_epoch = 0;
  int64_t accepted_epoch = 0;
  std::vector<SimLogEntry> log;
  size_t log_synced = 0;
  bool has_snapshot = false;
  int64_t snapshot_zxid = 0;
  std::string snapshot;  // StateCodec bytes
  int64_t boots = 0;     // process starts, for unique session ids
  // The data directory is full: epoch files cannot be written (the log, in its own directory,
  // still can). The member must leave the quorum until it is not (issue 16; replica.h).
  bool data_dir_full = false;
  // The dynamic config file (zoo.cfg.dynamic.<version>), as /zookeeper/config text with its
  // version line; empty: the starting config (or, for a spare, the one it is given to join).
  std::string config_text;
};

// What a member reports about itself, for invariants and scenario expectations.
struct MemberView {
  PeerState state = PeerState::kLooking;
  int64_t leader = 0;          // valid unless LOOKING
  int64_t election_epoch = 0;  // decided round, or the current logical clock while LOOKING
  int64_t peer_epoch = 0;
  int64_t zxid = 0;
  bool serving = false;  // Zab: the member serves clients (leader or synced learner)
  // Whether it votes by its own active membership, when a reconfig may have changed it from
  // the simulator's (tuning reconfig=1); unset: the simulator's membership says.
  std::optional<bool> voter;
  // Likewise whether its own config names it an observer (false for a member the config leaves
  // out: a non-voting follower); unset: the simulator's membership says.
  std::optional<bool> observer;
};

// Something a member wants the simulator to know: it goes to the trace and to the event hooks.
struct SimEvent {
  int64_t sid = 0;
  std::string text;                  // one line for the trace
  std::optional<Decision> decision;  // set when the member just decided
};

class SimMember {
 public:
  virtual ~SimMember() = default;
  virtual void Start() = 0;  // the process starts, from its SimDisk
  virtual void Step(const SimMessage& m) = 0;
  virtual void Tick() = 0;
  virtual std::vector<SimMessage> TakeMessages() = 0;
  virtual std::vector<SimEvent> TakeEvents() = 0;
  virtual MemberView view() const = 0;
  // The connection to `sid` broke: with network.quorum_connections(), the quorum connection;
  // without, `sid` crashed (its sockets closed, as the kernel closes a dead process's).
  virtual void PeerDisconnected(int64_t sid) {}
  // The process dies now (before it is destroyed): what was not synced may be lost.
  virtual void Crash() {}
  // It reached its armed crash point (Simulator::ArmCrash) and must die now.
  virtual bool wants_crash() const { return false; }
};

class Simulator;
using MemberFactory =
    std::function<std::unique_ptr<SimMember>(int64_t sid, SimDisk* disk, const Membership& m)>;
// An invariant returns an empty string when it holds, else what is wrong.
using Invariant = std::function<std::string(const Simulator&)>;
using EventHook = std::function<std::string(const Simulator&, const SimEvent&)>;

class Simulator {
 public:
  // Named limits.
  static constexpr uint64_t kDeliveriesPerTickMax = 200'000;  // more is a message storm
  static constexpr size_t kTraceLinesMax = 4000;              // older lines are dropped

  Simulator(uint64_t seed, Membership membership, MemberFactory factory);

  uint64_t seed() const { return seed_; }
  Prng& prng() { return prng_; }
  SimNetwork& network() { return network_; }
  // The starting config. With reconfig, members' active configs may differ from it.
  const Membership& membership() const { return membership_; }
  // Spares: members outside the starting config, started later to join by a reconfig. Like
  // the others they have a disk, take part in crashes and connection breaks, and reach (and
  // are reached by) every member: the network routes by id, as zkd's transport learns a
  // joiner's address from its hello. Before anything starts.
  void AddSpare(int64_t sid);
  const std::set<int64_t>& spares() const { return spares_; }
  // A member of the starting config or a spare.
  bool IsKnown(int64_t sid) const { return membership_.IsMember(sid) || spares_.count(sid) > 0; }
  // Every known id, in order.
  std::vector<int64_t> known() const;
  int64_t now() const { return now_; }

  void StartMember(int64_t sid);  // no-op if already up
  void CrashMember(int64_t sid);  // loses everything but the SimDisk; no-op if down
  bool IsUp(int64_t sid) const { return members_.count(sid) > 0; }
  // Arms (or with nullopt disarms) a crash point: `sid` dies the next time it reaches it, even
  // after restarts in between. Firing disarms it.
  void ArmCrash(int64_t sid, std::optional<CrashPoint> point);
  std::optional<CrashPoint> armed_crash(int64_t sid) const;
  SimDisk& disk(int64_t sid) { return disks_[sid]; }
  const SimDisk& disk(int64_t sid) const { return disks_.at(sid); }
  // nullopt while down.
  std::optional<MemberView> view(int64_t sid) const;
  // Every up member's (sid, view), in sid order, taken once before the invariants run.
  const std::vector<std::pair<int64_t, MemberView>>& views() const { return views_; }
  SimMember* member(int64_t sid);
  const SimMember* member(int64_t sid) const;
  // Someone outside the simulator (a simulated client) gave `sid` input directly: collect what
  // it produced and check the invariants, as after any step.
  void Poke(int64_t sid);

  // Advances n ticks: each tick, every up member ticks (in sid order), then every message due
  // is delivered. Returns false as soon as an invariant fails.
  bool RunTicks(int64_t n);
  // Delivers what is due now without ticking.
  bool Drain();

  void AddInvariant(std::string name, Invariant check);
  void AddEventHook(std::string name, EventHook hook);
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }

  void Note(const std::string& line);  // a line in the trace, stamped with the tick
  const std::deque<std::string>& trace() const { return trace_; }
  void set_echo(std::function<void(const std::string&)> echo) { echo_ = std::move(echo); }
  uint64_t steps() const { return steps_; }

 private:
  void Collect(int64_t sid);  // takes a member's messages and events after it stepped
  void AfterStep(int64_t sid);  // Collect, tell the ends of broken connections, Check
  bool HandleBreaks();  // true if any
  void BreakConnection(int64_t a, int64_t b);
  void Check();
  void CrashWhereAsked();  // crashes the members that reached their armed crash point

  uint64_t seed_;
  Prng prng_;
  SimNetwork network_;
  Membership membership_;
  std::set<int64_t> spares_;
  MemberFactory factory_;
  int64_t now_ = 0;
  uint64_t steps_ = 0;
  std::map<int64_t, SimDisk> disks_;
  std::map<int64_t, std::unique_ptr<SimMember>> members_;  // up members only
  std::map<int64_t, CrashPoint> armed_crashes_;
  std::vector<std::pair<int64_t, MemberView>> views_;      // snapshot for the invariants
  std::vector<std::pair<std::string, Invariant>> invariants_;
  std::vector<std::pair<std::string, EventHook>> event_hooks_;
  std::string failure_;
  std::deque<std::string> trace_;
  std::function<void(const std::string&)> echo_;
};

}  // namespace zk::sim
