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

namespace zk {

// One `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`.
struct PeerAddress {
  int64_t id = 0;
  std::string host;
  int quorum_port = 0;
  int election_port = 0;
  bool observer = false;
  std::string client_host;  // empty when the line has no client part
  int client_port = 0;      // 0 when the line has no client part
};

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
  std::vector<PeerAddress> servers;
  bool observer = false;  // peerType=observer
  bool standalone_enabled = true;
  bool reconfig_enabled = false;
  int election_alg = 3;
  bool force_sync = true;
  int64_t snap_count = 100000;
  // zookeeper.commitLogCount: committed txns a member keeps in memory to DIFF a learner
  // (ReplicaConfig::history_max). ZooKeeper keeps 500; zkd 10,000 unless told.
  int64_t commit_log_count = 10000;
  int64_t prealloc_kb = 65536;
  // readonlymode.enabled (Apache reads it only as a system property): an ensemble member cut
  // off from its quorum serves read-only clients from its own tree. No effect standalone.
  bool read_only_mode = false;

  // zkd's own: how often container and TTL nodes are checked.
  int64_t container_check_interval_ms = 60000;

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
