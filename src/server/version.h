// The version zkd reports in srvr / stat / mntr / envi. It follows ZooKeeper's shape
// ("3.8.x-<build>, built on <date>") so tools that parse the line keep working.
#pragma once

#include <string>

namespace zk {

// The ZooKeeper release whose protocol and behaviour zkd follows.
inline constexpr const char* kProtocolVersion = "3.8.6";
std::string FullVersion();

}  // namespace zk
