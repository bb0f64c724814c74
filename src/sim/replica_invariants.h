// Zab's invariants over a simulation of ReplicaMembers, checked after every step:
//
//  - one-leader-per-epoch: at most one member serves as leader in each Zab epoch
//    (Replica::epoch() while LEADING and serving), over the whole run;
//  - prefix: what serving members have applied forms one history. Every zxid a serving member
//    applies goes into a ledger (zxid → hash of the txn bytes, and the zxid before it); the
//    same zxid with other bytes, or another predecessor or successor than the ledger's (a member
//    skipped a txn, or histories forked), is a violation;
//  - no acknowledged write lost: every create a client heard err 0 for is in the tree (path,
//    data, czxid) of every serving member that has applied past its zxid;
//  - member-disk: a member never appends a zxid at or below its log's end, nor logs one zxid
//    with two different txns without a snapshot in between;
//  - clients: a client's read of its own acknowledged node returns it;
//  - learner-not-ahead: a serving learner has applied nothing its serving leader (same epoch)
//    has not applied, i.e. committed (ZOOKEEPER-3911).
// Only serving members are held to the history rules: a member out of its role may have applied
// txns from its log that a new leader discards (by SNAP) before it serves again.
//
// ZabSettled() is the liveness condition once the faults stop; with reconfig it includes
// SameConfig().
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/client_load.h"
#include "sim/replica_member.h"

namespace zk::sim {

struct ZabStats {
  uint64_t epochs_served = 0;  // distinct epochs with a serving leader
  uint64_t ledger_txns = 0;
  uint64_t ack_checks = 0;
  uint64_t syncs_diff = 0;  // learner syncs by kind, over every member (RunRandomReplica)
  uint64_t syncs_trunc = 0;
  uint64_t syncs_snap = 0;
};

class ZabChecker {
 public:
  explicit ZabChecker(const ClientLoad* clients) : clients_(clients) {}
  // Registers the invariants on `sim`; the checker must outlive it.
  void Install(Simulator& sim);
  // Every acknowledged write is on every member that is up (call when settled).
  std::string CheckAllAcked(const Simulator& sim) const;
  const ZabStats& stats() const { return stats_; }

 private:
  struct Seen {
    int64_t boot = -1;
    uint64_t generation = 0;
    bool serving = false;
    int64_t applied = 0;  // checked up to this zxid
  };
  std::string Check(const Simulator& sim);
  std::string CheckHistory(const ReplicaMember& m, Seen& s);
  std::string CheckNotAheadOfLeader(const Simulator& sim, int64_t sid,
                                    const ReplicaMember& m) const;
  std::string CheckAcks(const ReplicaMember& m, int64_t after, int64_t upto) const;
  std::string CheckAck(const ReplicaMember& m, const AckedWrite& a) const;

  const ClientLoad* clients_;
  std::map<int64_t, int64_t> leader_of_epoch_;
  struct LedgerEntry {
    uint64_t hash = 0;
    int64_t prev = 0;  // the zxid before it in the history
  };
  std::map<int64_t, LedgerEntry> ledger_;  // committed zxid → txn
  std::map<int64_t, int64_t> next_;        // committed zxid → the one after it
  std::map<int64_t, Seen> seen_;
  std::map<int64_t, size_t> acked_by_zxid_;  // zxid → index in clients_->acked()
  size_t acks_indexed_ = 0;
  ZabStats stats_;
};

// Every member up; exactly one serves as leader; every other voter serves as its follower and
// every observer as its observer, in its epoch; all applied the same zxid and have the same
// tree digest. Empty if so, else what is missing. With reconfig the members are those of the
// serving leader's config (removed ones may be up or down), and SameConfig() must hold too.
std::string ZabSettled(const Simulator& sim);

// The members a settled run is judged by: the serving leader's config with reconfig (if one
// leads), else the starting config.
Membership FinalMembership(const Simulator& sim);

// Same config after healing (reconfig): every member of the serving leader's config that is up
// has that config (version and text) in force, and the same in its dynamic config file. Empty
// when it holds, or without reconfig; "no serving leader" when none serves.
std::string SameConfig(const Simulator& sim);

}  // namespace zk::sim
