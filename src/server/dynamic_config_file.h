// The dynamic config file of ZooKeeper 3.5+: `dynamicConfigFile=<path>` in zoo.cfg names a file
// of server.N lines whose version is the hex suffix of its name (zoo.cfg.dynamic.100000000).
// Reading it at start-up, and writing the next one when a reconfig activates: the new file goes
// beside zoo.cfg as <zoo.cfg>.dynamic.<version>, then zoo.cfg's dynamicConfigFile line points to
// it (both written to a .tmp file and renamed, so a crash leaves the old pair or the new one).
// Called on the loop thread; blocking file I/O, a few hundred bytes, once per reconfig.
#pragma once

#include <string>

#include "core/quorum_config.h"

namespace zk {

// Reads `path` into *out (servers; version from the name, 0 without a suffix). Empty on
// success, else one line naming the file and what is wrong.
std::string ReadDynamicConfigFile(const std::string& path, QuorumConfig* out);

// Writes <zoo_cfg>.dynamic.<hex version> and points zoo_cfg at it: its server.N and
// dynamicConfigFile lines are replaced by one dynamicConfigFile line. *written gets the new
// file's path. Empty on success, else one line saying which file could not be written.
std::string WriteDynamicConfigFile(const std::string& zoo_cfg, const QuorumConfig& config,
                                   std::string* written);

}  // namespace zk
