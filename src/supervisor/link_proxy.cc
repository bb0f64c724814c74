#include "supervisor/link_proxy.h"

#include <netinet/in.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <vector>

namespace pc {

namespace {

struct Connection;

struct Chunk {
  std::string bytes;
  double release_ms;  // loop time at which it may be written
};

// One direction of a connection: reads `from`, writes `to`.
struct Flow {
  Connection* conn = nullptr;
  bool forward = true;
  uv_tcp_t* from = nullptr;
  uv_tcp_t* to = nullptr;
  uv_timer_t timer;
  std::deque<Chunk> queue;
  size_t queued_bytes = 0;
  size_t writing_bytes = 0;  // handed to uv_write, not yet completed
  double last_release_ms = 0;
  bool reading = false;
  bool eof = false;       // the sender finished
  bool shut_down = false; // the FIN was passed on
  bool hello_done = false;
  std::string hello;
  char buffer[LinkProxy::kReadBytesMax];
};

struct Connection {
  LinkProxy::State* owner = nullptr;
  uv_tcp_t client;  // the member that dialled
  uv_tcp_t server;  // the member it wants
  uv_connect_t connect;
  Flow flows[2];  // [0] forward (client -> server), [1] backward
  bool connected = false;
  bool held = false;     // accepted during a blackhole: never dialled
  bool tainted = false;  // lost bytes (or was held): reset once the link heals
  bool closing = false;
  int open_handles = 0;
};

struct WriteRequest {
  uv_write_t req;
  std::string bytes;
  Flow* flow;
};

}  // namespace

struct LinkProxy::State {
  uv_loop_t* loop = nullptr;
  std::string listen_host, target_host;
  int listen_port = 0, target_port = 0;
  uv_tcp_t listener;
  bool listening = false;
  bool closed = false;
  bool owner_gone = false;
  int open_handles = 0;
  LinkFault faults[2];
  FlowCounters counters[2];
  HelloRewrite rewrite;
  std::vector<Connection*> connections;
  std::mt19937 random{std::random_device{}()};

