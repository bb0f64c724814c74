// SessionSwarm: thousands of ZooKeeper sessions on one thread, for `bench scale --sessions` and
// `--watches`. The C client (zk_client.h) runs two threads per handle: 10,000 sessions would be
// 20,000 threads, more than this machine's pid_max leaves room for next to the servers. The swarm
// speaks the few messages it needs itself (ConnectRequest/Response, ping, exists with a watch,
// watch notifications; reference/zookeeper-3.8.md §1) over non-blocking sockets and one epoll.
//
// A session whose connection drops reconnects with its id and password to the next member of
// its list (as the C client does), after a back-off that grows per failed try. Single thread:
// call everything from the thread that drives Poll().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pc::loadgen {

struct SwarmCounts {
  int64_t live = 0;              // sessions with an established connection now
  int64_t expired = 0;           // sessions a server called expired or invalid on reconnect
  int64_t connect_failures = 0;  // TCP connects refused or failed
  int64_t drops = 0;             // established connections (or handshakes) the server closed
  int64_t handshake_timeouts = 0;
  int64_t exists_answered = 0;  // exists replies (ZOK or ZNONODE)
  int64_t exists_errors = 0;    // exists replies with another code
  int64_t notifications = 0;    // watch notifications received
};

class SessionSwarm {
 public:
  // `ports`: the members' client ports on 127.0.0.1. Session i starts on ports[i % size].
  SessionSwarm(std::vector<int> ports, int session_timeout_ms);
  ~SessionSwarm();
  SessionSwarm(const SessionSwarm&) = delete;
  SessionSwarm& operator=(const SessionSwarm&) = delete;

  // Adds n sessions; they connect as Poll() runs, at most `max_handshakes` at a time while no
  // session has connected yet (a gentle start), without limit for reconnects.
  void Add(int n, int max_handshakes = 256);
  // Queues exists(path, watch=true) on session `index`; sent, pipelined, by the next Poll()
  // that finds the session live.
  void Exists(int index, const std::string& path);
  // Runs the event loop for up to timeout_ms (returns early when something happened).
  void Poll(int timeout_ms);
  // Sessions whose connection dropped and that have not been re-established since.
  int64_t detached() const;

  const SwarmCounts& counts() const { return counts_; }
  int size() const { return static_cast<int>(sessions_.size()); }
  // Empty when fine; else the first local error (socket, epoll) that stopped a session.
  const std::string& local_error() const { return local_error_; }

 private:
  struct Session;
  void Connect(Session& s);
  void OnReadable(Session& s);
  void OnWritable(Session& s);
  void Drop(Session& s, bool count_drop);
  void Handle(Session& s, const std::string& frame);
  void Flush(Session& s);
  void Watch(Session& s, uint32_t events);
  void Timers();

  std::vector<int> ports_;
  int timeout_ms_;
  int epoll_ = -1;
  int max_handshakes_ = 256;
  bool started_ = false;  // some session has been live: reconnects are not limited
  std::vector<Session*> sessions_;
  SwarmCounts counts_;
  std::string local_error_;
};

}  // namespace pc::loadgen
