// Replica, dynamic reconfiguration (ZooKeeper 3.5+): a reconfig is proposed and committed like
// any txn (core/reconfig.h prepares it), with these differences:
//   - the leader commits it only once a quorum of the old voters AND a quorum of the new
//     voters have acked it (a joiner that is synced as a non-voting follower acks proposals);
//   - the leader sends COMMITANDACTIVATE (INFORMANDACTIVATE to observers) instead of COMMIT,
//     naming the designated leader of the new config (core/handover.h): itself if it stays a
//     voter, else the new voter that acked the most;
//   - at commit — on every member, when it applies the txn — the new membership activates:
//     who votes in elections and in Zab quorums, which learners are observers. The shell
//     rewrites the dynamic config file and learns new members' addresses (Ready's
//     activated_config).
// Hand-over, as ZooKeeper's (QuorumPeer.processReconfig / updateServerState): a leader that
// named another stops committing; each learner, one tick after it applied the reconfig (its
// ACKs and answers go out first), closes its connection and goes straight to FOLLOWING (or
// OBSERVING) the designated leader — or LEADING, if it is the one — with no election; the
// Election decides "by reconfig" and answers LOOKING peers with it. The old leader waits for
// the designated leader to close, then follows it too (as an observer when it left the
// voters). The designated leader runs discovery and sync for a new epoch as after any
// election. A member that never gets the COMMITANDACTIVATE loses its leader and elects as
// usual: the others answer it with their decision, and the new leader's NEWLEADER carries the
// config it may have missed.
// A member the new config leaves out stays on as a non-voting learner (locally an observer)
// until it is stopped. A follower whose role changes (participant <-> observer) under the same
// leader leaves its role and rejoins in the new one through an election, as ZooKeeper's.
#include "core/handover.h"
#include "core/invariant.h"
#include "core/quorum_config.h"
#include "core/replica.h"
#include "proto/jute.h"

namespace zk {

namespace {

// The membership as this server must see it: itself included, as an observer if the config
// left it out (it keeps learning from the leader without a vote).
Membership LocalMembership(const QuorumConfig& qc, int64_t my_id) {
  std::set<int64_t> observers = qc.Observers();
  if (qc.Find(my_id) == nullptr) observers.insert(my_id);
  return Membership(qc.Voters(), observers);
}

}  // namespace

std::optional<Membership> Replica::ReconfigTarget(const std::string& txn) const {
  JuteReader r(txn);
  TxnHeader h;
  if (!h.Read(r) || h.type != ToInt(OpCode::kReconfig)) return std::nullopt;
  Txn t;
  QuorumConfig qc;
  if (!Txn::Decode(txn, &t) || !ParseQuorumConfig(t.op.data, &qc).empty()) return std::nullopt;
  return Membership(qc.Voters(), qc.Observers());
}

void Replica::ActivateConfig(const std::string& text) {
  QuorumConfig qc;
  if (!ParseQuorumConfig(text, &qc).empty() || qc.Voters().empty()) return;
  const bool was_voter = config_.membership.IsVoter(config_.my_id);
  if (state_ != PeerState::kLooking && !role_voter_) role_voter_ = was_voter;
  active_config_text_ = text;
  active_config_version_ = qc.version;
  config_.membership = LocalMembership(qc, config_.my_id);
  election_.SetMembership(config_.membership);
  ready_.activated_config = text;
  Event("reconfig");
  const bool voter = config_.membership.IsVoter(config_.my_id);
  // A role change waits for the next tick: what this Ready holds — the COMMIT of the reconfig
  // to the learners, the answers to clients — goes out first (leaving the role now would drop
  // the messages to the learners and close the clients before their answers).
  if (state_ == PeerState::kLeading && !voter) {
    // Handing over (MaybeCommit named another): it waits for the designated leader to close.
    if (handover_to_ == 0) role_change_ = "removed_from_config";
  } else if (state_ != PeerState::kLeading && voter != was_voter) {
    role_change_ = "role_changed_by_reconfig";
  } else if (state_ == PeerState::kLeading) {
    // A learner's role may have changed: an ACK counts by the new voters from now on.
    for (auto& [sid, l] : learners_) l.observer = config_.membership.IsObserver(sid);
    if (serving_ && !HasQuorumOfSynced()) LeaveRole("quorum_lost");
  }
}

int64_t Replica::CommitAndActivate(int64_t zxid, const std::set<int64_t>& ackers,
                                   const std::string& txn) {
  std::vector<std::set<int64_t>> later;
  for (auto it = acks_.upper_bound(zxid); it != acks_.end(); ++it) later.push_back(it->second);
  const Membership& next = reconfig_next_.at(zxid);
  int64_t designated = DesignatedLeader(config_.my_id, next, ackers, later);
  const int64_t named = designated != 0 ? designated : config_.my_id;
  std::string config;
  Txn t;
  if (Txn::Decode(txn, &t)) config = t.op.data;
  for (const auto& [sid, l] : learners_) {
    if (!l.forwarding) continue;
    if (l.observer) {
      SendZab(sid, ZabType::kInformAndActivate, zxid, EncodeLongThen(named, txn));
    } else {
      SendZab(sid, ZabType::kCommitAndActivate, zxid, EncodeLongThen(named, config));
    }
  }
  return designated;
}

void Replica::LearnCommitAndActivate(const ZabPacket& p) {
  bool ok = false;
  std::string_view rest;
  const int64_t designated = DecodeLongThen(p.data, &ok, &rest);
  if (!ok) return;
  if (p.type == ZabType::kInformAndActivate) {
    LearnProposal(ZabPacket{ZabType::kInform, p.zxid, std::string(rest)});
  } else {
    LearnerApply(p.zxid);
  }
  // Only once the reconfig is applied here (so the designated leader is one of our voters).
  if (designated == leader_ || !config_.membership.IsVoter(designated)) return;
  if (active_config_version_ != p.zxid) return;
  handover_to_ = designated;
  handover_zxid_ = p.zxid;
  role_change_ = "handed_over";
}

void Replica::AdoptLeaderConfig(std::string_view text, int64_t mtime) {
  if (!core_.config().reconfig_enabled || text.empty() || text == active_config_text_) return;
  QuorumConfig qc;
  if (!ParseQuorumConfig(text, &qc).empty() || qc.Voters().empty()) return;
  // Only a newer config (ZooKeeper compares versions too), and only one that names us: a
  // server about to join keeps its own config until the reconfig that adds it commits.
  if (qc.version <= active_config_version_ || qc.Find(config_.my_id) == nullptr) return;
  core_.SetActiveConfig(std::string(text), qc.version, mtime);
  ActivateConfig(std::string(text));
}

void Replica::ElectOrHandOver() {
  if (handover_to_ != 0 && !storage_failed_ && truncate_to_ < 0 &&
      config_.membership.IsVoter(handover_to_)) {
    HandOver();
  } else {
    StartElection();
  }
}

void Replica::HandOver() {
  const int64_t to = handover_to_;
  handover_to_ = 0;
  EnterLooking();
  election_.DecideByReconfig(to, handover_zxid_, durable_.current_epoch);
  OnDecision(*election_.decision());
}

void Replica::MaybeActivate() {
  if (std::string text = core_.TakeActivatedConfig(); !text.empty()) ActivateConfig(text);
}

void Replica::UpdateSyncedMembers() {
  std::set<int64_t> synced = {config_.my_id};
  for (const auto& [sid, l] : learners_) {
    if (l.uptodate) synced.insert(sid);
  }
  core_.SetSyncedMembers(std::move(synced));
}

}  // namespace zk
