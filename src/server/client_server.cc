#include "server/client_server.h"

#include <dirent.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <fstream>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/zxid.h"
#include "server/address.h"
#include "server/version.h"

namespace zk {

namespace {

constexpr int kListenBacklog = 511;

// ReplyHeader on the wire: xid (int), zxid (long), err (int).
constexpr size_t kReplyHeaderBytes = 16;
// Replies at least this large skip the outbox when the connection is idle (Send).
constexpr size_t kDirectWriteBytes = 64 * 1024;

std::string Framed(const std::string& body) {
  std::string out(4, '\0');
  StoreBigEndian32(out.data(), static_cast<int32_t>(body.size()));
  out += body;
  return out;
}

int64_t DirectorySize(const std::string& dir) {
  int64_t total = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    struct stat st {};
    std::string path = dir + "/" + e->d_name;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  closedir(d);
  return total;
}

int64_t CountOpenFds() {
  int64_t n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n > 0 ? n - 1 : 0;  // minus the directory stream itself
}

int64_t MaxFds() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  return static_cast<int64_t>(rl.rlim_cur);
}

int64_t MeminfoMb(const char* key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t kb = 0;
  std::string unit;
  while (in >> k >> kb >> unit) {
    if (k == key) return kb / 1024;
  }
  return 0;
}

int64_t ResidentMb() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

EnvironmentInfo CollectEnvironment() {
  EnvironmentInfo e;
  char buf[4096];
  if (gethostname(buf, sizeof(buf)) == 0) {
    buf[sizeof(buf) - 1] = '\0';
    e.host_name = buf;
  }
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) e.executable.assign(buf, static_cast<size_t>(n));
#if defined(__clang__)
  e.compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  e.compiler = std::string("gcc ") + __VERSION__;
#endif
  e.libuv_version = uv_version_string();
  utsname u{};
  if (uname(&u) == 0) {
    e.os_name = u.sysname;
    e.os_arch = std::strcmp(u.machine, "x86_64") == 0 ? "amd64" : u.machine;
    e.os_version = u.release;
  }
  if (passwd* pw = getpwuid(getuid())) {
    e.user_name = pw->pw_name;
    e.user_home = pw->pw_dir;
  }
  if (getcwd(buf, sizeof(buf)) != nullptr) e.user_dir = buf;
  return e;
}

ClientConnection* ConnectionOf(void* handle) {
  return static_cast<ClientConnection*>(static_cast<uv_handle_t*>(handle)->data);
}

}  // namespace

int64_t FirstSessionId(int64_t now_ms, int64_t server_id) {
  uint64_t id = (static_cast<uint64_t>(now_ms) << 24) >> 8;
  id |= static_cast<uint64_t>(server_id) << 56;
  return static_cast<int64_t>(id);
}

ServerLimits ServerLimits::FromConfig(const ServerConfig& config) {
  ServerLimits l;
  l.packet_bytes_max = config.jute_max_buffer;
  l.connections_per_ip_max = config.max_client_cnxns;
  return l;
}

void ServerCounters::AddLatency(int64_t ms) {
  if (latency_count == 0 || ms < latency_min_ms) latency_min_ms = ms;
  if (ms > latency_max_ms) latency_max_ms = ms;
  latency_total_ms += ms;
  ++latency_count;
}

void ServerCounters::AddResponseSize(int64_t bytes) {
  last_response_size = bytes;
  if (min_response_size < 0 || bytes < min_response_size) min_response_size = bytes;
  if (bytes > max_response_size) max_response_size = bytes;
}

ClientServer::ClientServer(uv_loop_t* loop, const ServerConfig& config, Machine* machine)
    : loop_(loop), config_(config), limits_(ServerLimits::FromConfig(config)), machine_(machine) {
  env_ = CollectEnvironment();
}

ClientServer::~ClientServer() {
  // Stop() must have run and the loop must have closed every handle.
  assert(connections_.empty());
}

int64_t ClientServer::LoopMs() const { return static_cast<int64_t>(uv_now(loop_)); }

std::string ClientServer::listen_address() const {
  std::string host = config_.client_port_address.empty() ? "0.0.0.0" : config_.client_port_address;
  return host + ":" + std::to_string(config_.client_port);
}

std::string ClientServer::secure_listen_address() const {
  if (!config_.tls.enabled()) return "";
  std::string host = config_.client_port_address.empty() ? "0.0.0.0" : config_.client_port_address;
  return host + ":" + std::to_string(config_.tls.secure_client_port);
}

