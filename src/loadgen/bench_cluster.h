// BenchCluster: the ensemble a benchmark runs against, seen through its supervisor: members and
// roles from `status` on the control socket, `kill` / `start` requests, each server's RSS from
// /proc, and — for clusters the bench owns — bringing them up and down by running this very
// binary's `up -d` / `down --clean` in a private $PSEUDO_CLUSTER_HOME with free base ports
// (with `--faults` when the bench is to measure proxied peer links).
// Blocking calls; used from the bench's main thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/four_letter.h"

namespace pc::loadgen {

struct Member {
  int id = 0;
  std::string role;  // leader, follower, observer, looking, ... (the supervisor's words)
  int client_port = 0;
  int pid = 0;
  bool serving = false;
};

struct ClusterView {
  std::string engine;
  int leader = 0;
  bool ready = false;
  int tick_time_ms = 0;
  int voters = 0;
  int observers = 0;
  // How the members reach each other: "direct" (127.0.0.1) or "proxied" (`up --faults`: every
  // peer link through the supervisor). Status "links.mode"; a supervisor without it is direct.
  std::string links = "direct";
  std::vector<Member> members;
};

// A cluster the bench brings up itself.
struct OwnClusterOptions {
  std::string engine = "zkd";
  int voters = 3;
  int observers = 0;
  int tick_time_ms = 2000;
  std::string apache_jvm = "stock";  // Apache engine: Java's defaults, as zkServer.sh starts it
  std::string links = "direct";      // "proxied": `up --faults`, every peer link proxied
  // maxClientCnxns (sessions per client address): every session of a bench comes from
  // 127.0.0.1, so ZooKeeper's default of 60 would reset the 61st. -1: leave the default.
  int max_client_cnxns = -1;
};

class BenchCluster {
 public:
  // An existing cluster, by directory.
  explicit BenchCluster(std::string dir) : dir_(std::move(dir)) {}
  // Brings up `name` under `home` (a private state root); nullopt + *error on failure.
  static std::optional<BenchCluster> BringUp(const std::string& home, const std::string& name,
                                             const OwnClusterOptions& options, std::string* error);
  // `down --clean` for an owned cluster; nothing for a borrowed one.
  void BringDown();

  const std::string& dir() const { return dir_; }
  std::optional<ClusterView> Status(std::string* error) const;
  // Waits until the supervisor reports ready (and every member serving). False on timeout.
  bool WaitReady(double timeout_s, std::string* error) const;
  // `kill leader` (SIGKILL); returns the killed node id or 0 with *error.
  int KillLeader(std::string* error) const;
  bool Start(int id, std::string* error) const;
  // The zoo.cfg value of forceSync for node 1 ("yes" when unset: both engines' default).
  std::string ForceSync() const;

 private:
  std::string dir_;
  std::string home_;  // owned clusters: their $PSEUDO_CLUSTER_HOME
  std::string name_;
};

// Members for a target: leader, followers, observers or all (all = leader, then followers,
// then observers, each by id). Empty when none has that role right now.
std::vector<Member> SelectTargets(const ClusterView& view, const std::string& target);
std::string HostList(const std::vector<Member>& members);
std::string HostOf(const Member& member);

// VmRSS of a process in KiB, -1 when it is gone.
int64_t ReadRssKb(int pid);

// Asks `srvr` on 127.0.0.1:port; true when the server answers with a serving role, and sets
// *role to "leader", "follower", "observer" or "standalone".
bool SrvrServing(int port, std::string* role);
// The whole `srvr` reply of 127.0.0.1:port, parsed; false when nothing answered.
bool AskSrvr(int port, SrvrReply* out);

// The arguments of `up -d --fresh` for an own cluster `name` on base ports `ports` ("c,q,e"),
// `--faults` included when options.links is "proxied".
std::vector<std::string> UpArgs(const std::string& name, const std::string& ports,
                                const OwnClusterOptions& options);

// Runs `<this binary> args...` with PSEUDO_CLUSTER_HOME=home, output appended to log_path.
// Returns the exit code (or -1), and the pid through *pid when wait is false.
int RunSelf(const std::vector<std::string>& args, const std::string& home,
            const std::string& log_path, bool wait, int* pid = nullptr);
std::string LastLine(const std::string& path);

// Three free base ports (client, quorum, election) for `nodes` members, picked like the
// supervisor tests do (client bases 10000-15990 step 10, quorum +6000, election +12000).
std::string PickBasePorts(int nodes, int* client_base = nullptr);

}  // namespace pc::loadgen
