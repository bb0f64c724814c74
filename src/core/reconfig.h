// Reconfig: the checks of ZooKeeper's reconfig request (PrepRequestProcessor, 3.8), in its
// order, and the txn it becomes: a SetData of /zookeeper/config with the new membership text,
// logged under the reconfig op code, whose version is the txn's zxid. Pure.
//
//   reconfigEnabled=false                         RECONFIGDISABLED
//   not an ensemble leader (standalone)           UNIMPLEMENTED
//   a reconfig proposed and not yet committed     RECONFIGINPROGRESS
//   curConfigId not -1 and not the last version   BADVERSION
//   a malformed server string or leaving id       BADARGUMENTS
//   fewer than 2 voters left (1 without
//     standaloneEnabled)                          BADARGUMENTS
//   the new voters' synced members (the leader
//     and its synced followers) are no quorum     NEWCONFIGNOQUORUM
//   no WRITE on /zookeeper/config (only the super
//     user has it; skipACL=yes lets anyone)       NOAUTH
// On an error nothing is recorded in the pending view.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/core_config.h"
#include "core/pending.h"
#include "core/quorum_config.h"
#include "proto/records.h"
#include "tree/data_tree.h"
#include "tree/txn.h"

namespace zk {

inline constexpr const char* kConfigPath = "/zookeeper/config";

struct ReconfigContext {
  const CoreConfig& config;
  const DataTree& tree;  // committed: its /zookeeper/config is the current membership
  PendingView& view;
  const std::vector<Id>& auth;
  int64_t zxid;                     // the reconfig's zxid: the new config's version
  const std::set<int64_t>& synced;  // leader: itself and its synced followers
};

// The membership a reconfig request asks for, from `current` (incremental joining / leaving,
// or newMembers replacing it all). Err::kBadArguments with *why set when malformed.
Err NextQuorumConfig(const QuorumConfig& current, const ReconfigRequest& req, QuorumConfig* next,
                     std::string* why);

// Checks `req` and fills *out with the txn op (kSetData of /zookeeper/config, version -1).
Err PrepareReconfig(const ReconfigContext& c, const ReconfigRequest& req, TxnOp* out);

}  // namespace zk