// Binds and listens on clientPortAddress:port. Returns an error line, empty on success.
std::string ClientServer::Listen(uv_tcp_t* listener, int port) {
  sockaddr_storage addr{};
  // clientPortAddress empty = all interfaces.
  const std::string& host = config_.client_port_address;
  if (!ResolveAddress(host.empty() ? "0.0.0.0" : host, port, &addr)) {
    return "cannot resolve clientPortAddress " + config_.client_port_address;
  }
  uv_tcp_init(loop_, listener);
  listener->data = this;
  int rc = uv_tcp_bind(listener, reinterpret_cast<sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener), kListenBacklog, OnConnection);
  if (rc != 0) {
    std::string why = rc == UV_EADDRINUSE ? "address already in use" : uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(listener), nullptr);
    return "cannot listen on " + (host.empty() ? "0.0.0.0" : host) + ":" + std::to_string(port) +
           ": " + why;
  }
  return "";
}

std::string ClientServer::Start() {
  if (config_.tls.enabled()) {
    std::string error;
    tls_ = TlsContext::Make(config_.tls, &error);
    if (tls_ == nullptr) return config_.path + ": " + error;
  }
  if (std::string error = Listen(&listener_, config_.client_port); !error.empty()) return error;
  if (tls_ != nullptr) {
    if (std::string error = Listen(&secure_listener_, config_.tls.secure_client_port);
        !error.empty()) {
      uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
      return error;
    }
    spdlog::info("TLS clients on {} (secureClientPort; ssl.clientAuth={})",
                 secure_listen_address(), config_.tls.client_auth);
  }
  uv_timer_init(loop_, &tick_timer_);
  tick_timer_.data = this;
  uv_timer_start(&tick_timer_, OnTick, config_.tick_ms, config_.tick_ms);
  uv_check_init(loop_, &flush_check_);
  flush_check_.data = this;
  uv_check_start(&flush_check_, OnFlushAfterPoll);
  uv_prepare_init(loop_, &flush_prepare_);
  flush_prepare_.data = this;
  uv_prepare_start(&flush_prepare_, OnFlushBeforePoll);
  started_ = true;
  start_loop_ms_ = LoopMs();
  last_tick_wall_ms_ = WallMs();
  return {};
}

void ClientServer::Stop() {
  if (stopping_) return;
  stopping_ = true;
  std::vector<ClientConnection*> all;
  for (auto& [id, c] : connections_) all.push_back(c);
  if (!all.empty()) spdlog::info("closing {} client connections", all.size());
  for (ClientConnection* c : all) Close(c, nullptr);
  if (started_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    if (tls_ != nullptr) uv_close(reinterpret_cast<uv_handle_t*>(&secure_listener_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_prepare_), nullptr);
  }
}

// ---- accepting ----

void ClientServer::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<ClientServer*>(server->data);
  if (status < 0) {
    spdlog::warn("accept failed: {}", uv_strerror(status));
    return;
  }
  self->Accept(server);
}

void ClientServer::Accept(uv_stream_t* listener) {
  auto* c = new ClientConnection(this, next_connection_id_++, limits_.packet_bytes_max);
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete ConnectionOf(h); });
    return;
  }
  int port = 0;
  PeerAddress(&c->tcp, &c->ip, &port);
  c->stats.remote = "/" + c->ip + ":" + std::to_string(port);
  c->stats.interest_ops = 1;
  c->stats.established_ms = WallMs();
  c->established_loop_ms = LoopMs();
  c->last_activity_wall_ms = c->stats.established_ms;
  uv_tcp_nodelay(&c->tcp, 1);

  const char* refusal = nullptr;
  if (stopping_) {
    refusal = "server shutting down";
  } else if (connections_.size() >= limits_.connections_max) {
    refusal = "connections_max reached";
  } else if (limits_.connections_per_ip_max > 0 &&
             per_ip_[c->ip] >= limits_.connections_per_ip_max) {
    refusal = "per-IP limit reached";
  }
  if (refusal != nullptr) {
    ++counters_.connections_rejected;
    spdlog::warn("Too many connections from {} - max is {} ({}); closing", c->stats.remote,
                 refusal[0] == 'p' ? limits_.connections_per_ip_max
                                   : static_cast<int>(limits_.connections_max),
                 refusal);
    c->state = ClientConnection::State::kClosing;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete ConnectionOf(h); });
    return;
  }
  if (listener == reinterpret_cast<uv_stream_t*>(&secure_listener_)) {
    c->tls = std::make_unique<TlsSession>(tls_->get());
  }
  connections_[c->id] = c;
  ++per_ip_[c->ip];
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
}

// ---- reading ----

