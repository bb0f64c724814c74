// SnapshotCodec: the Replica's StateCodec (the bytes of a Zab SNAP) in the snapshot file format,
// so a learner receives exactly what a snapshot file would hold. In memory only; loop thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/replica.h"

namespace zk::storage {

class SnapshotCodec : public StateCodec {
 public:
  std::string Encode(const Core& core) override;
  bool Decode(std::string_view bytes, DataTree* tree,
              std::map<int64_t, int32_t>* sessions) override;
};

}  // namespace zk::storage
