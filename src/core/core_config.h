// CoreConfig: the settings of one server's request path (Core), and its role in it. A value
// type, filled by the shell from zoo.cfg (server/config.h: CoreConfigFor) and read by the
// request path and the write checks (core/prepare.h). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace zk {

// Where this server stands in the request path.
//   kStandalone / kLeader: prepares txns (local and forwarded requests), applies on Commit.
//   kLearner: forwards writes and syncs to the leader (kForward outputs), serves reads locally,
//             applies what the leader committed (ApplyCommitted), expires no sessions.
//   kReadOnly: an ensemble member cut off from its quorum (readonlymode.enabled). Serves reads
//             from its own tree; refuses writes with NOTREADONLY (ZooKeeper's
//             ReadOnlyRequestProcessor); its sessions are local: never logged, never sent to a
//             leader, gone when the role ends. Sessions the quorum owns cannot re-attach.
enum class CoreRole { kStandalone, kLeader, kLearner, kReadOnly };

struct CoreConfig {
  int64_t server_id = 0;   // myid; 0 in standalone
  int32_t tick_ms = 2000;  // tickTime
  int32_t min_session_timeout_ms = 4000;
  int32_t max_session_timeout_ms = 40000;
  bool extended_types_enabled = false;  // TTL nodes
  std::string super_digest;             // "super:<base64 sha1>", empty = none
  bool sasl_scheme = false;             // SASLAuthenticationProvider registered: `sasl` ACLs
  int64_t container_check_ticks = 30;   // how often containers / TTLs are checked
  size_t watches_max = 1'000'000;       // named limit on registered watches
  size_t sessions_max = 100'000;
  std::string config_text;        // contents of /zookeeper/config
  int64_t config_version = 0;     // its version (the mzxid of /zookeeper/config)
  bool reconfig_enabled = false;  // reconfigEnabled: the reconfig op (core/reconfig.h)
  bool standalone_enabled = true;  // standaloneEnabled: a reconfig must leave 2 voters
  bool skip_acl = false;           // skipACL=yes: no ACL checks for reconfig
  int64_t config_written_ms = 0;  // its mtime: wall-clock time the shell started the member
  // Apply each prepared txn immediately (nothing to persist). When false, every txn is emitted
  // as a kPersist output and applied only when the shell calls Commit(zxid) after syncing it.
  bool apply_on_submit = true;
  size_t in_flight_max = 100'000;  // prepared-but-unapplied requests
  CoreRole role = CoreRole::kStandalone;
};

}  // namespace zk