void ClientServer::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  ClientConnection* c = ConnectionOf(handle);
  buf->base = c->read_buffer;
  buf->len = sizeof(c->read_buffer);
}

void ClientServer::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  ClientConnection* c = ConnectionOf(stream);
  ClientServer* self = c->server;
  if (c->state == ClientConnection::State::kClosing) return;
  if (nread < 0) {
    self->Close(c, nread == UV_EOF ? nullptr : uv_strerror(static_cast<int>(nread)));
    return;
  }
  if (nread == 0) return;
  self->counters_.bytes_received += nread;
  c->last_activity_wall_ms = WallMs();
  if (c->state == ClientConnection::State::kFourLetter) return;  // ignore what follows the word
  std::string_view bytes(buf->base, static_cast<size_t>(nread));
  std::string plain;
  if (c->tls != nullptr) {
    if (!self->Unseal(c, bytes, &plain)) return;
    bytes = plain;
  }
  c->reader.Feed(bytes);
  self->HandleBytes(c);
  self->Drain();
}

bool ClientServer::Unseal(ClientConnection* c, std::string_view cipher, std::string* plain) {
  bool was_established = c->tls->established();
  if (!c->tls->Receive(cipher, plain)) {
    // A plain client on this port, a certificate the trust store rejects, a broken record:
    // this connection goes, with one line saying why; nobody else notices.
    if (!was_established) ++counters_.unsuccessful_handshakes;
    const std::string& why = c->tls->error();
    Close(c, why.empty() ? nullptr : why.c_str());
    return false;
  }
  if (c->tls->has_outgoing()) MarkDirty(c);  // handshake records to send back
  return true;
}

void ClientServer::HandleBytes(ClientConnection* c) {
  while ((c->state == ClientConnection::State::kHandshake ||
          c->state == ClientConnection::State::kSession) &&
         !c->close_after_flush && !c->session_opening) {
    // A four-letter word is recognised only as the first 4 bytes of a connection.
    if (c->state == ClientConnection::State::kHandshake && c->stats.recved == 0) {
      std::string_view head = c->reader.buffered();
      if (head.size() < 4) return;
      if (IsFourLetterWord(head.substr(0, 4))) {
        HandleFourLetterWord(c);
        return;
      }
    }
    std::string_view frame;
    switch (c->reader.Next(&frame)) {
      case FrameReader::Status::kNeedMore:
        return;
      case FrameReader::Status::kBadLength:
        spdlog::info("closing {}: packet length {} is out of range (0..{} jute.maxbuffer)",
                     c->stats.remote, c->reader.bad_length(), limits_.packet_bytes_max);
        Close(c, nullptr);
        return;
      case FrameReader::Status::kFrame:
        break;
    }
    ++c->stats.recved;
    ++counters_.packets_received;
    if (c->state == ClientConnection::State::kHandshake) {
      HandleConnect(c, frame);
    } else {
      HandleRequest(c, frame);
    }
  }
}

bool ClientServer::HandleFourLetterWord(ClientConnection* c) {
  std::string word(c->reader.buffered().substr(0, 4));
  if (word == "stmk") {
    // Set trace mask: the word is followed by a long.
    if (c->reader.buffered().size() < 12) return false;
    trace_mask_ = JuteReader(c->reader.buffered().substr(4, 8)).Long();
    c->reader.Skip(12);
  } else {
    c->reader.Skip(4);
  }
  c->state = ClientConnection::State::kFourLetter;
  c->stats.interest_ops = 0;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  ++c->stats.recved;
  ++counters_.packets_received;
  std::string text;
  if (!config_.four_letter_whitelist.count(word)) {
    spdlog::info("four-letter word {} from {} refused: not in 4lw.commands.whitelist", word,
                 c->stats.remote);
    text = WhitelistRefusal(word);
  } else {
    if (word == "srst") ResetServerStats();
    if (word == "crst") {
      for (auto& [id, other] : connections_) other->ResetStats();
    }
    text = RenderFourLetterWord(word, Snapshot());
  }
  ++counters_.packets_sent;
  ++c->stats.sent;
  Send(c, std::move(text));
  CloseAfterFlush(c);
  return true;
}

// ---- handshake ----