  double Now() const { return static_cast<double>(uv_now(loop)); }
  void MaybeFree() {
    if (owner_gone && open_handles == 0 && connections.empty()) delete this;
  }
};

namespace {

using State = LinkProxy::State;

uv_stream_t* Stream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }
uv_handle_t* Handle(void* h) { return reinterpret_cast<uv_handle_t*>(h); }

void CloseConnection(Connection* c, bool reset);
void StartReading(Flow* f);
void Flush(Flow* f);

void ReleaseHandle(Connection* c) {
  if (--c->open_handles > 0) return;
  State* s = c->owner;
  s->connections.erase(std::remove(s->connections.begin(), s->connections.end(), c),
                       s->connections.end());
  delete c;
  s->MaybeFree();
}

void OnConnectionHandleClosed(uv_handle_t* h) { ReleaseHandle(static_cast<Connection*>(h->data)); }

void OnTimerClosed(uv_handle_t* h) { ReleaseHandle(static_cast<Flow*>(h->data)->conn); }

void CloseTcp(uv_tcp_t* tcp, bool reset) {
  if (uv_is_closing(Handle(tcp))) return;
  if (!reset || uv_tcp_close_reset(tcp, OnConnectionHandleClosed) != 0) {
    uv_close(Handle(tcp), OnConnectionHandleClosed);
  }
}

void CloseConnection(Connection* c, bool reset) {
  if (c->closing) return;
  c->closing = true;
  for (Flow& f : c->flows) {
    uv_close(Handle(&f.timer), OnTimerClosed);
  }
  CloseTcp(&c->client, reset);
  // The server socket is open only once a dial began; an idle one closes plainly.
  CloseTcp(&c->server, reset && c->connected);
}

// Both FINs passed on and nothing left to write: the connection is done.
void MaybeFinish(Connection* c) {
  if (c->flows[0].shut_down && c->flows[1].shut_down && c->flows[0].writing_bytes == 0 &&
      c->flows[1].writing_bytes == 0) {
    CloseConnection(c, false);
  }
}

void PassOnFin(Flow* f) {
  if (f->shut_down || !f->queue.empty() || f->writing_bytes > 0) return;
  f->shut_down = true;
  auto* req = new uv_shutdown_t;
  req->data = f->conn;
  if (uv_shutdown(req, Stream(f->to), [](uv_shutdown_t* r, int) {
        auto* c = static_cast<Connection*>(r->data);
        delete r;
        if (!c->closing) MaybeFinish(c);
      }) != 0) {
    delete req;
    CloseConnection(f->conn, true);
  }
}

void OnWritten(uv_write_t* req, int status) {
  auto* w = static_cast<WriteRequest*>(req->data);
  Flow* f = w->flow;
  f->writing_bytes -= w->bytes.size();
  delete w;
  Connection* c = f->conn;
  if (c->closing) return;
  if (status != 0) {
    CloseConnection(c, true);
    return;
  }
  StartReading(f);
  if (f->eof) PassOnFin(f);
}

void Count(Flow* f, size_t bytes, bool message) {
  State* s = f->conn->owner;
  FlowCounters& counters = s->counters[f->forward ? 0 : 1];
  counters.bytes += bytes;
  counters.messages += message ? 1 : 0;
  counters.last_ms = static_cast<int64_t>(s->Now());
}

void Write(Flow* f, std::string bytes) {
  Count(f, bytes.size(), true);
  auto* w = new WriteRequest{{}, std::move(bytes), f};
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  f->writing_bytes += w->bytes.size();
  if (uv_write(&w->req, Stream(f->to), &buf, 1, OnWritten) != 0) {
    f->writing_bytes -= w->bytes.size();
    delete w;
    CloseConnection(f->conn, true);
  }
}

void Flush(Flow* f) {
  Connection* c = f->conn;
  if (c->closing || !c->connected) return;
  State* s = c->owner;
  const double now = s->Now();
  while (!f->queue.empty() && f->queue.front().release_ms <= now) {
    Chunk chunk = std::move(f->queue.front());
    f->queue.pop_front();
    f->queued_bytes -= chunk.bytes.size();
    Write(f, std::move(chunk.bytes));
    if (c->closing) return;
  }
  if (!f->queue.empty()) {
    const double wait = std::ceil(f->queue.front().release_ms - now);
    uv_timer_start(
        &f->timer, [](uv_timer_t* t) { Flush(static_cast<Flow*>(t->data)); },
        static_cast<uint64_t>(std::max(1.0, wait)), 0);
  }
  StartReading(f);
  if (f->eof) PassOnFin(f);
}

// When the bytes may leave: after the delay (± jitter), never before the previous read, and no
// faster than the bandwidth allows.
double ReleaseTime(Flow* f, size_t n) {
  State* s = f->conn->owner;
  const LinkFault& fault = s->faults[f->forward ? 0 : 1];
  double delay = fault.delay_ms;
  if (fault.jitter_ms > 0) {
    std::uniform_int_distribution<int> jitter(-fault.jitter_ms, fault.jitter_ms);
    delay = std::max(0.0, delay + jitter(s->random));
  }
  double release = std::max(s->Now() + delay, f->last_release_ms);
  if (fault.bandwidth_bps > 0) {
    release += static_cast<double>(n) * 1000.0 / static_cast<double>(fault.bandwidth_bps);
  }
  f->last_release_ms = release;
  return release;
}

// Bytes due now on a flow with nothing queued or being written: hands them to the socket at
// once, straight from where they were read (no copy, no write request, no completion to wait
// for: the common case of a healthy link). Returns how many the socket took; the caller queues
// the rest behind them, so the order holds. A socket error resets the connection.
size_t WriteNow(Flow* f, const char* data, size_t n) {
  uv_buf_t buf = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(n));
  const int written = uv_try_write(Stream(f->to), &buf, 1);
  if (written == UV_EAGAIN) return 0;
  if (written < 0) {
    CloseConnection(f->conn, true);
    return 0;
  }
  const auto taken = static_cast<size_t>(written);
  Count(f, taken, taken == n);  // a read counts as a message once all of it has left
  return taken;
}

