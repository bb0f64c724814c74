#include "server/version.h"

#include <cstdio>
#include <cstring>

namespace zk {

namespace {

// __DATE__ ("Nov 22 2025") and __TIME__ ("05:30:12") as ZooKeeper's "2025-11-22 05:30".
std::string BuildStamp() {
  static const char* const kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char* date = __DATE__;
  const char* time = __TIME__;
  char month[4] = {date[0], date[1], date[2], '\0'};
  const char* at = std::strstr(kMonths, month);
  int m = at ? static_cast<int>(at - kMonths) / 3 + 1 : 1;
  int day = std::atoi(date + 4);
  int year = std::atoi(date + 7);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %.5s", year, m, day, time);
  return buf;
}

}  // namespace

std::string FullVersion() {
  return std::string(kProtocolVersion) + "-zkd, built on " + BuildStamp() + " UTC";
}

}  // namespace zk
