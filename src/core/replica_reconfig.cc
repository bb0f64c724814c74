// Replica, dynamic reconfiguration (ZooKeeper 3.5+): a reconfig is proposed and committed like
// any txn (core/reconfig.h prepares it), with two differences:
//   - the leader commits it only once a quorum of the old voters AND a quorum of the new
//     voters have acked it (a joiner that is synced as a non-voting follower acks proposals);
//   - at commit — on every member, when it applies the txn — the new membership activates:
//     who votes in elections and in Zab quorums, which learners are observers. The shell
//     rewrites the dynamic config file and learns new members' addresses (Ready's
//     activated_config).
// A member the new config leaves out stays on as a non-voting learner (locally an observer)
// until it is stopped. A leader whose new config no longer counts it as a voter steps down into
// an election one tick after the commit (no designated-leader hand-over as ZooKeeper's; the
// remaining voters elect one among themselves, costing one election). A follower whose role
// changes (participant <-> observer) leaves its role the same way and rejoins in the new one.
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
    role_change_ = "removed_from_config";
  } else if (state_ != PeerState::kLeading && voter != was_voter) {
    role_change_ = "role_changed_by_reconfig";
  } else if (state_ == PeerState::kLeading) {
    // A learner's role may have changed: an ACK counts by the new voters from now on.
    for (auto& [sid, l] : learners_) l.observer = config_.membership.IsObserver(sid);
    if (serving_ && !HasQuorumOfSynced()) LeaveRole("quorum_lost");
  }
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
