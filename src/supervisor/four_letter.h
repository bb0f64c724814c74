// Parsing of the four-letter-word replies the supervisor polls from Apache ZooKeeper (and zkd):
// `srvr` gives Mode, Zxid and Connections. Pure functions over the reply text.
#pragma once

#include <cstdint>
#include <string>

#include "supervisor/zkd_events.h"

namespace pc {

struct SrvrReply {
  bool serving = false;  // false for "not currently serving requests"
  Role role = Role::kUnknown;
  uint64_t zxid = 0;
  int connections = -1;
};

// "Mode: leader" -> kLeading; a not-serving reply -> serving=false, role kLooking.
SrvrReply ParseSrvr(const std::string& text);

// Reads <data dir>/version-2/currentEpoch; -1 when absent or unreadable.
int64_t ReadCurrentEpoch(const std::string& data_dir);

}  // namespace pc