void ClientServer::HandleConnect(ClientConnection* c, std::string_view frame) {
  ++counters_.connection_requests;
  ConnectRequest req;
  JuteReader r(frame);
  if (!req.Read(r)) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info("closing {}: malformed ConnectRequest ({} bytes)", c->stats.remote,
                 frame.size());
    Close(c, nullptr);
    return;
  }
  c->has_read_only_byte = req.has_read_only;
  const bool read_only = machine_->read_only();
  if (ensemble_.serving && !ensemble_.serving() && !read_only) {
    // As ZooKeeper: a member without a leader closes the connection without a response.
    ++counters_.unsuccessful_handshakes;
    Close(c, nullptr);
    return;
  }
  if (read_only && !req.read_only) {
    // As ZooKeeper: a client that did not say it accepts a read-only server (an old client
    // never does) must find a read-write one.
    ++counters_.unsuccessful_handshakes;
    spdlog::info("Refusing session request for not-read-only client {}", c->stats.remote);
    Close(c, nullptr);
    return;
  }
  if (req.last_zxid_seen > machine_->core().last_zxid()) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info(
        "Refusing session request for client {} as it has seen zxid {} our last zxid is {} "
        "client must try another server",
        c->stats.remote, ZxidHex(req.last_zxid_seen), ZxidHex(machine_->core().last_zxid()));
    Close(c, nullptr);
    return;
  }
  if (req.session_id == 0) {
    OpenSessionResult s = machine_->OpenSession(req.timeout_ms, c->ip, WallMs());
    BindSession(c, s.session_id, s.timeout_ms);
    c->session_opening = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
    c->pending.push_back({0, OpCode::kCreateSession, LoopMs()});
    c->stats.queued = static_cast<int64_t>(c->pending.size());
    // The ConnectResponse goes out with the kSessionOpened output (Drain).
    return;
  }
  Reattach(c, req);
}

void ClientServer::Reattach(ClientConnection* c, const ConnectRequest& req) {
  // This server's other connection for the session goes first.
  if (auto it = by_session_.find(req.session_id); it != by_session_.end() && it->second != c) {
    Close(it->second, "session re-attached from another connection");
  }
  int32_t timeout = machine_->Reattach(req.session_id, req.passwd, req.timeout_ms, c->ip);
  ConnectResponse resp;
  resp.has_read_only = req.has_read_only;
  resp.read_only = machine_->read_only();
  if (timeout == 0) {
    ++counters_.unsuccessful_handshakes;
    spdlog::info("Invalid session {} for client {}, probably expired", ZxidHex(req.session_id),
                 c->stats.remote);
    resp.passwd.assign(16, '\0');
    SendConnectResponse(c, resp);
    CloseAfterFlush(c);
    c->state = ClientConnection::State::kFourLetter;  // read nothing more
    return;
  }
  BindSession(c, req.session_id, timeout);
  resp.timeout_ms = timeout;
  resp.session_id = req.session_id;
  resp.passwd = Core::SessionPassword(req.session_id);
  SendConnectResponse(c, resp);
  spdlog::info("Established session {} with negotiated timeout {} for client {} (re-attached)",
               ZxidHex(req.session_id), timeout, c->stats.remote);
}

void ClientServer::BindSession(ClientConnection* c, int64_t session_id, int32_t timeout_ms) {
  c->session_id = session_id;
  c->state = ClientConnection::State::kSession;
  c->stats.session_id = session_id;
  c->stats.timeout_ms = timeout_ms;
  by_session_[session_id] = c;
}

void ClientServer::SendConnectResponse(ClientConnection* c, const ConnectResponse& resp) {
  JuteWriter w;
  resp.Write(w);
  Send(c, Framed(w.data()));
  ++counters_.packets_sent;
  ++c->stats.sent;
}

// ---- requests ----

void ClientServer::HandleRequest(ClientConnection* c, std::string_view frame) {
  JuteReader r(frame);
  RequestHeader h;
  if (!h.Read(r)) {
    spdlog::info("closing {}: request shorter than its header", c->stats.remote);
    Close(c, nullptr);
    return;
  }
  int64_t now = LoopMs();
  if (h.type == ToInt(OpCode::kPing)) {
    machine_->Touch(c->session_id);
    if (c->pending.empty()) {
      AnswerPing(c, now);
    } else {
      // Replies leave in request order (as ZooKeeper's pipeline keeps them): the ping is
      // answered once the requests before it are.
      c->pending.push_back({kXidPing, OpCode::kPing, now});
      c->stats.queued = static_cast<int64_t>(c->pending.size());
    }
    return;
  }
  if (h.type == ToInt(OpCode::kSasl)) {
    HandleSasl(c, h.xid, frame.substr(8));
    return;
  }
  ClientRequest req;
  req.session_id = c->session_id;
  req.xid = h.xid;
  req.op = static_cast<OpCode>(h.type);
  req.body.assign(frame.substr(8));
  c->pending.push_back({h.xid, req.op, now});
  c->stats.queued = static_cast<int64_t>(c->pending.size());
  if (storage_.accepting_writes && IsWriteOp(req.op) && !storage_.accepting_writes()) {
    // The log cannot be written (durable_store.h): refuse before the write takes a zxid,
    // in the session's reply order.
    machine_->Refuse(req, Err::kNotReadOnly);
  } else {
    machine_->Submit(std::move(req), WallMs());
  }
  // Drain after each frame: a reply may close this connection (unknown op, closeSession).
  Drain();
}

