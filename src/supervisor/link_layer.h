// LinkLayer: the proxies of a cluster brought up with `up --faults`, one LinkProxy per ordered
// pair of members and port (quorum, election): member i's server.j line points at the i→j proxy
// (cluster_layout.h ProxyHost), which forwards to j's real port. ZooKeeper keeps one election
// connection per pair (dialled by the larger id) and a learner dials its leader, so the bytes
// from i to j travel either on a connection i dialled (the i→j proxy, forward) or on one j
// dialled (the j→i proxy, backward); the fault of direction i→j is set on both.
//
// For the Apache engine the election proxies also rewrite the address in the election hello
// (apache_hello.h), so that a dial-back goes through a proxy too.
//
// Owned by the Supervisor, on its loop and thread. Close() before the loop's last run.
#pragma once

#include <uv.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "supervisor/cluster_spec.h"
#include "supervisor/link_matrix.h"
#include "supervisor/link_proxy.h"

namespace pc {

class LinkLayer {
 public:
  LinkLayer(uv_loop_t* loop, const ClusterSpec& spec);

  // Listens on every proxy address. "" or the first failure, one line.
  std::string Start();
  void Close();

  const LinkMatrix& matrix() const { return matrix_; }
  // Sets every direction's fault to `next`'s (connections that lost bytes are reset once their
  // link is no longer blackholed).
  void Apply(const LinkMatrix& next);

  // {"from","to","state","delay_ms","jitter_ms","bandwidth_bps","bytes","messages",
  //  "dropped_bytes","connections","last_activity_ms"} per ordered pair; last_activity_ms is on
  // the loop clock minus `origin_ms` (-1: never).
  nlohmann::json LinksJson(int64_t origin_ms) const;

 private:
  struct Pair {
    std::unique_ptr<LinkProxy> quorum, election;
  };
  Pair& pair(int from, int to) { return pairs_[size_t(from - 1) * size_t(nodes_) + (to - 1)]; }
  const Pair& pair(int from, int to) const {
    return pairs_[size_t(from - 1) * size_t(nodes_) + (to - 1)];
  }

  uv_loop_t* loop_;
  int nodes_;
  LinkMatrix matrix_;
  std::vector<Pair> pairs_;  // [from][to]; empty on the diagonal
};

// "ok", "blackhole", "reset", "delay 50ms±10ms", "1.0 MB/s", "delay 50ms, 1.0 MB/s".
std::string FaultText(const LinkFault& fault);

}  // namespace pc
