#include "loadgen/session_swarm.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "loadgen/zk_client.h"

namespace pc::loadgen {

namespace {

constexpr int32_t kPingXid = -2, kNotificationXid = -1;
constexpr int32_t kOpExists = 3, kOpPing = 11;
constexpr int32_t kNoNode = -101;
constexpr int kHandshakeTimeoutMs = 10000;

int64_t NowMs() { return NowNs() / 1000000; }

void PutI32(std::string* out, int32_t v) {
  const uint32_t u = htonl(static_cast<uint32_t>(v));
  out->append(reinterpret_cast<const char*>(&u), 4);
}
void PutI64(std::string* out, int64_t v) {
  PutI32(out, static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  PutI32(out, static_cast<int32_t>(v & 0xffffffff));
}
int32_t GetI32(const char* p) {
  uint32_t u;
  std::memcpy(&u, p, 4);
  return static_cast<int32_t>(ntohl(u));
}
int64_t GetI64(const char* p) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(GetI32(p))) << 32) |
                              static_cast<uint32_t>(GetI32(p + 4)));
}
// A frame: 4-byte big-endian length, then the body.
void PutFrame(std::string* out, const std::string& body) {
  PutI32(out, static_cast<int32_t>(body.size()));
  out->append(body);
}

}  // namespace

struct SessionSwarm::Session {
  enum State { kWaiting, kConnecting, kHandshake, kLive, kExpired };
  int index = 0;
  int fd = -1;
  State state = kWaiting;
  uint32_t events = 0;  // registered with epoll (0: not registered)
  size_t port_at = 0;   // into ports_
  int64_t id = 0;
  std::string passwd = std::string(16, '\0');
  std::string in, out;
  size_t out_at = 0;   // out[0, out_at) is sent already
  int timeout_ms = 0;  // as the server negotiated it: pings go every third of it
  int64_t due_ms = 0;  // kWaiting: connect; kConnecting/kHandshake: give up; kLive: ping
  int tries = 0;       // failed tries since the last established connection
  bool ever_live = false;
  bool detached = false;  // lost an established connection, not re-established yet
  int32_t xid = 1;
  std::vector<std::string> queued;  // exists paths waiting for a live connection
};

SessionSwarm::SessionSwarm(std::vector<int> ports, int session_timeout_ms)
    : ports_(std::move(ports)), timeout_ms_(session_timeout_ms) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) local_error_ = std::string("epoll_create1: ") + std::strerror(errno);
}

SessionSwarm::~SessionSwarm() {
  for (Session* s : sessions_) {
    if (s->fd >= 0) ::close(s->fd);
    delete s;
  }
  if (epoll_ >= 0) ::close(epoll_);
}

void SessionSwarm::Add(int n, int max_handshakes) {
  max_handshakes_ = max_handshakes;
  for (int i = 0; i < n; ++i) {
    auto* s = new Session;
    s->index = static_cast<int>(sessions_.size());
    s->port_at = static_cast<size_t>(s->index) % ports_.size();
    sessions_.push_back(s);
  }
}

void SessionSwarm::Exists(int index, const std::string& path) {
  // Sent on the next Poll(): queueing many first lets one send() carry them.
  sessions_[static_cast<size_t>(index)]->queued.push_back(path);
}

int64_t SessionSwarm::detached() const {
  int64_t n = 0;
  for (const Session* s : sessions_) n += s->detached ? 1 : 0;
  return n;
}

void SessionSwarm::Watch(Session& s, uint32_t events) {
  if (s.events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = &s;
  if (epoll_ctl(epoll_, s.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s.fd, &ev) != 0 &&
      local_error_.empty()) {
    local_error_ = std::string("epoll_ctl: ") + std::strerror(errno);
  }
  s.events = events;
}

void SessionSwarm::Connect(Session& s) {
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd < 0) {
    // Out of file descriptors is the bench's limit, not the server's: say so once.
    if (local_error_.empty()) local_error_ = std::string("socket: ") + std::strerror(errno);
    s.due_ms = NowMs() + 1000;
    return;
  }
  int one = 1;
  setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(ports_[s.port_at]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s.in.clear();
  s.out.clear();
  s.out_at = 0;
  s.events = 0;
  s.due_ms = NowMs() + kHandshakeTimeoutMs;
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    ++counts_.connect_failures;
    Drop(s, false);
    return;
  }
  s.state = Session::kConnecting;
  Watch(s, EPOLLOUT);
}

// Closes the connection; the session tries the next member after its back-off, unless expired.
void SessionSwarm::Drop(Session& s, bool count_drop) {
  if (count_drop) ++counts_.drops;
  if (s.state == Session::kLive) {
    --counts_.live;
    s.detached = true;
  }
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
  s.events = 0;
  if (s.state == Session::kExpired) return;
  s.state = Session::kWaiting;
  ++s.tries;
  s.port_at = (s.port_at + 1) % ports_.size();
  // Spread the retries a little by index so 10,000 sessions do not all knock at once.
  s.due_ms = NowMs() + std::min(1000, 50 * (s.tries - 1)) + s.index % 50;
}