void Take(Flow* f, const char* data, size_t n) {
  Connection* c = f->conn;
  State* s = c->owner;
  const LinkFault& fault = s->faults[f->forward ? 0 : 1];
  if (fault.blackhole || c->held) {
    FlowCounters& counters = s->counters[f->forward ? 0 : 1];
    counters.dropped_bytes += n;
    counters.last_ms = static_cast<int64_t>(s->Now());
    c->tainted = true;
    return;
  }
  std::string hello;
  if (f->forward && s->rewrite && !f->hello_done) {
    f->hello.append(data, n);
    if (!s->rewrite(&f->hello)) return;
    f->hello_done = true;
    hello = std::move(f->hello);
    data = hello.data();
    n = hello.size();
  }
  const double release = ReleaseTime(f, n);
  if (release <= s->Now() && c->connected && f->queue.empty() && f->writing_bytes == 0) {
    const size_t taken = WriteNow(f, data, n);
    if (c->closing || taken == n) return;
    data += taken;
    n -= taken;
  }
  f->queued_bytes += n;
  f->queue.push_back({std::string(data, n), release});
  Flush(f);
}

void StopReading(Flow* f) {
  if (f->reading) {
    uv_read_stop(Stream(f->from));
    f->reading = false;
  }
}

void OnFlowRead(Flow* f, ssize_t nread) {
  Connection* c = f->conn;
  if (c->closing) return;
  if (nread > 0) {
    Take(f, f->buffer, static_cast<size_t>(nread));
    if (!c->closing && f->queued_bytes + f->writing_bytes > LinkProxy::kQueuedBytesMax) {
      StopReading(f);
    }
    return;
  }
  if (nread == UV_EOF) {
    if (c->held) {
      // A dialler that gives up on a dial nobody answered: nothing on the far side to keep in
      // step, so the held connection just goes (redials during a partition do not pile up).
      CloseConnection(c, false);
      return;
    }
    StopReading(f);
    f->eof = true;
    const LinkFault& fault = c->owner->faults[f->forward ? 0 : 1];
    if (fault.blackhole || c->held) {
      c->tainted = true;  // the FIN is lost with the rest
      return;
    }
    Flush(f);
    return;
  }
  if (nread < 0) CloseConnection(c, true);
}

void StartReading(Flow* f) {
  Connection* c = f->conn;
  if (f->reading || f->eof || c->closing) return;
  if (f->queued_bytes + f->writing_bytes > LinkProxy::kQueuedBytesMax / 2) return;
  // Before the member answered the dial, only the client side may be read (and held).
  if (!c->connected && !c->held && !f->forward) return;
  f->reading = true;
  uv_read_start(
      Stream(f->from),
      [](uv_handle_t* h, size_t, uv_buf_t* out) {
        auto* tcp = reinterpret_cast<uv_tcp_t*>(h);
        auto* conn = static_cast<Connection*>(h->data);
        Flow* flow = tcp == &conn->client ? &conn->flows[0] : &conn->flows[1];
        *out = uv_buf_init(flow->buffer, sizeof flow->buffer);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        auto* tcp = reinterpret_cast<uv_tcp_t*>(s);
        auto* conn = static_cast<Connection*>(s->data);
        OnFlowRead(tcp == &conn->client ? &conn->flows[0] : &conn->flows[1], nread);
      });
}

void OnDialled(uv_connect_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  if (c->closing) return;
  if (status != 0) {
    CloseConnection(c, true);  // the member is down: the dialler sees a reset, as it would
    return;
  }
  c->connected = true;
  uv_tcp_nodelay(&c->server, 1);
  for (Flow& f : c->flows) {
    StartReading(&f);
    Flush(&f);
  }
}

void Dial(Connection* c) {
  State* s = c->owner;
  sockaddr_in addr{};
  uv_ip4_addr(s->target_host.c_str(), s->target_port, &addr);
  c->connect.data = c;
  if (uv_tcp_connect(&c->connect, &c->server, reinterpret_cast<const sockaddr*>(&addr),
                     OnDialled) != 0) {
    CloseConnection(c, true);
  }
}

