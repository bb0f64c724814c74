#include "supervisor/four_letter.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pc {

SrvrReply ParseSrvr(const std::string& text) {
  SrvrReply reply;
  if (text.find("not currently serving") != std::string::npos) {
    reply.role = Role::kLooking;
    return reply;
  }
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto value = [&](const char* key) -> const char* {
      const std::string k = key;
      return line.rfind(k, 0) == 0 ? line.c_str() + k.size() : nullptr;
    };
    if (const char* mode = value("Mode: ")) {
      const std::string m = mode;
      if (m == "leader") {
        reply.role = Role::kLeading;
      } else if (m == "follower") {
        reply.role = Role::kFollowing;
      } else if (m == "observer") {
        reply.role = Role::kObserving;
      } else if (m == "standalone") {
        reply.role = Role::kStandalone;
      }
      reply.serving = reply.role != Role::kUnknown;
    } else if (const char* zxid = value("Zxid: ")) {
      reply.zxid = std::strtoull(zxid, nullptr, 16);
    } else if (const char* conns = value("Connections: ")) {
      reply.connections = std::atoi(conns);
    }
  }
  return reply;
}

int64_t ReadCurrentEpoch(const std::string& data_dir) {
  std::ifstream in(data_dir + "/version-2/currentEpoch");
  int64_t epoch = -1;
  if (!(in >> epoch)) {
    return -1;
  }
  return epoch;
}

}  // namespace pc
