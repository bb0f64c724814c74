// ExitClues: why a server process exited, read from what that one run wrote to its log (the
// supervisor passes the bytes written since it started the process). Pure: text in, clues out.
//
//  - reason: the line to show. For Apache ZooKeeper the last ERROR entry with the exception under
//    it ("Invalid config, exiting abnormally: IllegalArgumentException: myid file is missing"),
//    never the "Exiting JVM with code N" that follows every such error; for zkd (and anything
//    without ERROR entries) the last non-empty line, where zkd writes why it stops.
//  - the facts the supervisor words its hints from: the myid the server started as (Apache logs
//    "Starting quorum peer, myid=N"), a port already in use, a missing myid file.
#pragma once

#include <cstdint>
#include <string>

namespace pc {

struct ExitClues {
  std::string reason;
  int64_t myid = -1;  // -1: the log does not say
  bool address_in_use = false;
  bool myid_missing = false;
};

ExitClues ReadExitClues(const std::string& run_log);

}  // namespace pc
