// Replica, leader side: how each learner is brought up to the leader's history once the epoch is
// established — DIFF, TRUNC then DIFF, or SNAP — and the NEWLEADER that closes its sync stream.
// The choice follows ZooKeeper's LearnerHandler.syncFollower: over the in-memory history, and for
// a learner older than it, over the on-disk log (core/txn_log_source.h). Every sync is reported
// (Ready::syncs) for the log.
#include <algorithm>
#include <cassert>

#include "core/invariant.h"
#include "core/reconfig.h"
#include "core/replica.h"

namespace zk {

Replica::SyncPlan Replica::PlanSync(int64_t from) const {
  const int64_t committed = last_committed_;
  if (committed < history_base_) return {ZabType::kSnap, from};
  // Older than the history: the log may still hold what it lacks (SyncLearner tries it).
  if (from < history_base_) return {ZabType::kSnap, from, true};
  // Our zxid at or below both the learner's and our commit point (where the two logs agree),
  // and our first zxid past the learner's.
  int64_t agreed = history_base_;
  int64_t next = -1;
  bool ours = from == history_base_;
  for (const auto& [zxid, txn] : history_) {
    if (zxid == from) ours = true;
    if (zxid <= std::min(from, committed)) agreed = zxid;
    if (zxid > from && next < 0) next = zxid;
  }
  if (ours && from <= committed) return {ZabType::kDiff, from};
  if (!config_.send_trunc) return {ZabType::kSnap, from};
  // Past our commit point: what it holds beyond it is either not ours (an old leader's
  // proposals that no quorum logged) or not yet committed; applied to its memory, a DIFF
  // would let it serve them before a COMMIT (ZOOKEEPER-3911). ZooKeeper cuts it back to the
  // commit point; the outstanding proposals follow the DIFF.
  if (from > committed) return {ZabType::kTrunc, committed};
  // Between two of our zxids: it logged proposals we never saw. ZooKeeper TRUNCs only within
  // an epoch (to our zxid before its last) and sends a SNAP when our next zxid is of another
  // epoch; so do we.
  if (next < 0 || ZxidEpoch(next) != ZxidEpoch(from)) return {ZabType::kSnap, from};
  return {ZabType::kTrunc, agreed};
}

void Replica::SendDiff(int64_t sid, int64_t from, ZabType how, const LogDiff* older) {
  // The planted bug: a cut one zxid too low loses a committed txn on the learner.
  if (how == ZabType::kTrunc) {
    SendZab(sid, ZabType::kTrunc, config_.planted_trunc_too_low ? from - 1 : from);
  }
  SendZab(sid, ZabType::kDiff, last_committed_);
  int64_t txns = 0;
  int64_t last = from;
  if (older != nullptr) {
    // From the log: all of it at or below history_base_, so committed; the history follows.
    ZK_ASSERT(older->ok && how == ZabType::kDiff && from < history_base_);
    for (const auto& [zxid, txn] : older->txns) {
      ZK_ASSERT(zxid > last && zxid <= history_base_ && zxid <= last_committed_);
      SendZab(sid, ZabType::kProposal, zxid, txn);
      SendZab(sid, ZabType::kCommit, zxid);
      ++txns;
      last = zxid;
    }
    ZK_ASSERT(last == history_base_);
  }
  const int64_t log_txns = txns;
  for (const auto& [zxid, txn] : history_) {
    if (zxid <= from) continue;
    SendZab(sid, ZabType::kProposal, zxid, txn);
    if (zxid <= last_committed_) SendZab(sid, ZabType::kCommit, zxid);
    ++txns;
    last = zxid;
  }
  ready_.syncs.push_back({sid, how, txns, from, last, log_txns, {}});
}

void Replica::SendSnap(int64_t sid, std::string why_not_diff) {
  assert(codec_);
  SendZab(sid, ZabType::kSnap, core_.last_zxid(), codec_->Encode(core_));
  int64_t txns = 0;
  int64_t last = core_.last_zxid();
  for (const auto& [zxid, txn] : history_) {
    if (zxid <= core_.last_zxid()) continue;
    SendZab(sid, ZabType::kProposal, zxid, txn);
    ++txns;
    last = zxid;
  }
  ready_.syncs.push_back(
      {sid, ZabType::kSnap, txns, core_.last_zxid(), last, 0, std::move(why_not_diff)});
}

void Replica::SyncLearner(int64_t sid, LearnerState& l) {
  ZK_ASSERT(epoch_established_ && l.acked_epoch && !l.forwarding);
  const SyncPlan plan = PlanSync(l.last_zxid);
  if (plan.older_than_history) {
    // ZooKeeper's "use txnlog and committedLog": the log from the learner's zxid up to the
    // history, when it holds all of it within the size limit; else the SNAP.
    const LogDiff older = ReadLogForDiff(config_.txn_log, config_.snapshot_size_factor,
                                         l.last_zxid, history_base_);
    if (older.ok) {
      SendDiff(sid, l.last_zxid, ZabType::kDiff, &older);
    } else {
      SendSnap(sid, older.why_not);
    }
  } else if (plan.how != ZabType::kSnap) {
    // A DIFF only from a zxid of ours at or below the commit point.
    ZK_ASSERT(plan.from <= last_committed_ && plan.from >= history_base_);
    ZK_ASSERT(plan.how == ZabType::kTrunc || plan.from == l.last_zxid);
    SendDiff(sid, plan.from, plan.how);
  } else {
    SendSnap(sid, {});
  }
  // With it, what `srvr` shows here now: ZooKeeper's learner takes it from its DIFF / SNAP.
  // The leader's config goes with it (ZooKeeper's NEWLEADER carries its QuorumVerifier): a
  // learner that logged a reconfig and missed its COMMITANDACTIVATE takes the membership here.
  // With the config node's mtime, so the learner's /zookeeper/config ends up the same as ours.
  std::string config;
  const Node* node = core_.tree().Find(kConfigPath);
  if (core_.config().reconfig_enabled && node != nullptr) {
    config = EncodeLongThen(node->stat.mtime, established_config_.empty() ? active_config_text_
                                                                          : established_config_);
  }
  SendZab(sid, ZabType::kNewLeader, MakeZxid(new_epoch_, 0),
          EncodeLongThen(last_processed_zxid(), config));
  l.forwarding = true;
}

}  // namespace zk
