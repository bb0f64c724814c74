#include "server/host_probe.h"

#include <dirent.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <fstream>

namespace zk {

int64_t DirectorySize(const std::string& dir) {
  int64_t total = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    struct stat st {};
    std::string path = dir + "/" + e->d_name;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  closedir(d);
  return total;
}

int64_t CountOpenFds() {
  int64_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n > 0 ? n - 1 : 0;  // minus the directory stream itself
}

int64_t MaxFds() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  return static_cast<int64_t>(rl.rlim_cur);
}

int64_t MeminfoMb(const char* key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t kb = 0;
  std::string unit;
  while (in >> k >> kb >> unit) {
    if (k == key) return kb / 1024;
  }
  return 0;
}

int64_t ResidentMb() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

EnvironmentInfo CollectEnvironment() {
  EnvironmentInfo e;
  char buf[4096];
  if (gethostname(buf, sizeof(buf)) == 0) {
    buf[sizeof(buf) - 1] = '\0';
    e.host_name = buf;
  }
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) e.executable.assign(buf, static_cast<size_t>(n));
#if defined(__clang__)
  e.compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  e.compiler = std::string("gcc ") + __VERSION__;
#endif
  e.libuv_version = uv_version_string();
  utsname u{};
  if (uname(&u) == 0) {
    e.os_name = u.sysname;
    e.os_arch = std::strcmp(u.machine, "x86_64") == 0 ? "amd64" : u.machine;
    e.os_version = u.release;
  }
  if (passwd* pw = getpwuid(getuid())) {
    e.user_name = pw->pw_name;
    e.user_home = pw->pw_dir;
  }
  if (getcwd(buf, sizeof(buf)) != nullptr) e.user_dir = buf;
  return e;
}

}  // namespace zk
