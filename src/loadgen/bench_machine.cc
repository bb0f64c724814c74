#include "loadgen/bench_machine.h"

#include <sys/utsname.h>
#include <sys/vfs.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

namespace pc::loadgen {

namespace {

std::string FirstLineOf(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      return line;
    }
  }
  return {};
}

std::string CommandFirstLine(const char* command) {
  std::string out;
  if (std::FILE* p = ::popen(command, "r")) {
    char buf[512];
    if (std::fgets(buf, sizeof buf, p)) {
      out = buf;
    }
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

nlohmann::json MachineJson() {
  utsname u{};
  ::uname(&u);
  std::string model = FirstLineOf("/proc/cpuinfo", "model name");
  if (auto colon = model.find(": "); colon != std::string::npos) {
    model = model.substr(colon + 2);
  }
  const std::string mem = FirstLineOf("/proc/meminfo", "MemTotal:");
  std::string debian;
  std::getline(std::ifstream("/etc/debian_version") >> std::ws, debian);
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"nproc", std::thread::hardware_concurrency()},
          {"cpu_model", model},
          {"mem_total_kb", mem.size() > 9 ? std::atoll(mem.c_str() + 9) : 0},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"debian", debian},
          {"java", CommandFirstLine("java -version 2>&1")},
          {"date_utc", date}};
}

// "1.02 0.87 0.55": the 1, 5 and 15 minute load averages.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string FileSystemOf(const std::string& path) {
  struct statfs s {};
  if (::statfs(path.c_str(), &s) != 0) {
    return "?";
  }
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    default:
      return "other";
  }
}

// The JVM's maximum heap with the flags `--apache-jvm` gives Apache (stock: none, so Java's
// default of a quarter of the RAM; tuned: -Xmx256m), as `java -XX:+PrintFlagsFinal` reports it.
int64_t JvmMaxHeapMb(const std::string& apache_jvm) {
  const std::string cmd = std::string("java ") + (apache_jvm == "tuned" ? "-Xmx256m " : "") +
                          "-XX:+PrintFlagsFinal -version 2>/dev/null";
  int64_t bytes = -1;
  if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, p) != nullptr) {
      long long v = 0;
      if (std::strstr(line, " MaxHeapSize ") != nullptr &&
          std::sscanf(std::strchr(line, '=') + 1, "%lld", &v) == 1) {
        bytes = v;
      }
    }
    ::pclose(p);
  }
  return bytes < 0 ? -1 : bytes / 1048576;
}

}  // namespace pc::loadgen
