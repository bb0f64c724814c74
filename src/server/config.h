// ServerConfig: what zkd reads from a standard zoo.cfg (docs/storage.md, zoo.cfg), parsed with
// inih.
//
// ParseConfig reads the file (and dataDir/myid when the file names servers) and returns the
// config or one error line "<file>: <key>=<value>: <what is expected>". Unknown keys are not
// errors: each becomes one line in `warnings` (main logs them). Defaults follow
// ZooKeeper's code, not its sample cfg (tickTime 3000). No logging, no global state.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/core_config.h"
#include "server/tls_config.h"
#include "core/quorum_config.h"

namespace zk {

struct ServerConfig {
  std::string path;  // the zoo.cfg this came from

  int32_t tick_ms = 3000;  // tickTime
  std::string data_dir;
  std::string data_log_dir;  // defaults to data_dir
  int client_port = 0;
  std::string client_port_address;  // empty: all interfaces
  int max_client_cnxns = 60;        // per IP; 0 = unlimited
  int32_t min_session_timeout_ms = 0;  // defaults: 2 x / 20 x tickTime
  int32_t max_session_timeout_ms = 0;
  std::set<std::string> four_letter_whitelist;  // always contains "srvr"
  int64_t jute_max_buffer = 0xfffff;            // packet_bytes_max
  bool extended_types_enabled = false;
  std::string super_digest;  // "super:<base64 sha1>"
  int snap_retain_count = 3;
  int purge_interval_hours = 0;

  // Known for compatibility; only checked for shape until the ensemble work lands.
  int init_limit = 0;
  int sync_limit = 0;
  std::vector<ServerSpec> servers;  // ordered by id once parsed
  // dynamicConfigFile: the server.N lines live there (ZooKeeper 3.5+), and the version is the
  // hex suffix of its name (zoo.cfg.dynamic.<zxid>); it replaces server lines of zoo.cfg.
  std::string dynamic_config_file;
  int64_t config_version = 0;  // 0 for a static zoo.cfg
  bool observer = false;  // peerType=observer
  bool standalone_enabled = true;
  bool reconfig_enabled = false;
  bool skip_acl = false;  // skipACL=yes (zookeeper.skipACL): reconfig without the super user
  int election_alg = 3;
  bool force_sync = true;
  int64_t snap_count = 100000;
  // zookeeper.commitLogCount: committed txns a member keeps in memory to DIFF a learner
  // (ReplicaConfig::history_max). ZooKeeper keeps 500; zkd 10,000 unless told.
  int64_t commit_log_count = 10000;
  // zookeeper.snapshotSizeFactor: a leader DIFFs a learner older than that history from its
  // on-disk log while the log files to read are at most this × the newest snapshot's size
  // (core/txn_log_source.h). Negative: never; above 1: ZooKeeper's default, with a warning.
  double snapshot_size_factor = 0.33;
  int64_t prealloc_kb = 65536;
  // readonlymode.enabled (Apache reads it only as a system property): an ensemble member cut
  // off from its quorum serves read-only clients from its own tree. No effect standalone.
  bool read_only_mode = false;

  // SASL (docs/sasl.md). authProvider.N=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
  // makes `sasl` ACLs valid. The JAAS file with the DIGEST-MD5 users: zkd's own key
  // jaasLoginConfig (ZooKeeper reads it only as -Djava.security.auth.login.config; see
  // server/jaas_file.h for the other places zkd looks). superUser (zookeeper.superUser): the
  // SASL user who also gets the super id.
  bool sasl_auth_provider = false;
  std::string jaas_login_config;  // as written; relative paths are taken from zoo.cfg's directory
  std::string sasl_super_user;

  // zkd's own: how often container and TTL nodes are checked.
  int64_t container_check_interval_ms = 60000;

  TlsSettings tls;  // secureClientPort and ssl.* (server/tls_config.h)

  int64_t server_id = 0;  // from dataDir/myid when servers are named; 0 standalone

  // One line per unknown key (or unknown whitelist word), in file order; main logs them.
  std::vector<std::string> warnings;
};

struct ConfigResult {
  ServerConfig config;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// All four-letter words zkd knows (docs/four-letter-words.md, Words).
const std::set<std::string>& KnownFourLetterWords();

// Reads and validates `path`.
ConfigResult ParseConfig(const std::string& path);
// Same rules over text already in memory; `name` stands for the file in error lines. When
// `read_myid` is false, dataDir/myid is not consulted (tests).
ConfigResult ParseConfigText(const std::string& text, const std::string& name,
                             bool read_myid = false);

// The Core settings a zoo.cfg asks for (shared by standalone and ensemble start-up).
CoreConfig CoreConfigFor(const ServerConfig& config);

}  // namespace zk
