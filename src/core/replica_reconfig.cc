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
// the designated leader to close, then follows it too (a non-voting follower when the
// reconfig removed it, an observer when it made it one). The designated leader runs discovery
// and sync for a new epoch as after any election. A member that never gets the
// COMMITANDACTIVATE loses its leader and elects as usual: the others answer it with their
// decision, and the new leader's NEWLEADER carries the config it may have missed.
// Learner type, as ZooKeeper's QuorumPeer.updateLearnerType: a member the config names as an
// observer observes; every other one is a participant — a voter when the config names it so,
// otherwise (a joiner before the reconfig that adds it, a member a reconfig removed) a
// NON-VOTING FOLLOWER: it follows, gets PROPOSALs and ACKs them, but neither its vote nor its
// ACK counts for a quorum of the config in force (Membership counts voters only); the leader
// counts its ACK only for the new voters of a reconfig that adds it. It stays so until it is
// stopped or a reconfig names it. A joiner that adopted a newer config from the votes (one
// laid out with zoo.cfg.dynamic.0; the ensemble's is versioned) follows, as in ZooKeeper, even if
// its own file listed it as an observer. A learner whose type changes (participant <->
// observer) leaves its role and rejoins in the new one through an election, as ZooKeeper's;
// a follower that only gains or loses its vote stays where it is (ZooKeeper's roleChange is
// false then too): the leader counts its ACKs by the new voters from the commit on.
// A removed member is handled the same ZooKeeper way (its docs: it "becomes a non-voting
// follower"), where zkd used to make it a local observer.
#include "core/handover.h"
#include "core/invariant.h"
#include "core/quorum_config.h"
#include "core/replica.h"
#include "proto/jute.h"
#include "proto/zxid.h"

namespace zk {

namespace {

// The membership as this server must see it: the config's own. When the config leaves this
// server out it is a non-voting follower (see above), not an observer: ZooKeeper's
// updateLearnerType makes a server "not in the view" a PARTICIPANT.
Membership LocalMembership(const QuorumConfig& qc) {
  return Membership(qc.Voters(), qc.Observers());
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
  active_config_text_ = text;
  active_config_version_ = qc.version;
  config_.membership = LocalMembership(qc);
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
  } else if (state_ == PeerState::kLooking && voter != was_voter) {
    // The election restarts by the new voters.
    role_change_ = "role_changed_by_reconfig";
  } else if ((state_ == PeerState::kFollowing || state_ == PeerState::kObserving) &&
             LearnerTypeChanged()) {
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
  if (!core_.config().reconfig_enabled || text.empty()) return;
  if (text == active_config_text_) {
    // The same config, but the node may be older or carry other stats: a config versioned by
    // a leader (VersionInitialConfig) has no txn that sets the node, and one learned from a
    // vote (LearnConfigFromVote) only takes effect. Take the leader's, so the trees agree. Not
    // when the node holds a newer config of this member's history (a reconfig its sync stream
    // brought), which UPTODATE activates.
    std::optional<QuorumConfig> in_node = NodeConfig();
    if (in_node && in_node->version <= active_config_version_) {
      core_.SetActiveConfig(std::string(text), active_config_version_, mtime);
    }
    return;
  }
  QuorumConfig qc;
  if (!ParseQuorumConfig(text, &qc).empty() || qc.Voters().empty()) return;
  // Only a newer config (ZooKeeper compares versions too), and only one that names us: a
  // server about to join keeps its own config until the reconfig that adds it commits.
  if (qc.version <= active_config_version_ || qc.Find(config_.my_id) == nullptr) return;
  QuorumConfig active;
  if (qc.version == MakeZxid(new_epoch_, 0) && active_config_version_ == 0 &&
      ParseQuorumConfig(active_config_text_, &active).empty() &&
      active.FileText() == qc.FileText()) {
    // Our config, versioned by this leader (VersionInitialConfig): taken at UPTODATE.
    established_config_ = std::string(text);
    established_mtime_ = mtime;
    return;
  }
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
