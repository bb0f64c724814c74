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
#include "proto/zxid.h"

namespace zk {

std::optional<QuorumConfig> Replica::NodeConfig() const {
  if (!core_.config().reconfig_enabled) return std::nullopt;
  const Node* n = core_.tree().Find(kConfigPath);
  QuorumConfig qc;
  if (n == nullptr || !ParseQuorumConfig(n->data, &qc).empty()) return std::nullopt;
  return qc;
}

std::optional<QuorumConfig> Replica::HistoryConfig() const {
  std::optional<QuorumConfig> qc = NodeConfig();
  if (!qc || qc->Voters().empty() || qc->version <= active_config_version_) return std::nullopt;
  return qc;
}

void Replica::RefreshConfigNode() {
  // A config that no txn made (one a leader versioned, VersionInitialConfig) is in the config
  // file but not in the snapshot or the log a member recovers from: the node is older than the
  // config in force. Bring it up to that config (ZooKeeper's initConfigInZKDatabase); a leader's
  // NEWLEADER then gives it the leader's stats (AdoptLeaderConfig).
  std::optional<QuorumConfig> qc = NodeConfig();
  if (qc && qc->version < active_config_version_) {
    core_.SetActiveConfig(active_config_text_, active_config_version_, -1);
  }
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

// The first config of an ensemble has version 0 (a config file without one). Once a leader
// is established it gets a version, the zxid of that leader's NEWLEADER, so that it takes
// precedence over any other version-0 config: a server about to join starts with its own view,
// which may name only part of the ensemble (ZooKeeper's ZOOKEEPER-1783). The leader sends the
// versioned config with NEWLEADER; learners take it at UPTODATE (AdoptLeaderConfig keeps it),
// the leader once a quorum acked it. Only with reconfig: a static config stays version 0, as
// ZooKeeper's does.
void Replica::VersionInitialConfig() {
  established_config_.clear();
  RefreshConfigNode();  // its learners take its node's config and stats (a TRUNC may have rebuilt it)
  if (!core_.config().reconfig_enabled || active_config_version_ != 0 || HistoryConfig()) return;
  QuorumConfig qc;
  if (!ParseQuorumConfig(active_config_text_, &qc).empty() || qc.Voters().empty()) return;
  qc.version = MakeZxid(new_epoch_, 0);
  established_config_ = qc.Text();
  const Node* node = core_.tree().Find(kConfigPath);
  established_mtime_ = node != nullptr ? node->stat.mtime : -1;  // what NEWLEADER carries
}

void Replica::TakeEstablishedConfig() {
  if (established_config_.empty()) return;
  std::string text = std::move(established_config_);
  established_config_.clear();
  core_.SetActiveConfig(text, MakeZxid(new_epoch_, 0), established_mtime_);
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
