// The scenario commands that only `mode replica` has beyond writes: crash points, held links,
// scripted sessions with ephemeral nodes, forged messages, and expectations on znodes. They
// drive the interleavings of ZooKeeper's own Zab bugs (test/scenarios/zookeeper_*.txt).
//
//   crash-at 2 after-current-epoch   arm a crash point (crash_points.h); `crash-at 2 none` disarms
//   hold 1 -> 3 | release 1 -> 3     quorum messages from 1 to 3 wait (no break) / are delivered
//   session s1 3                     a client session named s1, opened on member 3 (kept alive
//                                    by a touch every tick while that member serves)
//   ephemeral s1 /e                  s1 creates the ephemeral node /e
//   close-session s1                 s1 closes its session (its ephemerals go)
//   forge zab 1 -> 2 TYPE ZXID [PATH]  member 1 sends 2 a Zab packet it has no right to send:
//                                    TYPE leaderinfo | newleader | diff | uptodate | commit, or
//                                    proposal (a txn that creates PATH)
//   forge vote 1 -> 2 leading EPOCH  member 1 tells 2 it leads, in peer epoch EPOCH
//   expect node /e | expect no-node /e   on every member that is up
//   expect sync 3 trunc [TXNS]       the serving leader's last sync of member 3 was a TRUNC
//                                    (then a DIFF) | diff (from the in-memory history) |
//                                    diff-log (partly from the on-disk log) | snap, of TXNS
//                                    proposals if given
//   expect logged 2 0x100000005      member 2's disk (up or down) holds every txn up to that
//                                    zxid: synced log or snapshot
//
// Owned by the scenario runner; the simulator and members it points at outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace zk::sim {

class ReplicaMember;

// A scenario file's number ("3", "0x100000002"); nullopt unless the whole word is one.
// Shared by scenario.cc and scenario_zab.cc.
std::optional<int64_t> ScenarioNumber(const std::string& s);

class ZabScript {
 public:
  explicit ZabScript(Simulator* sim) : sim_(sim) {}

  // If w[0] is one of the commands above: carries it out and sets *error ("" when fine), and
  // returns true. False if it is not one of them.
  bool Command(const std::vector<std::string>& w, std::string* error);
  // One tick: the sessions' members hear from their clients.
  void Tick();

 private:
  struct Session {
    int64_t member = 0;
    int64_t id = 0;
    int32_t next_xid = 1;
  };
  std::string CrashAt(const std::vector<std::string>& w);
  std::string Link(const std::vector<std::string>& w);
  std::string OpenSession(const std::vector<std::string>& w);
  std::string SessionRequest(const std::vector<std::string>& w);
  // The session NAME and its member, which must be serving; else says why not.
  std::string ServingSession(const std::string& name, Session** session, ReplicaMember** member);
  std::string Forge(const std::vector<std::string>& w);
  std::string ExpectNode(const std::vector<std::string>& w);
  std::string ExpectLogged(const std::vector<std::string>& w);
  // reconfig NAME leave|join|members ... | expect voters|same-config|config-file|handed-over
  // (scenario_reconfig.cc)
  std::string Reconfig(const std::vector<std::string>& w);
  std::string ExpectVoters(const std::vector<std::string>& w);
  std::string ExpectConfig(const std::vector<std::string>& w);
  std::string ExpectHandedOver(const std::vector<std::string>& w);
  std::string ExpectSync(const std::vector<std::string>& w);

  Simulator* sim_;
  std::map<std::string, Session> sessions_;
};

}  // namespace zk::sim
