// Ctrl-C in the short-lived command process (`up` in the foreground, `events -f`, `logs -f`,
// `bench`): SIGINT and SIGTERM set a flag instead of killing the process, so it can bring down
// what it started and exit with its own code. The handler is installed without SA_RESTART on
// purpose: a blocking read in ControlClient's Request() then returns with EINTR and ends as
// "interrupted". Not for the Supervisor, which takes its signals in its libuv loop.
#pragma once

namespace pc {

// Installs the handler for SIGINT and SIGTERM. Idempotent.
void CatchInterrupts();
// True once SIGINT or SIGTERM arrived after CatchInterrupts(). Safe from any thread.
bool Interrupted();

}  // namespace pc
