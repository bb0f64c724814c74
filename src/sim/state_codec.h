// The simulator's state codec (what a SNAP and a simulated snapshot file hold) and the tree
// digests the invariants and scenarios compare.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/replica.h"
#include "tree/data_tree.h"

namespace zk::sim {

// The state as bytes for SNAP and for the simulated snapshot file: sessions, then the nodes in
// pre-order. In-memory only.
class SimStateCodec : public StateCodec {
 public:
  std::string Encode(const Core& core) override;
  bool Decode(std::string_view bytes, DataTree* tree,
              std::map<int64_t, int32_t>* sessions) override;
};

// FNV-1a, for txn hashes and digests.
uint64_t Fnv1a(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL);
// A deterministic digest of the tree: every node under "/" in sorted pre-order with its data and
// stat.
uint64_t TreeDigest(const DataTree& tree);

}  // namespace zk::sim