void ClientServer::AnswerPing(ClientConnection* c, int64_t start_ms) {
  int64_t now = LoopMs();
  SendReply(c, kXidPing, machine_->core().last_zxid(), Err::kOk, {});
  c->RecordResponse(kXidPing, machine_->core().last_zxid(), OpCode::kPing, start_ms, now);
  counters_.AddLatency(now - start_ms);
}

void ClientServer::AnswerQueuedPings(ClientConnection* c) {
  while (!c->pending.empty() && c->pending.front().op == OpCode::kPing) {
    int64_t start = c->pending.front().start_ms;
    c->pending.pop_front();
    c->stats.queued = static_cast<int64_t>(c->pending.size());
    AnswerPing(c, start);
  }
}

// ---- outputs ----

void ClientServer::Drain() {
  // The spare buffer goes out and comes back, so a drain per request allocates nothing; a
  // drain nested in Deliver finds no spare and simply allocates.
  std::vector<Output> outputs;
  outputs.swap(drain_spare_);
  if (take_client_outputs_) {
    take_client_outputs_(&outputs);
  } else {
    machine_->TakeReady(&ready_);
    assert(ready_.log_appends.empty());  // nothing to persist: the Core applies on submit
    outputs.swap(ready_.client_outputs);
  }
  for (const Output& o : outputs) Deliver(o);
  outputs.clear();
  if (outputs.capacity() > drain_spare_.capacity()) drain_spare_.swap(outputs);
  ResumeOpenedSessions();
}

void ClientServer::ResumeOpenedSessions() {
  if (opened_.empty()) return;
  std::vector<uint64_t> ids;
  ids.swap(opened_);
  for (uint64_t id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ClientConnection* c = it->second;
    c->session_opening = false;
    if (c->state != ClientConnection::State::kSession) continue;
    uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
    HandleBytes(c);  // what the client sent behind its ConnectRequest
  }
  Drain();
}

void ClientServer::Deliver(const Output& o) {
  auto it = by_session_.find(o.session_id);
  ClientConnection* c = it == by_session_.end() ? nullptr : it->second;
  switch (o.kind) {
    case Output::Kind::kReply: {
      if (c == nullptr) return;  // the connection went away; the client will retry
      int64_t now = LoopMs();
      OpCode op = OpCode::kError;
      int64_t start = now;
      if (!c->pending.empty() && c->pending.front().xid == o.xid) {
        op = c->pending.front().op;
        start = c->pending.front().start_ms;
        c->pending.pop_front();
        c->stats.queued = static_cast<int64_t>(c->pending.size());
      }
      if (o.xid == kXidAuth && o.err == Err::kAuthFailed) ++counters_.auth_failed;
      SendReply(c, o.xid, o.zxid, o.err, o.body);
      c->RecordResponse(o.xid, o.zxid, op, start, now);
      counters_.AddLatency(now - start);
      if (o.close_after) {
        CloseAfterFlush(c);
        return;
      }
      AnswerQueuedPings(c);
      return;
    }
    case Output::Kind::kNotification: {
      if (c == nullptr) return;
      JuteWriter w;
      ReplyHeader{kXidNotification, -1, 0}.Write(w);
      w.Raw(o.body);
      Send(c, Framed(w.data()));
      ++counters_.packets_sent;
      ++c->stats.sent;
      return;
    }
    case Output::Kind::kSessionOpened: {
      if (c == nullptr) return;
      ConnectResponse resp;
      resp.timeout_ms = o.timeout_ms;
      resp.session_id = o.session_id;
      resp.passwd = o.body;
      resp.has_read_only = c->has_read_only_byte;
      resp.read_only = o.read_only;
      SendConnectResponse(c, resp);
      if (c->session_opening) opened_.push_back(c->id);
      int64_t now = LoopMs();
      int64_t start = now;
      if (!c->pending.empty() && c->pending.front().op == OpCode::kCreateSession) {
        start = c->pending.front().start_ms;
        c->pending.pop_front();
        c->stats.queued = static_cast<int64_t>(c->pending.size());
      }
      c->RecordResponse(0, o.zxid, OpCode::kCreateSession, start, now);
      counters_.AddLatency(now - start);
      AnswerQueuedPings(c);
      spdlog::info("Established session {} with negotiated timeout {} for client {}",
                   ZxidHex(o.session_id), o.timeout_ms, c->stats.remote);
      return;
    }
    case Output::Kind::kCloseSession: {
      if (c == nullptr) return;
      // The session is gone: nothing to tell the Core when the connection closes.
      by_session_.erase(it);
      c->session_id = 0;
      CloseAfterFlush(c);
      return;
    }
    case Output::Kind::kPersist:
    case Output::Kind::kForward:
    case Output::Kind::kSyncDone:
      // The Machine turns these into log appends and messages; none is a client output.
      spdlog::error("unexpected core output kind {} among the client outputs",
                    static_cast<int>(o.kind));
      assert(false);
      return;
  }
}

