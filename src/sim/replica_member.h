// ReplicaMember: a SimMember that is the real zk::Replica (election + Zab + Core), the same code
// zkd runs, over a simulated disk (SimDisk: epoch files, an installed snapshot, a log with a
// synced prefix).
//
// The shell's contract (replica.h) is carried out the way EnsembleNode does it, one Ready after
// another in the order taken: write the epoch files, install the snapshot (the log is dropped),
// append to the log and sync it, then Persisted(last zxid), then send the election and Zab
// messages, deliver the client outputs and report the events. The sync may take a few ticks
// (SimTuning): until it completes, that Ready and every later one wait, as behind a slow
// fsync. A crash loses what was not synced — or keeps a random prefix of it, as an OS that wrote
// some pages would — and every Ready not yet carried out.
//
// Crash points (crash_points.h): at each persistence step above, and around each ACK, ACK of
// NEWLEADER and ACKEPOCH it sends, the member checks the point armed for it; there it stops
// carrying out its Ready and asks the simulator to crash it (wants_crash()).
//
// A leader's TRUNC (Ready::truncate_zxid) cuts the log at once (the Readies before it are on
// disk by then) and rebuilds the Core from the disk the same way, through Replica::Truncated.
//
// A restart rebuilds the Core as recovery does: decode the snapshot (if a SNAP installed one),
// replay the log through Core::ApplyTxn, read the epoch files, then Replica::Start().
//
// With reconfig (tuning reconfig=1) the disk also holds the dynamic config file
// (SimDisk::config_text): the member starts in the config it names (a spare's is laid out at its
// first start: sim_config.h), and rewrites it when a Ready activates a reconfig — first thing
// in that Ready, as zkd's shell does, so crash point before-config-file falls between the
// activation in memory and the file.
//
// A full data directory (SimDisk::data_dir_full) fails the epoch writes: the member applies the
// ensemble's storage rule (replica_storage.cc), and every Zab message it sends is checked
// against the epochs on its disk.
//
// For the invariants, the member keeps what it knows of its history: every txn it logged or
// replayed, by zxid, as a hash of the bytes (txns()); those at or below history_base() came in
// a snapshot and are not known one by one. Client outputs go to a ClientSink (the simulated
// clients), which also hears when the member drops its client connections.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/replica.h"
#include "sim/state_codec.h"
#include "sim/simulator.h"
#include "sim/tuning.h"

namespace zk::sim {

// Where a member's client outputs go (the simulated clients).
class ClientSink {
 public:
  virtual ~ClientSink() = default;
  virtual void Deliver(int64_t member, const Output& o) = 0;
  // The member closed its client connections: it crashed or stopped serving.
  virtual void Dropped(int64_t member) = 0;
};

struct ReplicaContext {
  const Simulator* sim = nullptr;  // the clock (now) for txn times
  Prng* prng = nullptr;            // the simulator's: disk delays, crash losses
  ClientSink* clients = nullptr;   // may be null
  SimTuning tuning;
};

// A member's SimDisk as its Replica's TxnLogSource (core/txn_log_source.h), for a DIFF from
// the log: the snapshot's size is its encoded state's, the log's the bytes of its entries from
// the zxid on (the simulated log has no files, so no preallocation), and a read is exact.
class SimLogSource final : public TxnLogSource {
 public:
  explicit SimLogSource(SimDisk* disk) : disk_(disk) {}
  int64_t SnapshotBytes() override;
  int64_t LogBytesFrom(int64_t from) override;
  bool Read(int64_t from, int64_t through,
            std::vector<std::pair<int64_t, std::string>>* out) override;

 private:
  SimDisk* disk_;
};

class ReplicaMember : public SimMember {
 public:
  ReplicaMember(int64_t sid, SimDisk* disk, const Membership& membership, ReplicaContext ctx);

  void Start() override;
  void Step(const SimMessage& m) override;
  void Tick() override;
  std::vector<SimMessage> TakeMessages() override;
  std::vector<SimEvent> TakeEvents() override;
  MemberView view() const override;
  void PeerDisconnected(int64_t sid) override;
  void Crash() override;
  bool wants_crash() const override { return crash_wanted_; }

