// What zkd reads of its own process and host for the four-letter words (srvr, mntr, envi, conf):
// open and maximum file descriptors, memory from /proc, the size of a data directory, and the
// environment envi prints (host, user, OS, compiler). Plain reads of /proc and libc; nothing is
// cached here. Loop thread (ClientServer), but any thread would do.
#pragma once

#include <cstdint>
#include <string>

#include "server/four_letter.h"

namespace zk {

// Bytes in the regular files directly inside `dir` (0 when it cannot be read).
int64_t DirectorySize(const std::string& dir);
int64_t CountOpenFds();
int64_t MaxFds();  // RLIMIT_NOFILE's soft limit
// A /proc/meminfo line's value in MB, `key` with its colon ("MemTotal:").
int64_t MeminfoMb(const char* key);
int64_t ResidentMb();
EnvironmentInfo CollectEnvironment();

}  // namespace zk
