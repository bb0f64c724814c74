// LinkProxy: one proxied peer link of a cluster brought up with `up --faults`. It listens on its
// own loopback address (member i's way to member j listens on 127.0.i.j, on j's real port),
// forwards every connection it accepts to the real member, and applies to each direction the
// LinkFault the LinkLayer (link_layer.h) sets:
//   - blackhole: bytes are dropped silently and a FIN is not passed on, as a partitioned network
//     would. TCP would have retransmitted those bytes, so a connection that lost any is reset
//     (RST both ends) as soon as neither direction is blackholed any more: no member ever reads a
//     stream with a hole in it. A connection accepted while a direction is blackholed is held
//     without dialling the member (a SYN that got no answer) and reset the same way.
//   - reset: every connection is reset at once, and new ones are reset as they are accepted.
//   - delay_ms ± jitter_ms: each read is delivered that much later (order kept: a read never
//     overtakes the one before it).
//   - bandwidth_bps: reads leave no faster than that many bytes per second.
// Bytes queued for later (delay, throttle, a member that reads slowly) are bounded per direction
// by kQueuedBytesMax: past it the proxy stops reading from the sender until the queue drains.
// Counters count bytes and "messages" (one message = one read, i.e. a burst the sender wrote
// together; both engines write one protocol message per burst when the link is idle).
//
// Ownership and threads: one libuv loop, one thread. The listener and the connections live in a
// heap state that frees itself in the last close callback, so the object may be destroyed at any
// time (the destructor calls Close()); the loop must then run until the handles have closed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace pc {

struct LinkFault {
  bool blackhole = false;
  bool reset = false;
  int delay_ms = 0;
  int jitter_ms = 0;
  int64_t bandwidth_bps = 0;  // 0: unlimited

  bool healthy() const {
    return !blackhole && !reset && delay_ms == 0 && jitter_ms == 0 && bandwidth_bps == 0;
  }
  bool operator==(const LinkFault& o) const {
    return blackhole == o.blackhole && reset == o.reset && delay_ms == o.delay_ms &&
           jitter_ms == o.jitter_ms && bandwidth_bps == o.bandwidth_bps;
  }
};

struct FlowCounters {
  uint64_t bytes = 0;          // delivered to the receiver
  uint64_t messages = 0;       // delivered reads
  uint64_t dropped_bytes = 0;  // dropped by a blackhole
  int64_t last_ms = -1;        // uv_now of the last byte delivered or dropped; -1: never
};

// Called with the bytes the dialler sent first, for as long as it returns false (it needs more
// bytes); once it returns true, *bytes (possibly rewritten) is forwarded and it is not called
// again on that connection. Used for Apache ZooKeeper's election hello (apache_hello.h).
using HelloRewrite = std::function<bool(std::string* bytes)>;

class LinkProxy {
 public:
  static constexpr size_t kConnectionsMax = 32;
  static constexpr size_t kQueuedBytesMax = size_t{4} << 20;
  static constexpr size_t kReadBytesMax = 64 * 1024;

  LinkProxy(uv_loop_t* loop, std::string listen_host, int listen_port, std::string target_host,
            int target_port);
  ~LinkProxy();
  LinkProxy(const LinkProxy&) = delete;
  LinkProxy& operator=(const LinkProxy&) = delete;

  // Binds and listens. Returns "" or one line naming the address and the reason.
  std::string Start();
  // Closes the listener and every connection (with RST). Idempotent.
  void Close();

  // forward: bytes the dialler sends; backward: bytes it receives.
  void SetFaults(const LinkFault& forward, const LinkFault& backward);
  void SetHelloRewrite(HelloRewrite rewrite);

  const FlowCounters& forward() const;
  const FlowCounters& backward() const;
  int connections() const;
  std::string listen_address() const;

  struct State;  // defined in link_proxy.cc

 private:
  State* state_;
};

}  // namespace pc