  int64_t sid() const { return sid_; }
  Replica& replica() { return *replica_; }
  const Replica& replica() const { return *replica_; }
  // What this member holds, by zxid: hash of the txn bytes (logged, replayed or proposed).
  const std::map<int64_t, uint64_t>& txns() const { return txns_; }
  // Txns at or below this zxid came in a snapshot (0: none).
  int64_t history_base() const { return history_base_; }
  // Bumped whenever the known history is replaced (a SNAP).
  uint64_t history_generation() const { return history_generation_; }
  int64_t boot() const { return boot_; }
  // Every learner sync this member reported as leader, oldest first (bounded: the last
  // kSyncsMax).
  const std::deque<Ready::SyncReport>& syncs() const { return syncs_; }
  // Syncs of each kind this member did as leader (kDiff, kTrunc, kSnap), never trimmed.
  int64_t sync_count(ZabType how) const {
    auto it = sync_counts_.find(how);
    return it == sync_counts_.end() ? 0 : it->second;
  }
  // TRUNCs carried out on this member's disk.
  int64_t truncations() const { return truncations_; }
  // A disk-level inconsistency seen while carrying out a Ready (empty if none).
  const std::string& failure() const { return failure_; }
  uint64_t malformed() const { return malformed_; }

 private:
  // A leader's quorum messages leave when taken, ahead of its own log sync.
  bool SendsAtOnce(const Ready& ready) const;
  struct Queued {
    Ready ready;
    bool serving_after = false;
    std::string snapshot;  // encoded state when ready.snapshot_zxid is set
    // Per Zab message: the connection it was written for (disconnects_ of its peer then). A
    // message that waits behind a slow sync dies with that connection, as a socket's would.
    std::vector<uint64_t> connection;
    bool on_disk = false;
    int64_t sync_at_tick = 0;
  };
  void Pump();          // takes Readies and carries out what it can
  bool CarryOut();      // the queue, in order; false if nothing moved
  void Remember(int64_t zxid, const std::string& txn);
  // The Core from the disk: the snapshot (or an empty tree), then the log.
  void Load(Core& core);
  // Ready::truncate_zxid: cut the log (never an installed snapshot) and rebuild the state.
  void Truncate(int64_t zxid);
  // The storage rule (replica_storage.cc): an epoch write that fails on a full data directory
  // takes the member out of the quorum; a probe every few ticks brings it back.
  void FailEpochWrite();
  void ProbeStorage();
  // Invariant: nothing leaves for a peer in an epoch the disk has not recorded.
  void CheckRecorded(const ZabPacket& p);
  // True (and the member then does nothing more) if `p` is this member's armed crash point.
  bool AtCrashPoint(CrashPoint p);
  // Sends one Zab message of a Ready, with the crash points around ACKs; false if it crashed.
  bool SendZab(int64_t to, const ZabPacket& p);

  int64_t sid_;
  SimDisk* disk_;
  Membership membership_;
  ReplicaContext ctx_;
  SimStateCodec codec_;
  SimLogSource log_source_;
  std::unique_ptr<Replica> replica_;
  int64_t ticks_ = 0;
  int64_t boot_ = 0;
  bool was_serving_ = false;
  std::deque<Queued> queue_;
  std::map<int64_t, uint64_t> disconnects_;  // by peer: PeerDisconnected() calls
  std::map<int64_t, uint64_t> txns_;
  int64_t history_base_ = 0;
  uint64_t history_generation_ = 0;
  std::deque<Ready::SyncReport> syncs_;
  std::map<ZabType, int64_t> sync_counts_;
  int64_t truncations_ = 0;
  std::string failure_;
  uint64_t malformed_ = 0;
  bool crash_wanted_ = false;
  std::vector<SimMessage> outbox_;
  std::vector<SimEvent> events_;
};

}  // namespace zk::sim
