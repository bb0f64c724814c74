// Replica, dynamic reconfiguration: the config a member's own history ends in.
//
// A member applies every txn of its log when it starts (and when it leaves a role), reconfigs
// included, but it cannot know whether a reconfig it logged was committed: its leader may have
// crashed before a quorum acked it. So at those moments the config in force stays the config
// file's, while the tree (this member's history) keeps the reconfig's text. The history is known
// committed once a leader has synced it — a learner at UPTODATE, a leader once a quorum acked its
// NEWLEADER — and then that config activates (the shell rewrites the dynamic config file).
// ZooKeeper does the same through the config its leader sends with NEWLEADER, activated at
// UPTODATE, and its new leader's processReconfig of the last config it saw.
//
// This is how a member that crashed between a reconfig's commit and the rewrite of its dynamic
// config file comes back in the new config: its log holds the txn, its file the old config.
#include "core/quorum_config.h"
#include "core/reconfig.h"
#include "core/replica.h"

namespace zk {

std::optional<QuorumConfig> Replica::HistoryConfig() const {
  if (!core_.config().reconfig_enabled) return std::nullopt;
  const Node* n = core_.tree().Find(kConfigPath);
  QuorumConfig qc;
  if (n == nullptr || !ParseQuorumConfig(n->data, &qc).empty() || qc.Voters().empty() ||
      qc.version == active_config_version_) {
    return std::nullopt;
  }
  return qc;
}

bool Replica::ActivationWaits() const {
  // A learner's sync stream comes from a leader that may never establish its epoch (what it
  // sends may be cut by the next leader's TRUNC): a config it carries activates at UPTODATE.
  return (state_ == PeerState::kFollowing || state_ == PeerState::kObserving) &&
         phase_ != Phase::kBroadcast;
}

bool Replica::HistoryConfigHasQuorum(const std::set<int64_t>& acks) const {
  std::optional<QuorumConfig> next = HistoryConfig();
  return !next || Membership(next->Voters(), next->Observers()).IsQuorum(acks);
}

void Replica::ActivateHistoryConfig() {
  std::optional<QuorumConfig> qc = HistoryConfig();
  if (!qc) return;
  const std::string text = core_.tree().Find(kConfigPath)->data;
  core_.SetConfigBase(text, qc->version);
  ActivateConfig(text);
}

// A member that was down while a reconfig committed comes back in the config of its file; the
// voters of that config may not answer it as voters any more (removed ones observe, and
// observers do not answer), so it could wait for a quorum that never comes. Every notification
// carries the sender's config in force (committed: configs activate at commit), and a LOOKING
// member takes a newer one, as ZooKeeper's election does (processReconfig from a notification).
void Replica::LearnConfigFromVote(const std::string& text) {
  if (!core_.config().reconfig_enabled || state_ != PeerState::kLooking) return;
  QuorumConfig qc;
  if (!ParseQuorumConfig(text, &qc).empty() || qc.Voters().empty() ||
      qc.version <= active_config_version_) {
    return;
  }
  ActivateConfig(text);
  // No role to leave while LOOKING: the election starts again in the new membership now (what
  // it had counted, and a finalize wait, were by the old voters).
  role_change_.clear();
  StartElection();
}

}  // namespace zk
