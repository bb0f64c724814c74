#include "sim/replica_member.h"

#include <algorithm>
#include <cassert>

#include "core/peer_wire.h"
#include "core/quorum_config.h"
#include "core/zab_packet.h"
#include "proto/zxid.h"
#include "sim/sim_config.h"

namespace zk::sim {
namespace {

constexpr size_t kSyncsMax = 256;  // sync reports kept per member, for the scenarios

}  // namespace

ReplicaMember::ReplicaMember(int64_t sid, SimDisk* disk, const Membership& membership,
                             ReplicaContext ctx)
    : sid_(sid), disk_(disk), membership_(membership), ctx_(ctx), log_source_(disk) {}

void ReplicaMember::Start() {
  const SimTuning& t = ctx_.tuning;
  boot_ = ++disk_->boots;
  ReplicaConfig rc;
  rc.my_id = sid_;
  rc.membership = membership_;
  rc.tick_ms = t.tick_ms;
  rc.ticks_per_tick_time = t.ticks_per_tick_time;
  rc.init_limit = t.init_limit;
  rc.sync_limit = t.sync_limit;
  rc.history_max = t.history_max;
  rc.snapshot_size_factor = t.snapshot_size_factor;
  rc.txn_log = &log_source_;
  rc.election.finalize_wait_ticks = t.finalize_wait_ticks;
  rc.election.min_notification_ticks = t.min_notification_ticks;
  rc.election.max_notification_ticks = t.max_notification_ticks;
  CoreConfig cc;
  cc.server_id = sid_;
  cc.tick_ms = t.tick_ms * t.ticks_per_tick_time;
  cc.min_session_timeout_ms = t.session_timeout_min_ms;
  cc.max_session_timeout_ms = t.session_timeout_max_ms;
  cc.role = CoreRole::kLearner;
  cc.apply_on_submit = false;
  if (t.reconfig) {
    // The dynamic config file: the last activated config on this disk, else the starting one
    // (a spare's is laid out when it first starts: the ensemble's plus itself).
    QuorumConfig qc;
    if (disk_->config_text.empty()) {
      qc = membership_.IsMember(sid_) ? SimQuorumConfig(membership_)
                                      : JoinerConfig(*ctx_.sim, sid_);
      disk_->config_text = qc.Text();
    } else {
      std::string e = ParseQuorumConfig(disk_->config_text, &qc);
      assert(e.empty());
    }
    cc.reconfig_enabled = cc.skip_acl = true;
    cc.config_text = qc.Text();
    cc.config_version = qc.version;
    rc.membership = LocalMembership(qc);
  }
  const int64_t first_session_id = (sid_ << 56) | (boot_ << 40);
  replica_ = std::make_unique<Replica>(rc, cc, DurableState{}, first_session_id, &codec_);

  // Recovery: snapshot, then the log, into the Replica's Core.
  replica_->Recover([this](Core& core) { Load(core); });
  replica_->SetDurable(DurableState{disk_->accepted_epoch, disk_->current_epoch});
  events_.push_back(SimEvent{
      sid_,
      "boot " + std::to_string(boot_) + " zxid=" + ZxidHex(replica_->core().last_zxid()) +
          " accepted=" + std::to_string(disk_->accepted_epoch) +
          " current=" + std::to_string(disk_->current_epoch) +
          (disk_->has_snapshot ? " snapshot=" + ZxidHex(disk_->snapshot_zxid) : std::string()),
      std::nullopt});
  // The history it can DIFF from, as zkd's recovery hands it over: the log past the snapshot.
  std::deque<std::pair<int64_t, std::string>> recent;
  int64_t base = disk_->has_snapshot ? disk_->snapshot_zxid : 0;
  for (const SimLogEntry& e : disk_->log) {
    if (e.zxid > base) recent.emplace_back(e.zxid, e.txn);
  }
  replica_->Start(std::move(recent), base);
  Pump();
}

void ReplicaMember::Remember(int64_t zxid, const std::string& txn) {
  uint64_t h = Fnv1a(txn);
  auto [it, inserted] = txns_.emplace(zxid, h);
  if (!inserted && it->second != h && failure_.empty()) {
    failure_ = "member " + std::to_string(sid_) + " logged txn " + ZxidHex(zxid) +
               " again with different bytes, without a snapshot in between";
  }
  it->second = h;
}

bool ReplicaMember::AtCrashPoint(CrashPoint p) {
  if (crash_wanted_) return true;
  std::optional<CrashPoint> armed = ctx_.sim ? ctx_.sim->armed_crash(sid_) : std::nullopt;
  if (!armed || *armed != p) return false;
  crash_wanted_ = true;
  events_.push_back(SimEvent{sid_, std::string("at crash point ") + CrashPointName(p), std::nullopt});
  return true;
}

bool ReplicaMember::SendZab(int64_t to, const ZabPacket& p) {
  std::optional<CrashPoint> before, after;
  if (p.type == ZabType::kAck && (p.zxid & 0xffffffff) == 0) {
    before = CrashPoint::kBeforeNewLeaderAck;
    after = CrashPoint::kAfterNewLeaderAck;
  } else if (p.type == ZabType::kAck) {
    before = CrashPoint::kBeforeAck;
    after = CrashPoint::kAfterAck;
  } else if (p.type == ZabType::kAckEpoch) {
    before = CrashPoint::kBeforeAckEpoch;
    after = CrashPoint::kAfterAckEpoch;
  }
  if (before && AtCrashPoint(*before)) return false;
  CheckRecorded(p);
  outbox_.push_back(SimMessage{sid_, to, Channel::kQuorum, EncodeZabPacket(p)});
  return !(after && AtCrashPoint(*after));
}

void ReplicaMember::Step(const SimMessage& m) {
  if (crash_wanted_) return;  // dying
  if (m.channel == Channel::kElection) {
    std::optional<WireNotification> wn = DecodeNotification(m.payload);
    if (!wn || wn->n.sid != m.from) {
      ++malformed_;
      return;
    }
    replica_->StepElection(wn->n, wn->config);
    return;
  }
  std::optional<ZabPacket> p = DecodeZabPacket(m.payload);
  if (!p) {
    ++malformed_;
    return;
  }
  if (ctx_.tuning.trace_zab && p->type != ZabType::kPing) {
    events_.push_back(SimEvent{
        sid_, "<- " + std::to_string(m.from) + " " + ZabTypeName(p->type) + " " + ZxidHex(p->zxid),
        std::nullopt});
  }
  replica_->StepZab(m.from, *p);
}

void ReplicaMember::Tick() {
  if (crash_wanted_) return;
  ++ticks_;
  ProbeStorage();
  replica_->Tick(ctx_.sim->now() * ctx_.tuning.tick_ms);
}

void ReplicaMember::PeerDisconnected(int64_t sid) {
  if (crash_wanted_) return;
  ++disconnects_[sid];
  replica_->PeerDisconnected(sid);
}

void ReplicaMember::Crash() {
  // The unsynced tail of the log: lost, or (the OS wrote some pages) a prefix of it survives.
  size_t keep = disk_->log_synced;
  size_t unsynced = disk_->log.size() - disk_->log_synced;
  if (unsynced > 0 && ctx_.tuning.crash_keeps_some_unsynced && ctx_.prng->Chance(0.5)) {
    keep += static_cast<size_t>(ctx_.prng->Range(0, static_cast<int64_t>(unsynced)));
  }
  disk_->log.resize(keep);
  disk_->log_synced = keep;
  disk_->last_zxid = disk_->log.empty() ? (disk_->has_snapshot ? disk_->snapshot_zxid : 0)
                                        : disk_->log.back().zxid;
  queue_.clear();
  if (ctx_.clients) ctx_.clients->Dropped(sid_);
}

void ReplicaMember::Load(Core& core) {
  if (disk_->has_snapshot) {
    DataTree tree;
    std::map<int64_t, int32_t> sessions;
    bool ok = codec_.Decode(disk_->snapshot, &tree, &sessions);
    assert(ok);
    core.Restore(std::move(tree), sessions, disk_->snapshot_zxid);
    history_base_ = disk_->snapshot_zxid;
  } else {
    core.Restore(DataTree(), {}, 0);
    history_base_ = 0;
  }
  for (const SimLogEntry& e : disk_->log) {
    Remember(e.zxid, e.txn);
    if (e.zxid <= core.last_zxid()) continue;
    Txn txn;
    bool ok = Txn::Decode(e.txn, &txn);
    assert(ok);
    core.ApplyTxn(txn);
  }
}

void ReplicaMember::Truncate(int64_t zxid) {
  if (disk_->has_snapshot && disk_->snapshot_zxid > zxid) {
    // A SNAP installed txns past the cut, and there is no older snapshot: as zkd's storage,
    // cut nothing and hand the state back as it is (the Replica then asks for a SNAP).
    events_.push_back(SimEvent{sid_,
                               "cannot truncate to " + ZxidHex(zxid) + " below snapshot " +
                                   ZxidHex(disk_->snapshot_zxid),
                               std::nullopt});
    replica_->Truncated([](Core&) {});
    return;
  }
  ++truncations_;
  auto cut = std::find_if(disk_->log.begin(), disk_->log.end(),
                          [zxid](const SimLogEntry& e) { return e.zxid > zxid; });
  disk_->log.erase(cut, disk_->log.end());
  disk_->log_synced = std::min(disk_->log_synced, disk_->log.size());
  disk_->last_zxid = disk_->log.empty() ? (disk_->has_snapshot ? disk_->snapshot_zxid : 0)
                                        : disk_->log.back().zxid;
  txns_.erase(txns_.upper_bound(zxid), txns_.end());
  ++history_generation_;  // the applied state goes back: the invariants start over with it
  events_.push_back(SimEvent{sid_, "truncated to " + ZxidHex(zxid), std::nullopt});
  replica_->Truncated([this](Core& core) { Load(core); });
}

std::vector<SimMessage> ReplicaMember::TakeMessages() {
  Pump();
  std::vector<SimMessage> out;
  out.swap(outbox_);
  return out;
}

std::vector<SimEvent> ReplicaMember::TakeEvents() {
  std::vector<SimEvent> out;
  out.swap(events_);
  return out;
}

void ReplicaMember::Pump() {
  for (;;) {
    if (crash_wanted_) return;
    Ready ready = replica_->TakeReady();
    // The election's facts are reports for a supervisor; the simulator has none.
    ready.election_facts.clear();
    ready.election_facts_dropped = 0;
    for (const Ready::SyncReport& r : ready.syncs) {
      syncs_.push_back(r);
      ++sync_counts_[r.how];
      if (syncs_.size() > kSyncsMax) syncs_.pop_front();
    }
    ready.syncs.clear();
    bool took = !ready.empty();
    if (took) {
      Queued q;
      q.serving_after = replica_->serving();
      if (ready.snapshot_zxid) {
        // The state was just replaced (one SNAP per step): it is the snapshot, taken now.
        assert(replica_->core().last_zxid() == *ready.snapshot_zxid);
        q.snapshot = codec_.Encode(replica_->core());
        txns_.clear();
        history_base_ = *ready.snapshot_zxid;
        ++history_generation_;
      }
      for (const Ready::Append& a : ready.log_appends) Remember(a.zxid, a.txn);
      if (SendsAtOnce(ready)) {
        // A leader's messages do not wait for its own fsync (its ACK counts only once
        // Persisted() says so), as ZooKeeper's leader sends a PROPOSAL while logging it.
        for (int64_t to : ready.quorum_disconnects) {
          ++disconnects_[to];
          SimMessage close{sid_, to, Channel::kQuorum, {}};
          close.close = true;
          outbox_.push_back(std::move(close));
        }
        for (const auto& [to, p] : ready.zab_messages) {
          if (!SendZab(to, p)) return;
        }
        ready.quorum_disconnects.clear();
        ready.zab_messages.clear();
      }
      // Closing a connection kills what earlier Readies still hold for it behind a slow sync.
      for (int64_t to : ready.quorum_disconnects) ++disconnects_[to];
      for (const auto& [to, p] : ready.zab_messages) q.connection.push_back(disconnects_[to]);
      q.ready = std::move(ready);
      queue_.push_back(std::move(q));
    }
    bool moved = CarryOut();
    if (!took && !moved) return;
  }
}

bool ReplicaMember::SendsAtOnce(const Ready& ready) const {
  if (replica_->state() != PeerState::kLeading) return false;
  // Epochs and a replaced state reach the disk first; and nothing may overtake what earlier
  // Readies still hold.
  if (ready.accepted_epoch || ready.current_epoch || ready.snapshot_zxid || ready.truncate_zxid) {
    return false;
  }
  for (const Queued& q : queue_) {
    if (!q.ready.zab_messages.empty() || !q.ready.quorum_disconnects.empty()) return false;
  }
  return true;
}

bool ReplicaMember::CarryOut() {
  bool moved = false;
  while (!queue_.empty() && !crash_wanted_) {
    Queued& q = queue_.front();
    Ready& r = q.ready;
    if (!q.on_disk) {
      q.on_disk = true;
      moved = true;
      // 0. the dynamic config file of a reconfig just activated (zkd's shell writes it first).
      if (!r.activated_config.empty()) {
        if (AtCrashPoint(CrashPoint::kBeforeConfigFile)) return true;
        disk_->config_text = r.activated_config;
      }
      if ((r.accepted_epoch || r.current_epoch) && disk_->data_dir_full) FailEpochWrite();
      // 1. epoch files, 2. snapshot (the log goes), 3. log appends (synced below).
      if (r.accepted_epoch) {
        disk_->accepted_epoch = *r.accepted_epoch;
        if (AtCrashPoint(CrashPoint::kAfterAcceptedEpoch)) return true;
      }
      if (r.current_epoch) {
        disk_->current_epoch = *r.current_epoch;
        if (AtCrashPoint(CrashPoint::kAfterCurrentEpoch)) return true;
      }
      if (r.snapshot_zxid) {
        disk_->has_snapshot = true;
        disk_->snapshot_zxid = *r.snapshot_zxid;
        disk_->snapshot = std::move(q.snapshot);
        disk_->log.clear();
        disk_->log_synced = 0;
        disk_->last_zxid = *r.snapshot_zxid;
        if (AtCrashPoint(CrashPoint::kAfterSnapshot)) return true;
      }
      if (r.truncate_zxid) Truncate(*r.truncate_zxid);
      for (const Ready::Append& a : r.log_appends) {
        int64_t last = disk_->log.empty() ? (disk_->has_snapshot ? disk_->snapshot_zxid : 0)
                                          : disk_->log.back().zxid;
        if (a.zxid <= last && failure_.empty()) {
          failure_ = "member " + std::to_string(sid_) + " appends " + ZxidHex(a.zxid) +
                     " to a log that ends at " + ZxidHex(last);
        }
        disk_->log.push_back(SimLogEntry{a.zxid, a.txn});
        disk_->last_zxid = a.zxid;
      }
      if (!r.log_appends.empty()) {
        if (AtCrashPoint(CrashPoint::kAfterLogAppend)) return true;
        q.sync_at_tick = ticks_;
        const SimTuning& t = ctx_.tuning;
        if (t.sync_delay_max_ticks > 0 && ctx_.prng->Chance(t.sync_delay_chance)) {
          q.sync_at_tick += ctx_.prng->Range(1, t.sync_delay_max_ticks);
        }
      }
    }
    if (!r.log_appends.empty()) {
      if (ticks_ < q.sync_at_tick) break;  // the fsync is still running
      disk_->log_synced = disk_->log.size();
      if (AtCrashPoint(CrashPoint::kAfterSync)) return true;
      replica_->Persisted(r.log_appends.back().zxid);
    }
    // 4. messages, 5. client outputs, then events.
    // With reconfig a vote carries the config in force, as zkd's shell sends it.
    const bool reconfig = replica_->core().config().reconfig_enabled;
    const std::string none;
    const std::string& config = reconfig ? replica_->active_config_text() : none;
    for (const OutgoingNotification& o : r.election_messages) {
      outbox_.push_back(
          SimMessage{sid_, o.to, Channel::kElection, EncodeNotification(o.n, config)});
    }
    for (int64_t to : r.quorum_disconnects) {
      SimMessage close{sid_, to, Channel::kQuorum, {}};
      close.close = true;
      outbox_.push_back(std::move(close));
    }
    for (size_t i = 0; i < r.zab_messages.size(); ++i) {
      const auto& [to, p] = r.zab_messages[i];
      if (disconnects_[to] != q.connection[i]) continue;  // its connection is gone
      if (!SendZab(to, p)) return true;
    }
    if (ctx_.clients) {
      for (const Output& o : r.client_outputs) ctx_.clients->Deliver(sid_, o);
    }
    for (const ReplicaEvent& e : r.events) {
      std::string text = std::string(PeerStateName(e.state));
      if (e.state == PeerState::kFollowing || e.state == PeerState::kObserving) {
        text += " " + std::to_string(e.leader);
      }
      if (e.what == "handing_over") text += " handing over to " + std::to_string(e.leader) + ",";
      text += " " + e.what + " epoch " + std::to_string(e.epoch) + " zxid=" + ZxidHex(e.zxid) +
              " (" + std::to_string(e.election_ticks) + " ticks)";
      events_.push_back(SimEvent{sid_, text, std::nullopt});
    }
    bool stopped = was_serving_ && !q.serving_after;
    was_serving_ = q.serving_after;
    queue_.pop_front();
    moved = true;
    if (stopped && ctx_.clients) ctx_.clients->Dropped(sid_);
  }
  return moved;
}

MemberView ReplicaMember::view() const {
  MemberView v;
  if (replica_->core().config().reconfig_enabled) {
    // Until it leaves its role (the tick after the activation) it is what its role says: a
    // leader still votes, an observer observes, a follower about to observe does not vote.
    const PeerState s = replica_->state();
    const Membership& mm = replica_->config().membership;
    if (replica_->role_change_pending()) {
      v.voter = s == PeerState::kLeading;
      v.observer = s == PeerState::kObserving;
    } else {
      v.voter = mm.IsVoter(sid_);
      v.observer = mm.IsObserver(sid_);
    }
  }
  v.state = replica_->state();
  v.leader = v.state == PeerState::kLooking ? 0 : replica_->leader();
  v.peer_epoch = replica_->epoch();
  v.zxid = replica_->last_logged_zxid();
  v.serving = replica_->serving();
  return v;
}

}  // namespace zk::sim
