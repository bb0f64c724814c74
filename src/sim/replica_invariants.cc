#include "sim/replica_invariants.h"

#include "core/quorum_config.h"
#include "proto/zxid.h"

namespace zk::sim {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

const ReplicaMember* AsReplica(const Simulator& sim, int64_t sid) {
  return dynamic_cast<const ReplicaMember*>(sim.member(sid));
}

// The serving leader (the first in id order), if any.
const ReplicaMember* ServingLeader(const Simulator& sim) {
  for (const auto& [sid, v] : sim.views()) {
    const ReplicaMember* m = AsReplica(sim, sid);
    if (m && m->replica().state() == PeerState::kLeading && m->replica().serving()) return m;
  }
  return nullptr;
}

bool Reconfigurable(const ReplicaMember& m) { return m.replica().core().config().reconfig_enabled; }

}  // namespace

void ZabChecker::Install(Simulator& sim) {
  sim.AddInvariant("zab", [this](const Simulator& s) { return Check(s); });
}

std::string ZabChecker::CheckAck(const ReplicaMember& m, const AckedWrite& a) const {
  const Node* n = m.replica().core().tree().Find(a.path);
  if (n && n->data == a.data && n->stat.czxid == a.zxid) return {};
  return "acknowledged write " + a.path + " ('" + a.data + "', zxid " + ZxidHex(a.zxid) +
         ", acked by " + S(a.member) + ") is " + (n ? "different" : "missing") + " on member " +
         S(m.sid()) + " (applied " + ZxidHex(m.replica().core().last_zxid()) + ")";
}

std::string ZabChecker::CheckAcks(const ReplicaMember& m, int64_t after, int64_t upto) const {
  const std::vector<AckedWrite>& acked = clients_->acked();
  for (auto it = acked_by_zxid_.upper_bound(after); it != acked_by_zxid_.end() && it->first <= upto;
       ++it) {
    if (std::string e = CheckAck(m, acked[it->second]); !e.empty()) return e;
  }
  return {};
}

std::string ZabChecker::CheckHistory(const ReplicaMember& m, Seen& s) {
  // One history means one successor and one predecessor per zxid, and one txn per zxid. (A
  // member that started from a snapshot knows its history only from the snapshot's zxid on;
  // that zxid is still a point of the history, so the links from it are checked too.)
  const int64_t last = m.replica().core().last_zxid();
  const std::map<int64_t, uint64_t>& txns = m.txns();
  int64_t prev = s.applied;
  for (auto it = txns.upper_bound(prev); it != txns.end() && it->first <= last; ++it) {
    const int64_t z = it->first;
    auto [entry, inserted] = ledger_.emplace(z, LedgerEntry{it->second, prev});
    if (inserted) {
      ++stats_.ledger_txns;
    } else {
      if (entry->second.hash != it->second) {
        return "member " + S(m.sid()) + " applied other bytes at " + ZxidHex(z) +
               " than the committed history";
      }
      if (entry->second.prev != prev) {
        return "member " + S(m.sid()) + " applied " + ZxidHex(z) + " right after " + ZxidHex(prev) +
               ", but in the committed history it follows " + ZxidHex(entry->second.prev);
      }
    }
    auto [next, fresh] = next_.emplace(prev, z);
    if (!fresh && next->second != z) {
      return "member " + S(m.sid()) + " applied " + ZxidHex(z) + " right after " + ZxidHex(prev) +
             ", but in the committed history " + ZxidHex(next->second) + " follows it";
    }
    prev = z;
  }
  if (prev < last) {
    // Applied without a txn we know of: only a snapshot may do that.
    if (last != m.history_base()) {
      return "member " + S(m.sid()) + " applied up to " + ZxidHex(last) +
             " but logged only up to " + ZxidHex(prev);
    }
    prev = last;
  }
  s.applied = prev;
  return {};
}

std::string ZabChecker::Check(const Simulator& sim) {
  if (!clients_->failure().empty()) return clients_->failure();
  // Index new acknowledged writes; check each at once on the members already past it.
  const std::vector<AckedWrite>& acked = clients_->acked();
  for (; acks_indexed_ < acked.size(); ++acks_indexed_) {
    const AckedWrite& a = acked[acks_indexed_];
    auto [it, inserted] = acked_by_zxid_.emplace(a.zxid, acks_indexed_);
    if (!inserted) {
      const AckedWrite& other = acked[it->second];
      if (other.path != a.path || other.data != a.data) {
        return "two acknowledged writes with zxid " + ZxidHex(a.zxid) + ": " + other.path +
               " and " + a.path;
      }
    }
    for (const auto& [sid, v] : sim.views()) {
      const ReplicaMember* m = AsReplica(sim, sid);
      if (!m || !v.serving || m->replica().core().last_zxid() < a.zxid) continue;
      ++stats_.ack_checks;
      if (std::string e = CheckAck(*m, a); !e.empty()) return e;
    }
  }
  for (const auto& [sid, v] : sim.views()) {
    const ReplicaMember* m = AsReplica(sim, sid);
    if (!m) continue;
    if (!m->failure().empty()) return m->failure();
    if (v.state == PeerState::kLeading && v.serving) {
      auto [it, inserted] = leader_of_epoch_.emplace(v.peer_epoch, sid);
      if (inserted) ++stats_.epochs_served;
      if (it->second != sid) {
        return "members " + S(it->second) + " and " + S(sid) + " both served as leader in epoch " +
               S(v.peer_epoch);
      }
    }
    Seen& s = seen_[sid];
    if (s.boot != m->boot() || s.generation != m->history_generation()) {
      s = Seen{m->boot(), m->history_generation(), false, m->history_base()};
    }
    if (!v.serving) {
      s.serving = false;
      continue;
    }
    if (std::string e = CheckNotAheadOfLeader(sim, sid, *m); !e.empty()) return e;
    const int64_t before = s.serving ? s.applied : 0;
    if (std::string e = CheckHistory(*m, s); !e.empty()) return e;
    s.serving = true;
    ++stats_.ack_checks;
    if (std::string e = CheckAcks(*m, before, s.applied); !e.empty()) return e;
  }
  return {};
}

