// ClusterSpec: what a cluster is made of (size, observers, engine, ports, ticks, directory),
// loaded from cluster-configs/*.ini and overridden by command-line flags. Pure data plus the
// rules that check it; no processes, no sockets. Errors are one line naming file, line and key.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace pc {

enum class Engine { kZkd, kApache };

const char* EngineName(Engine engine);
std::optional<Engine> ParseEngine(const std::string& text);

// How `up` starts the members (the tutorials start them by hand, one at a time, and the order
// decides the first leader).
enum class StartOrder {
  kAll,       // every member at once (the default)
  kNone,      // `up --no-start`: lay out and supervise; `start 1`, `start 2` ... by hand
  kOneByOne,  // `up --one-by-one`: in myid order, each once the one before it is up
};

const char* StartOrderName(StartOrder order);  // "all", "none", "one-by-one"
std::optional<StartOrder> ParseStartOrder(const std::string& text);

// "50ms", "1.5s", "200" (ms) → milliseconds; nullopt if it does not parse or is over an hour.
// (`up --gap`, `start_gap`, and the link commands' delays.)
std::optional<int> ParseDurationMs(const std::string& text);

// `up --tls`: member i's secureClientPort is its client port + this (2181 -> 2281, the port
// ZooKeeper's own documentation uses).
inline constexpr int kSecurePortShift = 100;

// What a member is in the ensemble's configuration. `add` and `remove` (reconfig) change it.
enum class MemberKind { kParticipant, kObserver, kRemoved };

struct BasePorts {
  int client = 2181;
  int quorum = 2881;
  int election = 3881;
};

struct ClusterSpec {
  std::string name = "default";
  int voters = 3;     // participants; node ids 1..voters
  int observers = 0;  // node ids voters+1 .. voters+observers
  Engine engine = Engine::kZkd;
  BasePorts base;
  int tick_time_ms = 2000;
  int init_limit = 10;
  int sync_limit = 5;
  std::string dir;             // cluster directory; empty = default under the state root
  std::string zookeeper_home;  // Apache engine: where the jars are; empty = search
  // Apache engine's JVM: "tuned" (small heap, serial GC, C1 only: quick start and a small
  // footprint for several JVMs on one laptop) or "stock" (Java's defaults, as zkServer.sh
  // starts it; what benchmarks compare against).
  std::string apache_jvm = "tuned";
  // `up --faults`: every peer link passes through the supervisor (link_layer.h), so the fault
  // commands can cut, delay or throttle it. Off by default: the zoo.cfg files are then exactly
  // the tutorials' and benchmarks measure direct links.
  bool proxied_links = false;
  // `up --read-only-mode`: ZooKeeper's readonlymode.enabled on every member.
  bool read_only_mode = false;
  // `up --tls`: every member also serves TLS clients on secureClientPort (client port +
  // kSecurePortShift), with certificates made in <cluster dir>/tls (tls_certs.h).
  bool tls = false;
  // maxClientCnxns in every zoo.cfg (sessions per client address; 0: no limit); -1 leaves it
  // out, and ZooKeeper's default of 60 applies. The bench sets it to fit its sessions.
  int max_client_cnxns = -1;
  StartOrder start = StartOrder::kAll;
  int start_gap_ms = 1000;  // one-by-one: the pause between one member being up and the next
  // `up --reconfig`: reconfigEnabled=true, the server lines in a dynamic config file
  // (zoo.cfg.dynamic.<version>) and a super digest whose password is kept in the cluster
  // directory (super_password.h), so that `add` and `remove` can reconfigure the ensemble.
  bool reconfig = false;

  // `voters` and `observers` are the shape at `up`: ids 1..voters vote, the next `observers`
  // observe. `add` appends ids after them (`added` of them); `reshaped` records every id whose
  // kind differs from that shape (added members, removed ones, promoted observers). Ids are never
  // reused: a removed member keeps its directory and its ports.
  int added = 0;
  std::map<int, MemberKind> reshaped;

  int nodes() const { return voters + observers + added; }  // the highest id
  MemberKind kind(int id) const {
    auto it = reshaped.find(id);
    if (it != reshaped.end()) return it->second;
    return id > voters ? MemberKind::kObserver : MemberKind::kParticipant;
  }
  bool is_observer(int id) const { return kind(id) == MemberKind::kObserver; }
  bool is_voter(int id) const { return kind(id) == MemberKind::kParticipant; }
  bool is_member(int id) const { return kind(id) != MemberKind::kRemoved; }
  int voter_count() const {
    int n = 0;
    for (int id = 1; id <= nodes(); ++id) n += is_voter(id) ? 1 : 0;
    return n;
  }
  int observer_count() const {
    int n = 0;
    for (int id = 1; id <= nodes(); ++id) n += is_observer(id) ? 1 : 0;
    return n;
  }
};

// Result of parsing or checking: empty error means OK.
struct SpecResult {
  std::string error;
  bool ok() const { return error.empty(); }
};

// Reads an ini file into `spec` (fields it names only). Format:
//   [cluster]
//   name = three
//   size = 3
//   observers = 0
//   engine = zkd | apache
//   base_ports = 2181,2881,3881
//   tick_time = 2000
//   init_limit = 10
//   sync_limit = 5
//   dir = ./clusters/three
//   zookeeper_home = /opt/zookeeper
//   apache_jvm = tuned | stock
//   faults = true | false
//   read_only_mode = true | false
//   tls = true | false
//   start = all | none | one-by-one
//   start_gap = 1s
//   reconfig = true | false
SpecResult LoadClusterIni(const std::string& path, ClusterSpec& spec);

// Parses "2181,2881,3881".
std::optional<BasePorts> ParseBasePorts(const std::string& text);

// Checks ranges and consistency (ports in range, no overlap between the three port ranges).
SpecResult CheckSpec(const ClusterSpec& spec);

}  // namespace pc

#include <nlohmann/json_fwd.hpp>

namespace pc {

// cluster.json in the cluster directory records the spec a cluster was brought up with.
nlohmann::json SpecToJson(const ClusterSpec& spec);
ClusterSpec SpecFromJson(const nlohmann::json& j);

}  // namespace pc
