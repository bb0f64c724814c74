#include "storage/snapshot_codec.h"

#include <cstdint>

#include "storage/snapshot.h"

namespace zk::storage {

std::string SnapshotCodec::Encode(const Core& core) {
  SnapshotSerializer serializer(core.tree(), SessionsOf(core.sessions()), core.last_zxid());
  serializer.Step(SIZE_MAX);
  return SealedSnapshot(serializer.Finish(core.last_zxid()));
}

bool SnapshotCodec::Decode(std::string_view bytes, DataTree* tree,
                           std::map<int64_t, int32_t>* sessions) {
  LoadedSnapshot loaded;
  if (!ParseSnapshot(bytes, "(SNAP from the leader)", &loaded).ok()) return false;
  *tree = std::move(loaded.tree);
  *sessions = std::move(loaded.sessions);
  return true;
}

}  // namespace zk::storage