Connection* NewConnection(State* s) {
  auto* c = new Connection();
  c->owner = s;
  uv_tcp_init(s->loop, &c->client);
  uv_tcp_init(s->loop, &c->server);
  c->client.data = c;
  c->server.data = c;
  c->open_handles = 4;
  for (int i = 0; i < 2; ++i) {
    Flow& f = c->flows[i];
    f.conn = c;
    f.forward = i == 0;
    f.from = i == 0 ? &c->client : &c->server;
    f.to = i == 0 ? &c->server : &c->client;
    uv_timer_init(s->loop, &f.timer);
    f.timer.data = &f;
  }
  s->connections.push_back(c);
  return c;
}

void OnAccept(uv_stream_t* listener, int status) {
  auto* s = static_cast<State*>(listener->data);
  if (status != 0 || s->closed) return;
  Connection* c = NewConnection(s);
  if (uv_accept(listener, Stream(&c->client)) != 0) {
    CloseConnection(c, false);
    return;
  }
  uv_tcp_nodelay(&c->client, 1);
  const bool refuse = s->faults[0].reset || s->faults[1].reset ||
                      s->connections.size() > LinkProxy::kConnectionsMax;
  if (refuse) {
    CloseConnection(c, true);
    return;
  }
  if (s->faults[0].blackhole || s->faults[1].blackhole) {
    c->held = true;
    c->tainted = true;
    StartReading(&c->flows[0]);
    return;
  }
  StartReading(&c->flows[0]);
  Dial(c);
}

}  // namespace

LinkProxy::LinkProxy(uv_loop_t* loop, std::string listen_host, int listen_port,
                     std::string target_host, int target_port)
    : state_(new State()) {
  state_->loop = loop;
  state_->listen_host = std::move(listen_host);
  state_->target_host = std::move(target_host);
  state_->listen_port = listen_port;
  state_->target_port = target_port;
}

LinkProxy::~LinkProxy() {
  Close();
  state_->owner_gone = true;
  state_->MaybeFree();
}

std::string LinkProxy::Start() {
  State* s = state_;
  const std::string where = listen_address();
  sockaddr_in addr{};
  if (uv_ip4_addr(s->listen_host.c_str(), s->listen_port, &addr) != 0) {
    return "cannot listen on " + where + ": not an IPv4 address";
  }
  uv_tcp_init(s->loop, &s->listener);
  s->listener.data = s;
  s->open_handles++;
  s->listening = true;
  int rc = uv_tcp_bind(&s->listener, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(Stream(&s->listener), 64, OnAccept);
  if (rc != 0) {
    Close();
    return "cannot listen on " + where + ": " +
           (rc == UV_EADDRINUSE ? std::string("address already in use") : uv_strerror(rc));
  }
  return {};
}

void LinkProxy::Close() {
  State* s = state_;
  if (s->closed) return;
  s->closed = true;
  if (s->listening) {
    uv_close(Handle(&s->listener), [](uv_handle_t* h) {
      auto* st = static_cast<State*>(h->data);
      st->open_handles--;
      st->MaybeFree();
    });
  }
  for (Connection* c : std::vector<Connection*>(s->connections)) {
    CloseConnection(c, true);
  }
}

void LinkProxy::SetFaults(const LinkFault& forward, const LinkFault& backward) {
  State* s = state_;
  s->faults[0] = forward;
  s->faults[1] = backward;
  const bool reset = forward.reset || backward.reset;
  const bool blackhole = forward.blackhole || backward.blackhole;
  for (Connection* c : std::vector<Connection*>(s->connections)) {
    if (reset || (c->tainted && !blackhole)) {
      CloseConnection(c, true);
    }
  }
}

void LinkProxy::SetHelloRewrite(HelloRewrite rewrite) { state_->rewrite = std::move(rewrite); }

const FlowCounters& LinkProxy::forward() const { return state_->counters[0]; }
const FlowCounters& LinkProxy::backward() const { return state_->counters[1]; }

int LinkProxy::connections() const {
  int open = 0;
  for (const Connection* c : state_->connections) open += c->closing ? 0 : 1;
  return open;
}

std::string LinkProxy::listen_address() const {
  return state_->listen_host + ":" + std::to_string(state_->listen_port);
}

}  // namespace pc