// ZOOKEEPER-3911: a serving learner shows its clients only what its leader committed (a leader
// applies a txn when it commits it), never a proposal of its sync still waiting for its COMMIT.
std::string ZabChecker::CheckNotAheadOfLeader(const Simulator& sim, int64_t sid,
                                              const ReplicaMember& m) const {
  const Replica& r = m.replica();
  if (r.state() != PeerState::kFollowing && r.state() != PeerState::kObserving) return {};
  const ReplicaMember* l = AsReplica(sim, r.leader());
  if (!l || l->replica().state() != PeerState::kLeading || !l->replica().serving() ||
      l->replica().epoch() != r.epoch()) {
    return {};
  }
  if (r.core().last_zxid() > l->replica().core().last_zxid()) {
    return "learner " + S(sid) + " applied " + ZxidHex(r.core().last_zxid()) +
           ", beyond what its leader " + S(r.leader()) + " committed (" +
           ZxidHex(l->replica().core().last_zxid()) + ")";
  }
  return {};
}

std::string ZabChecker::CheckAllAcked(const Simulator& sim) const {
  const Membership mm = FinalMembership(sim);
  for (const std::set<int64_t>* group : {&mm.voters(), &mm.observers()}) {
    for (int64_t sid : *group) {
      const ReplicaMember* m = AsReplica(sim, sid);
      if (!m) return "member " + S(sid) + " is down";
      for (const AckedWrite& a : clients_->acked()) {
        if (std::string e = CheckAck(*m, a); !e.empty()) return e;
      }
    }
  }
  return {};
}

Membership FinalMembership(const Simulator& sim) {
  const ReplicaMember* l = ServingLeader(sim);
  if (l && Reconfigurable(*l)) return l->replica().config().membership;
  return sim.membership();
}

std::string SameConfig(const Simulator& sim) {
  const ReplicaMember* l = ServingLeader(sim);
  if (!l) return "no serving leader";
  if (!Reconfigurable(*l)) return {};
  const Replica& lr = l->replica();
  const Membership& mm = lr.config().membership;
  for (const std::set<int64_t>* group : {&mm.voters(), &mm.observers()}) {
    for (int64_t sid : *group) {
      const ReplicaMember* m = AsReplica(sim, sid);
      if (!m) continue;  // down: ZabSettled says so
      const Replica& r = m->replica();
      if (r.active_config_version() != lr.active_config_version() ||
          r.active_config_text() != lr.active_config_text()) {
        return "member " + S(sid) + " has config version " +
               HexVersion(r.active_config_version()) + " in force, leader " + S(l->sid()) +
               " version " + HexVersion(lr.active_config_version()) +
               (r.active_config_version() == lr.active_config_version() ? " (other text)" : "");
      }
      QuorumConfig file;
      if (!ParseQuorumConfig(sim.disk(sid).config_text, &file).empty() ||
          file.version != r.active_config_version()) {
        return "member " + S(sid) + "'s dynamic config file has version " +
               HexVersion(file.version) + ", not " + HexVersion(r.active_config_version()) +
               " that it has in force";
      }
    }
  }
  return {};
}

std::string ZabSettled(const Simulator& sim) {
  const Membership mm = FinalMembership(sim);
  int64_t leader = -1;
  for (int64_t sid : mm.voters()) {
    const ReplicaMember* m = AsReplica(sim, sid);
    if (!m) return S(sid) + " is down";
    if (m->replica().state() == PeerState::kLeading && m->replica().serving()) {
      if (leader != -1) return "two serving leaders: " + S(leader) + " and " + S(sid);
      leader = sid;
    }
  }
  if (leader == -1) return "no serving leader";
  const Replica& l = AsReplica(sim, leader)->replica();
  const int64_t zxid = l.core().last_zxid();
  const uint64_t digest = TreeDigest(l.core().tree());
  for (const std::set<int64_t>* group : {&mm.voters(), &mm.observers()}) {
    for (int64_t sid : *group) {
      if (sid == leader) continue;
      const ReplicaMember* m = AsReplica(sim, sid);
      if (!m) return S(sid) + " is down";
      const Replica& r = m->replica();
      PeerState want = mm.IsVoter(sid) ? PeerState::kFollowing : PeerState::kObserving;
      if (r.state() != want || r.leader() != leader || !r.serving() || r.epoch() != l.epoch()) {
        return S(sid) + " is " + PeerStateName(r.state()) + " " + S(r.leader()) +
               (r.serving() ? " serving" : " not serving") + " epoch " + S(r.epoch()) + ", not " +
               PeerStateName(want) + " " + S(leader) + " serving epoch " + S(l.epoch());
      }
      if (r.core().last_zxid() != zxid) {
        return S(sid) + " applied " + ZxidHex(r.core().last_zxid()) + ", leader " + ZxidHex(zxid);
      }
      if (TreeDigest(r.core().tree()) != digest) {
        return S(sid) + " has another tree digest than leader " + S(leader) + " at " +
               ZxidHex(zxid);
      }
    }
  }
  return SameConfig(sim);
}

}  // namespace zk::sim