void ClientServer::DeliverOutputs() {
  Drain();
  FlushDirty();
}

void ClientServer::CloseClientConnections(const char* why) {
  std::vector<ClientConnection*> clients;
  for (auto& [id, c] : connections_) {
    if (c->state != ClientConnection::State::kFourLetter) clients.push_back(c);
  }
  if (!clients.empty()) spdlog::info("closing {} client connections: {}", clients.size(), why);
  for (ClientConnection* c : clients) Close(c, nullptr);
}

void ClientServer::CloseSessionConnection(int64_t session_id, const char* why) {
  auto it = by_session_.find(session_id);
  if (it != by_session_.end()) Close(it->second, why);
}

void ClientServer::SendReply(ClientConnection* c, int32_t xid, int64_t zxid, Err err,
                             const std::string& body) {
  SendReplyWithBody(c, xid, zxid, err,
                    err == Err::kOk ? std::string_view(body) : std::string_view());
}

void ClientServer::SendReplyWithBody(ClientConnection* c, int32_t xid, int64_t zxid, Err err,
                                     std::string_view payload) {
  // Frame length and ReplyHeader (xid, zxid, err) are built on the stack and go straight into
  // the outbox with the body: this runs once per reply.
  char head[4 + kReplyHeaderBytes];
  StoreBigEndian32(head, static_cast<int32_t>(kReplyHeaderBytes + payload.size()));
  StoreBigEndian32(head + 4, xid);
  StoreBigEndian32(head + 8, static_cast<int32_t>(static_cast<uint64_t>(zxid) >> 32));
  StoreBigEndian32(head + 12, static_cast<int32_t>(zxid));
  StoreBigEndian32(head + 16, ToInt(err));
  counters_.AddResponseSize(static_cast<int64_t>(kReplyHeaderBytes + payload.size()));
  ++counters_.packets_sent;
  ++c->stats.sent;
  Send(c, std::string_view(head, sizeof head), payload);
}

// ---- writing ----

void ClientServer::Send(ClientConnection* c, std::string_view frame, std::string_view more) {
  if (c->state == ClientConnection::State::kClosing) return;
  size_t bytes = frame.size() + more.size();
  if (c->backlog_bytes() + bytes > limits_.buffered_bytes_per_connection_max) {
    spdlog::warn("closing {}: {} bytes of replies unread (buffered_bytes_per_connection_max {})",
                 c->stats.remote, c->backlog_bytes() + bytes,
                 limits_.buffered_bytes_per_connection_max);
    Close(c, nullptr);
    return;
  }
  if (more.size() >= kDirectWriteBytes && c->outbox.empty() && !c->write_in_flight &&
      c->state == ClientConnection::State::kSession && c->tls == nullptr) {
    // A large reply (getChildren of a wide node) on an idle connection goes to the socket from
    // the caller's buffer; only what the socket does not take at once is copied into the
    // outbox. Copying a 1.6 MB reply first cost about as much as building it. Nothing is queued
    // before it, so the order of replies holds; errors are left to the ordinary write.
    uv_buf_t bufs[2] = {uv_buf_init(const_cast<char*>(frame.data()), frame.size()),
                        uv_buf_init(const_cast<char*>(more.data()), more.size())};
    int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&c->tcp), bufs, 2);
    if (n > 0) {
      size_t sent = static_cast<size_t>(n);
      size_t from_frame = std::min(sent, frame.size());
      frame.remove_prefix(from_frame);
      more.remove_prefix(sent - from_frame);
      if (frame.empty() && more.empty()) return;
    }
  }
  c->outbox.append(frame);
  c->outbox.append(more);
  MarkDirty(c);
}

void ClientServer::MarkDirty(ClientConnection* c) {
  if (c->dirty) return;
  c->dirty = true;
  dirty_.push_back(c->id);
}