void SessionSwarm::OnWritable(Session& s) {
  if (s.state == Session::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ++counts_.connect_failures;
      Drop(s, false);
      return;
    }
    std::string body;
    PutI32(&body, 0);  // protocolVersion
    PutI64(&body, 0);  // lastZxidSeen: 0 passes every server's "client is ahead" check
    PutI32(&body, timeout_ms_);
    PutI64(&body, s.id);
    PutI32(&body, static_cast<int32_t>(s.passwd.size()));
    body += s.passwd;
    body.push_back('\0');  // readOnly = false
    PutFrame(&s.out, body);
    s.state = Session::kHandshake;
  }
  Flush(s);
}

void SessionSwarm::Flush(Session& s) {
  if (s.state == Session::kLive && !s.queued.empty()) {
    for (const std::string& path : s.queued) {
      std::string body;
      PutI32(&body, s.xid++);
      PutI32(&body, kOpExists);
      PutI32(&body, static_cast<int32_t>(path.size()));
      body += path;
      body.push_back('\1');  // watch
      PutFrame(&s.out, body);
    }
    s.queued.clear();
  }
  while (s.out_at < s.out.size()) {
    const ssize_t n = ::send(s.fd, s.out.data() + s.out_at, s.out.size() - s.out_at, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Drop(s, true);
      return;
    }
    s.out_at += static_cast<size_t>(n);
  }
  if (s.out_at == s.out.size()) {
    s.out.clear();
    s.out_at = 0;
  }
  Watch(s, EPOLLIN | (s.out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT)));
}

void SessionSwarm::OnReadable(Session& s) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n > 0) {
      s.in.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Drop(s, true);  // EOF or reset: the server closed it
    return;
  }
  size_t at = 0;
  while (s.in.size() - at >= 4) {
    const int32_t len = GetI32(s.in.data() + at);
    if (len < 0 || s.in.size() - at - 4 < static_cast<size_t>(len)) break;
    const std::string frame = s.in.substr(at + 4, static_cast<size_t>(len));
    at += 4 + static_cast<size_t>(len);
    Handle(s, frame);
    if (s.fd < 0) return;
  }
  s.in.erase(0, at);
}

void SessionSwarm::Handle(Session& s, const std::string& frame) {
  if (s.state == Session::kHandshake) {
    if (frame.size() < 36) {
      Drop(s, true);
      return;
    }
    const int32_t timeout = GetI32(frame.data() + 4);
    if (timeout <= 0) {  // the server does not know this session (any more)
      ++counts_.expired;
      s.state = Session::kExpired;
      s.detached = false;
      Drop(s, false);
      return;
    }
    s.id = GetI64(frame.data() + 8);
    s.passwd = frame.substr(20, static_cast<size_t>(std::min(16, GetI32(frame.data() + 16))));
    s.state = Session::kLive;
    s.ever_live = true;
    s.detached = false;
    s.tries = 0;
    s.timeout_ms = timeout;
    s.due_ms = NowMs() + timeout / 3;
    ++counts_.live;
    Flush(s);
    return;
  }
  if (frame.size() < 16) return;
  const int32_t xid = GetI32(frame.data());
  const int32_t err = GetI32(frame.data() + 12);
  if (xid == kNotificationXid) {
    ++counts_.notifications;
  } else if (xid != kPingXid) {
    if (err == 0 || err == kNoNode) {
      ++counts_.exists_answered;
    } else {
      ++counts_.exists_errors;
    }
  }
}

void SessionSwarm::Timers() {
  const int64_t now = NowMs();
  int64_t handshakes = 0;
  for (const Session* s : sessions_) {
    if (s->state == Session::kConnecting || s->state == Session::kHandshake) ++handshakes;
  }
  for (Session* s : sessions_) {
    if (s->state == Session::kLive && !s->queued.empty()) Flush(*s);
    if (s->due_ms > now) continue;
    switch (s->state) {
      case Session::kWaiting:
        if (s->ever_live || handshakes < max_handshakes_) {
          ++handshakes;
          Connect(*s);
        }
        break;
      case Session::kConnecting:
      case Session::kHandshake:
        ++counts_.handshake_timeouts;
        Drop(*s, false);
        break;
      case Session::kLive: {
        std::string body;
        PutI32(&body, kPingXid);
        PutI32(&body, kOpPing);
        PutFrame(&s->out, body);
        s->due_ms = now + s->timeout_ms / 3;
        Flush(*s);
        break;
      }
      case Session::kExpired:
        break;
    }
  }
}

void SessionSwarm::Poll(int timeout_ms) {
  Timers();
  epoll_event events[512];
  const int n = epoll_wait(epoll_, events, 512, std::min(timeout_ms, 10));
  for (int i = 0; i < n; ++i) {
    Session& s = *static_cast<Session*>(events[i].data.ptr);
    if (s.fd < 0) continue;
    if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      if (s.state == Session::kConnecting) {
        OnWritable(s);  // a failed connect shows as EPOLLERR: SO_ERROR says which
      } else {
        OnReadable(s);
      }
    }
    if (s.fd >= 0 && (events[i].events & EPOLLOUT)) OnWritable(s);
  }
}

}  // namespace pc::loadgen
