#include "supervisor/spawn_shim.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pc {

int RunSpawnShim(int argc, char** argv) {
  if (argc < 4) {
    return 127;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The supervisor may have died before prctl took effect: then nobody would kill us.
  if (::getppid() != static_cast<pid_t>(std::atol(argv[2]))) {
    return 127;
  }
  ::execv(argv[3], argv + 3);
  std::fprintf(stderr, "pseudo-cluster: cannot exec %s: %s\n", argv[3], std::strerror(errno));
  return 127;
}

}  // namespace pc
