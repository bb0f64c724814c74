// LinkMatrix: the fault set on every direction between the members 1..n of a cluster with
// proxied links, and the quorum math that says what a set of faults leaves of the ensemble.
// Pure data and rules: the LinkLayer (link_layer.h) carries a matrix out on the proxies, the
// Supervisor's fault commands build the next one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"
#include "supervisor/link_proxy.h"

namespace pc {

class LinkMatrix {
 public:
  explicit LinkMatrix(int nodes);

  int nodes() const { return nodes_; }
  // The fault on the bytes `from` sends to `to` (from != to, both 1..nodes).
  const LinkFault& at(int from, int to) const { return faults_[Index(from, to)]; }
  void Set(int from, int to, const LinkFault& fault) { faults_[Index(from, to)] = fault; }
  // Both directions between a and b.
  void SetBoth(int a, int b, const LinkFault& fault);
  void HealAll();
  // True when bytes flow both ways between a and b (neither direction blackholed or reset):
  // what a leader and its follower need.
  bool Talks(int a, int b) const;
  bool healthy() const;

 private:
  size_t Index(int from, int to) const { return size_t(from - 1) * size_t(nodes_) + (to - 1); }
  int nodes_;
  std::vector<LinkFault> faults_;
};

// Members that reach each other, directly or through others, in groups ordered by their
// smallest id: {1,2} {3,4,5}.
std::vector<std::vector<int>> TalkingGroups(const LinkMatrix& links);

// "{1,2,3}" (observers marked: "{1,2,obs 4}").
std::string GroupText(const std::vector<int>& group, int voters);

// What the links leave of the ensemble, as ZooKeeper counts it (observers never make a quorum;
// a leader needs working links to a quorum of voters, itself included), e.g.
//   "{3,4,5} holds a quorum (3 of 5 voters); {1,2} cannot serve writes (2 of 5 voters, 3 needed)"
std::string PredictQuorum(const LinkMatrix& links, int voters);

}  // namespace pc

namespace pc {

// ParseDurationMs ("50ms", "1.5s") is in cluster_spec.h.
// "1MB/s", "512KB/s", "100kB/s", "2000B/s", "10Mbit/s" → bytes per second (MB = 2^20 bytes);
// nullopt if it does not parse or is zero.
std::optional<int64_t> ParseBandwidth(const std::string& text);

}  // namespace pc
