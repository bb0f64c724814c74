#include "core/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace zk {

// The one exception to "no I/O in the core": a dying process says why, on stderr, unbuffered.
void InvariantFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "zkd: invariant failed at %s:%d: %s\n", file, line, condition);
  std::abort();
}

}  // namespace zk
