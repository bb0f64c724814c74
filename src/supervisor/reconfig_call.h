// ReconfigCall: what the supervisor asks of a running ensemble to grow or shrink it (`add`,
// `remove`): one `reconfig` request sent as ZooKeeper's super user, incremental (joining and/or
// leaving), and the answer. The supervisor library speaks no client protocol itself; the command
// line installs the runner (src/loadgen/reconfig_client.h, over Debian's C client), and the
// supervisor calls it on libuv's thread pool so that its loop never waits on the ensemble.
#pragma once

#include <functional>
#include <string>

namespace pc {

struct ReconfigAsk {
  std::string hosts;           // "127.0.0.1:2181,127.0.0.1:2182": the members that run
  std::string super_password;  // logs in as digest super:<password>
  std::string joining;         // "server.4=127.0.0.1:2884:3884:participant;127.0.0.1:2184"
  std::string leaving;         // "3"
  int timeout_ms = 20000;      // for the session and for the answer
};

struct ReconfigAnswer {
  bool ok = false;
  std::string error;   // one line: ZooKeeper's error and what it means
  std::string config;  // the new configuration, as ZooKeeper answered it
};

// Called on a thread-pool thread; must not touch the supervisor.
using ReconfigRunner = std::function<ReconfigAnswer(const ReconfigAsk&)>;

}  // namespace pc