void ClientServer::OnFlushAfterPoll(uv_check_t* check) {
  static_cast<ClientServer*>(check->data)->FlushDirty();
}

void ClientServer::OnFlushBeforePoll(uv_prepare_t* prepare) {
  static_cast<ClientServer*>(prepare->data)->FlushDirty();
}

void ClientServer::FlushDirty() {
  std::vector<uint64_t> ids;
  ids.swap(dirty_);
  for (uint64_t id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    it->second->dirty = false;
    Flush(it->second);
  }
}

void ClientServer::Flush(ClientConnection* c) {
  if (c->state == ClientConnection::State::kClosing || c->write_in_flight) return;
  if (c->tls != nullptr) {
    // The outbox holds plaintext (nothing is answered before the handshake ends); it leaves
    // as TLS records, after whatever the handshake still has to send.
    std::string plain;
    plain.swap(c->outbox);
    c->tls->TakeOutgoing(&c->outbox);
    if (!plain.empty() && !c->tls->Seal(plain)) {
      Close(c, c->tls->error().c_str());
      return;
    }
    if (c->close_after_flush) c->tls->Shutdown();
    c->tls->TakeOutgoing(&c->outbox);
  }
  if (c->outbox.empty()) {
    if (c->close_after_flush) {
      c->state = ClientConnection::State::kClosing;
      int rc = uv_shutdown(&c->shutdown_req, reinterpret_cast<uv_stream_t*>(&c->tcp), OnShutdown);
      if (rc != 0) {
        c->state = ClientConnection::State::kFourLetter;
        Close(c, nullptr);
      }
    }
    return;
  }
  c->writing.swap(c->outbox);
  c->outbox.clear();
  uv_buf_t buf = uv_buf_init(c->writing.data(), static_cast<unsigned>(c->writing.size()));
  c->write_in_flight = true;
  c->write_req.data = c;
  int rc = uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1, OnWrite);
  if (rc != 0) {
    c->write_in_flight = false;
    Close(c, uv_strerror(rc));
  }
}

void ClientServer::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<ClientConnection*>(req->data);
  ClientServer* self = c->server;
  c->write_in_flight = false;
  c->writing.clear();
  if (c->state == ClientConnection::State::kClosing) return;
  if (status < 0) {
    self->Close(c, uv_strerror(status));
    return;
  }
  if (!c->outbox.empty() || c->close_after_flush) self->MarkDirty(c);
}

void ClientServer::OnShutdown(uv_shutdown_t* req, int) {
  auto* c = static_cast<ClientConnection*>(req->handle->data);
  ClientServer* self = c->server;
  // State is already kClosing; finish the bookkeeping and close the handle.
  c->state = ClientConnection::State::kFourLetter;
  self->Close(c, nullptr);
}

void ClientServer::CloseAfterFlush(ClientConnection* c) {
  c->close_after_flush = true;
  MarkDirty(c);
}

// ---- closing ----

void ClientServer::Close(ClientConnection* c, const char* why) {
  if (c->state == ClientConnection::State::kClosing) return;
  if (why != nullptr) {
    spdlog::info("closing connection {} (session {}): {}", c->stats.remote,
                 ZxidHex(c->session_id), why);
  }
  c->state = ClientConnection::State::kClosing;
  if (c->session_id != 0) {
    auto it = by_session_.find(c->session_id);
    if (it != by_session_.end() && it->second == c) {
      by_session_.erase(it);
      machine_->ConnectionClosed(c->session_id);
    }
  }
  connections_.erase(c->id);
  if (auto it = per_ip_.find(c->ip); it != per_ip_.end() && --it->second <= 0) per_ip_.erase(it);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnClosed);
}

void ClientServer::OnClosed(uv_handle_t* handle) { delete ConnectionOf(handle); }

// ---- time ----

void ClientServer::OnTick(uv_timer_t* timer) {
  auto* self = static_cast<ClientServer*>(timer->data);
  int64_t now = WallMs();
  self->last_tick_wall_ms_ = now;
  if (!self->ensemble_.serving) self->machine_->Tick(now);  // a Replica ticks on its own timer
  self->Drain();
  // A connection that never completes its handshake is closed after minSessionTimeout.
  int64_t loop_now = self->LoopMs();
  std::vector<ClientConnection*> stale;
  for (auto& [id, c] : self->connections_) {
    if (c->state == ClientConnection::State::kHandshake &&
        loop_now - c->established_loop_ms > self->config_.min_session_timeout_ms) {
      stale.push_back(c);
    }
  }
  for (ClientConnection* c : stale) {
    ++self->counters_.unsuccessful_handshakes;
    self->Close(c, "no ConnectRequest within minSessionTimeout");
  }
}

