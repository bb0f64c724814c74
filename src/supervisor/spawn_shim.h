// The `__spawn` shim: how NodeProcess starts a server so that it dies with its supervisor. The
// Supervisor runs `<this binary> __spawn <supervisor pid> <program> <args...>`; the shim sets
// PR_SET_PDEATHSIG=SIGKILL, checks that its parent is still that supervisor, and execs the
// program. Runs in the child, before anything else in main().
#pragma once

namespace pc {

// argv: <self> __spawn <supervisor pid> <program> <args...>. Never returns on success; 127
// when the arguments are short, the supervisor is already gone, or exec fails.
int RunSpawnShim(int argc, char** argv);

}  // namespace pc
