// The Zab epoch files `acceptedEpoch` and `currentEpoch` in `<dataDir>/version-2`
// (docs/zab.md, Epoch files):
// a decimal long, no newline, replaced atomically (`<name>.tmp`, fsync, rename, fsync of the
// directory), so a crash leaves either the old or the new value. Blocking; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "storage/status.h"

namespace zk::storage {

inline constexpr char kAcceptedEpochFile[] = "acceptedEpoch";
inline constexpr char kCurrentEpochFile[] = "currentEpoch";

// A missing file yields `default_value` (ZooKeeper: the epoch of the last zxid). Anything but a
// decimal long (one trailing newline tolerated, as Java's readLine) is an error naming the file.
Status ReadEpoch(const std::string& data_dir, const std::string& name, int64_t default_value,
                 int64_t* out);
Status WriteEpoch(const std::string& data_dir, const std::string& name, int64_t value);

}  // namespace zk::storage