int64_t ClientServer::ExpiryBucketMs(int64_t wall_ms) const {
  int64_t tick = config_.tick_ms;
  return (wall_ms / tick + 1) * tick;  // ExpiryQueue.roundToNextInterval
}

void ClientServer::ResetServerStats() {
  ServerCounters fresh;
  fresh.bytes_received = 0;
  counters_ = fresh;
}

// ---- four-letter-word snapshot ----

StatsSnapshot ClientServer::Snapshot() const {
  StatsSnapshot s;
  s.version = FullVersion();
  s.mode = ensemble_.mode ? ensemble_.mode() : "standalone";
  if (ensemble_.serving) s.serving = ensemble_.serving();
  s.read_only = machine_->read_only();
  s.serving = s.serving || s.read_only;
  s.now_ms = WallMs();
  s.latency_min_ms = counters_.latency_count ? counters_.latency_min_ms : 0;
  s.latency_max_ms = counters_.latency_max_ms;
  s.latency_total_ms = counters_.latency_total_ms;
  s.latency_count = counters_.latency_count;
  s.packets_received = counters_.packets_received;
  s.packets_sent = counters_.packets_sent;
  s.zxid = machine_->last_processed_zxid();
  s.node_count = static_cast<int64_t>(machine_->core().tree().node_count());
  s.approximate_data_size = machine_->core().tree().approximate_data_size();
  s.ephemerals_count = static_cast<int64_t>(machine_->core().tree().ephemeral_count());
  s.watch_count = static_cast<int64_t>(machine_->core().watches().count());
  s.session_count = static_cast<int64_t>(machine_->core().sessions().size());
  s.uptime_ms = LoopMs() - start_loop_ms_;
  s.open_fds = CountOpenFds();
  s.max_fds = MaxFds();
  s.last_response_size = counters_.last_response_size;
  s.min_response_size = counters_.min_response_size;
  s.max_response_size = counters_.max_response_size;
  s.auth_failed_count = counters_.auth_failed;
  s.counters["bytes_received_count"] = counters_.bytes_received;
  s.counters["connection_rejected"] = counters_.connections_rejected;
  s.counters["unsuccessful_handshake"] = counters_.unsuccessful_handshakes;
  s.counters["connection_request_count"] = counters_.connection_requests;

  int64_t outstanding = 0;
  for (const auto& [id, c] : connections_) {
    ConnectionStats cs = c->stats;
    if (c->state == ClientConnection::State::kSession && c->backlog_bytes() > 0) {
      cs.interest_ops = 5;  // OP_READ | OP_WRITE
    }
    int32_t timeout = c->session_id != 0 ? c->stats.timeout_ms : config_.min_session_timeout_ms;
    cs.expire_at_ms = ExpiryBucketMs(c->last_activity_wall_ms + timeout);
    outstanding += cs.queued;
    s.connections.push_back(std::move(cs));
  }
  s.outstanding = outstanding;

  const SessionTable& sessions = machine_->core().sessions();
  for (const auto& [id, session] : sessions.all()) {
    int64_t ticks_left = session.expire_tick - sessions.now_tick();
    s.sessions.push_back({id, last_tick_wall_ms_ + ticks_left * config_.tick_ms});
  }
  s.ephemerals = &machine_->core().tree().ephemerals();
  s.watches = &machine_->core().watches();

  s.client_port = config_.client_port;
  if (config_.tls.enabled()) s.secure_client_port = config_.tls.secure_client_port;
  s.data_dir = config_.data_dir;
  s.data_log_dir = config_.data_log_dir;
  s.data_dir_size = DirectorySize(config_.data_dir + "/version-2");
  s.log_dir_size = DirectorySize(config_.data_log_dir + "/version-2");
  s.tick_ms = config_.tick_ms;
  s.max_client_cnxns = config_.max_client_cnxns;
  s.min_session_timeout_ms = config_.min_session_timeout_ms;
  s.max_session_timeout_ms = config_.max_session_timeout_ms;
  s.server_id = config_.server_id;
  s.trace_mask = trace_mask_;
  s.env = env_;
  s.env.memory_free_mb = MeminfoMb("MemAvailable:");
  s.env.memory_max_mb = MeminfoMb("MemTotal:");
  s.env.memory_total_mb = ResidentMb();
  if (ensemble_.fill_stats) ensemble_.fill_stats(&s);
  return s;
}

}  // namespace zk
