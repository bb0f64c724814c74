#include "server/version.h"

namespace zk {

std::string FullVersion() {
  return std::string(kProtocolVersion) + "-zkd, built on " + __DATE__ + " " + __TIME__ + " UTC";
}

}  // namespace zk
