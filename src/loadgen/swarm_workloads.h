// The many-session parts of `bench scale`, on a SessionSwarm (session_swarm.h):
//
// --sessions N: N sessions connected, spread over every member (session i to member i mod n),
//   then kill -9 of the leader; measures the time from the kill until every session is attached
//   again (each dropped session reconnects with its id and password to the next member, as the
//   C client does), and counts what went wrong on the way: expired sessions, refused connects,
//   connections closed by a server, handshakes that timed out.
// --watches N: S sessions (100, or N when fewer) each set an exists watch on the same N/S
//   znodes, so N watches on N/S znodes with S watchers each; each member's RSS before and after;
//   then one set per znode (pipelined, one C-client session) fires them all, and the time from
//   the first set until the last notification arrives is measured.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/bench_cluster.h"
#include "loadgen/progress.h"

namespace pc::loadgen {

struct SwarmOptions {
  int sessions = 0;     // --sessions
  int64_t watches = 0;  // --watches
  int watch_sessions = 100;
  // Generous, so no session can expire while it reconnects; the servers clamp it to
  // maxSessionTimeout (20 ticks: 40 s at tickTime 2000).
  int session_timeout_ms = 40000;
};

// {"sessions", "connect_s", "members": [{"id", "role", "rss_kb"}], "killed", "dropped",
//  "reattach_ms", "all_reattached", "expired", "connect_failures", "drops", "handshake_timeouts"}
// or {"error"}.
nlohmann::json RunSessionScale(BenchCluster& cluster, const SwarmOptions& options,
                               Progress& progress);

// {"watches", "sessions", "znodes", "set_s", "members": [{"id", "role", "rss_before_kb",
//  "rss_after_kb", "bytes_per_watch"}], "fire_ms", "notifications", "errors"} or {"error"}.
nlohmann::json RunWatchScale(BenchCluster& cluster, const std::string& root,
                             const SwarmOptions& options, Progress& progress);

// Raises this process's open-file limit (soft and, as root, hard) to at least `want`; the
// supervisor and members the bench starts afterwards inherit it. Returns the soft limit now.
int64_t RaiseOpenFileLimit(int64_t want);

}  // namespace pc::loadgen
