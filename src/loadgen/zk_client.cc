#include "loadgen/zk_client.h"

#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace pc::loadgen {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

namespace {

// The C library's log, through a callback on every handle: written to the file
// RedirectClientLog names (or stderr), and its last connection error kept, so that a session
// that cannot be made is reported with the cause the library saw (e.g. "Connection reset by
// peer" from a server over its maxClientCnxns) rather than only as a time-out.
std::mutex log_mu;
std::FILE* log_file = nullptr;
std::string last_socket_error;

void OnClientLog(const char* message) {
  std::lock_guard<std::mutex> lock(log_mu);
  std::fprintf(log_file != nullptr ? log_file : stderr, "%s\n", message);
  const char* socket = std::strstr(message, "Socket ");
  if (socket != nullptr && std::strstr(message, "errno=") != nullptr) {
    last_socket_error = socket;
  }
}

std::string LastSocketError() {
  std::lock_guard<std::mutex> lock(log_mu);
  return last_socket_error;
}

}  // namespace

void RedirectClientLog(const std::string& path) {
  std::lock_guard<std::mutex> lock(log_mu);
  if (log_file == nullptr) {
    log_file = std::fopen(path.c_str(), "a");
  }
  // Connection losses during failover are expected; only warnings and errors are kept.
  zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kCreate:
      return "create";
    case Op::kGet:
      return "get";
    case Op::kSet:
      return "set";
    case Op::kExists:
      return "exists";
    case Op::kDelete:
      return "delete";
    case Op::kMulti:
      return "multi";
  }
  return "?";
}

namespace {

Pending* AsPending(const void* data) { return static_cast<Pending*>(const_cast<void*>(data)); }

void OnString(int rc, const char*, const void* data) { AsPending(data)->Done(rc); }
void OnData(int rc, const char*, int, const Stat*, const void* data) { AsPending(data)->Done(rc); }
void OnStat(int rc, const Stat*, const void* data) { AsPending(data)->Done(rc); }
void OnVoid(int rc, const void* data) { AsPending(data)->Done(rc); }

// A multi's ops and results must outlive the call until its completion: they live here.
struct MultiCall : Pending {
  Pending* inner = nullptr;
  std::string create_path, set_path, value;
  zoo_op_t ops[2];
  zoo_op_result_t results[2];
  char created[256];
  Stat stat;
  void Done(int rc) override {
    inner->Done(rc);
    delete this;
  }
};

// Call(): a waiter that stays alive until both the caller and the completion are done with it.
struct Waiter : Pending {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  int64_t done_ns = 0;
  std::shared_ptr<Waiter> self;  // the completion's reference
  void Done(int result) override {
    const int64_t now = NowNs();
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      rc = result;
      done_ns = now;
      cv.notify_all();
    }
    std::shared_ptr<Waiter> keep = std::move(self);  // may free this at scope end
  }
};

}  // namespace

void ZkClient::Watcher(zhandle_t*, int type, int state, const char* path, void* ctx) {
  auto* self = static_cast<ZkClient*>(ctx);
  std::function<void(int, int, const std::string&)> on_event;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    if (type == ZOO_SESSION_EVENT) {
      self->state_ = state;
      self->cv_.notify_all();
    }
    on_event = self->on_event_;
  }
  if (on_event) {
    on_event(type, state, path != nullptr ? path : "");
  }
}

void ZkClient::OnEvent(std::function<void(int type, int state, const std::string& path)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_event_ = std::move(fn);
}

std::unique_ptr<ZkClient> ZkClient::Connect(const std::string& hosts, int session_timeout_ms,
                                            int wait_ms, std::string* error) {
  std::unique_ptr<ZkClient> client(new ZkClient(nullptr));
  client->zh_ = zookeeper_init2(hosts.c_str(), Watcher, session_timeout_ms, nullptr, client.get(),
                                0, OnClientLog);
  if (client->zh_ == nullptr) {
    *error = "zookeeper_init(" + hosts + ") failed: " + std::strerror(errno);
    return nullptr;
  }
  // By default the client re-resolves the connect string (getaddrinfo) every time it polls its
  // socket, which costs more CPU than a request; it still resolves on a connection loss.
  zoo_set_servers_resolution_delay(client->zh_, -1);
  std::unique_lock<std::mutex> lock(client->mu_);
  const bool connected = client->cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] {
    return client->state_ == ZOO_CONNECTED_STATE;
  });
  lock.unlock();
  if (!connected) {
    *error = "no session with " + hosts + " after " + std::to_string(wait_ms) + " ms";
    if (const std::string cause = LastSocketError(); !cause.empty()) {
      *error += " (the client's last connection error: " + cause + ")";
    }
    return nullptr;
  }
  return client;
}

ZkClient::~ZkClient() {
  if (zh_ != nullptr) {
    zookeeper_close(zh_);
  }
}

bool ZkClient::connected() const { return zh_ != nullptr && zoo_state(zh_) == ZOO_CONNECTED_STATE; }

bool ZkClient::usable() const {
  if (zh_ == nullptr) {
    return false;
  }
  const int state = zoo_state(zh_);
  return state != ZOO_EXPIRED_SESSION_STATE && state != ZOO_AUTH_FAILED_STATE;
}

int ZkClient::Issue(Op op, const std::string& path, const std::string& value, Pending* pending) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  const int len = static_cast<int>(value.size());
  switch (op) {
    case Op::kCreate:
      return zoo_acreate(zh_, path.c_str(), value.data(), len, &ZOO_OPEN_ACL_UNSAFE, 0, OnString,
                         pending);
    case Op::kGet:
      return zoo_aget(zh_, path.c_str(), 0, OnData, pending);
    case Op::kSet:
      return zoo_aset(zh_, path.c_str(), value.data(), len, -1, OnStat, pending);
    case Op::kExists:
      return zoo_aexists(zh_, path.c_str(), 0, OnStat, pending);
    case Op::kDelete:
      return zoo_adelete(zh_, path.c_str(), -1, OnVoid, pending);
    case Op::kMulti: {
      auto* call = new MultiCall();
      call->inner = pending;
      call->create_path = path + "-m";
      call->set_path = path;
      call->value = value;
      zoo_create_op_init(&call->ops[0], call->create_path.c_str(), call->value.data(), len,
                         &ZOO_OPEN_ACL_UNSAFE, 0, call->created, sizeof call->created);
      zoo_set_op_init(&call->ops[1], call->set_path.c_str(), call->value.data(), len, -1,
                      &call->stat);
      const int rc = zoo_amulti(zh_, 2, call->ops, call->results, OnVoid, call);
      if (rc != ZOK) {
        delete call;
      }
      return rc;
    }
  }
  return ZBADARGUMENTS;
}

int ZkClient::Call(Op op, const std::string& path, const std::string& value, int timeout_ms,
                   int64_t* latency_ns) {
  auto waiter = std::make_shared<Waiter>();
  waiter->self = waiter;
  const int64_t start = NowNs();
  const int rc = Issue(op, path, value, waiter.get());
  if (rc != ZOK) {
    waiter->self.reset();
    return rc;
  }
  std::unique_lock<std::mutex> lock(waiter->mu);
  if (!waiter->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return waiter->done; })) {
    return ZOPERATIONTIMEOUT;
  }
  if (latency_ns != nullptr) {
    *latency_ns = waiter->done_ns - start;
  }
  return waiter->rc;
}

namespace {

// What a Get / Set / Create / Children answered. Shared by the caller and the completion, so a
// completion after the caller's timeout writes into memory still alive.
struct Answer {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::string data;
  int32_t version = -1;
  int64_t owner = 0;
  std::vector<std::string> children;
  std::shared_ptr<Answer> self;  // the completion's reference

  void Finish(int result) {
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      rc = result;
      cv.notify_all();
    }
    std::shared_ptr<Answer> keep = std::move(self);  // may free this at scope end
  }
  static Answer* Of(const void* data) { return static_cast<Answer*>(const_cast<void*>(data)); }
};

void OnAnswerData(int rc, const char* value, int len, const Stat* stat, const void* data) {
  Answer* a = Answer::Of(data);
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    if (value != nullptr && len > 0) {
      a->data.assign(value, static_cast<size_t>(len));
    }
    if (stat != nullptr) {
      a->version = stat->version;
      a->owner = stat->ephemeralOwner;
    }
  }
  a->Finish(rc);
}

void OnAnswerStat(int rc, const Stat* stat, const void* data) {
  Answer* a = Answer::Of(data);
  if (rc == ZOK && stat != nullptr) {
    std::lock_guard<std::mutex> lock(a->mu);
    a->version = stat->version;
  }
  a->Finish(rc);
}

void OnAnswerString(int rc, const char* value, const void* data) {
  Answer* a = Answer::Of(data);
  if (rc == ZOK && value != nullptr) {
    std::lock_guard<std::mutex> lock(a->mu);
    a->data = value;
  }
  a->Finish(rc);
}

void OnAnswerStrings(int rc, const String_vector* strings, const void* data) {
  Answer* a = Answer::Of(data);
  if (rc == ZOK && strings != nullptr) {
    std::lock_guard<std::mutex> lock(a->mu);
    for (int i = 0; i < strings->count; ++i) {
      a->children.emplace_back(strings->data[i]);
    }
  }
  a->Finish(rc);
}

// Issues one request through `issue` (which returns the C library's code) and waits.
template <typename IssueFn>
int Await(int timeout_ms, const std::shared_ptr<Answer>& a, IssueFn issue) {
  a->self = a;
  const int rc = issue(static_cast<const void*>(a.get()));
  if (rc != ZOK) {
    a->self.reset();
    return rc;
  }
  std::unique_lock<std::mutex> lock(a->mu);
  if (!a->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return a->done; })) {
    return ZOPERATIONTIMEOUT;
  }
  return a->rc;
}

}  // namespace

int ZkClient::Get(const std::string& path, int timeout_ms, std::string* data, int32_t* version,
                  int64_t* ephemeral_owner) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  auto a = std::make_shared<Answer>();
  const int rc = Await(timeout_ms, a, [&](const void* ctx) {
    return zoo_aget(zh_, path.c_str(), 0, OnAnswerData, ctx);
  });
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    *data = a->data;
    *version = a->version;
    if (ephemeral_owner != nullptr) {
      *ephemeral_owner = a->owner;
    }
  }
  return rc;
}

int ZkClient::Exists(const std::string& path, bool watch, int timeout_ms, int32_t* version) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  auto a = std::make_shared<Answer>();
  const int rc = Await(timeout_ms, a, [&](const void* ctx) {
    return zoo_aexists(zh_, path.c_str(), watch ? 1 : 0, OnAnswerStat, ctx);
  });
  if (rc == ZNONODE) {
    *version = -1;
    return ZOK;
  }
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    *version = a->version;
  }
  return rc;
}

int ZkClient::Close() {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  const int rc = zookeeper_close(zh_);
  zh_ = nullptr;
  return rc;
}

int ZkClient::Set(const std::string& path, const std::string& data, int32_t version, int timeout_ms,
                  int32_t* new_version) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  auto a = std::make_shared<Answer>();
  const int rc = Await(timeout_ms, a, [&](const void* ctx) {
    return zoo_aset(zh_, path.c_str(), data.data(), static_cast<int>(data.size()), version,
                    OnAnswerStat, ctx);
  });
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    *new_version = a->version;
  }
  return rc;
}

int ZkClient::Create(const std::string& path, const std::string& data, int flags, int timeout_ms,
                     std::string* created) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  auto a = std::make_shared<Answer>();
  const int rc = Await(timeout_ms, a, [&](const void* ctx) {
    return zoo_acreate(zh_, path.c_str(), data.data(), static_cast<int>(data.size()),
                       &ZOO_OPEN_ACL_UNSAFE, flags, OnAnswerString, ctx);
  });
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    *created = a->data;
  }
  return rc;
}

int ZkClient::Children(const std::string& path, int timeout_ms,
                       std::vector<std::string>* children) {
  if (zh_ == nullptr) {
    return ZINVALIDSTATE;
  }
  auto a = std::make_shared<Answer>();
  const int rc = Await(timeout_ms, a, [&](const void* ctx) {
    return zoo_aget_children(zh_, path.c_str(), 0, OnAnswerStrings, ctx);
  });
  if (rc == ZOK) {
    std::lock_guard<std::mutex> lock(a->mu);
    *children = a->children;
  }
  return rc;
}

std::string ZkClient::SessionId() const {
  if (zh_ == nullptr) {
    return {};
  }
  const clientid_t* id = zoo_client_id(zh_);
  if (id == nullptr || id->client_id == 0) {
    return {};
  }
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(id->client_id));
  return text;
}

bool ZkClient::Ensure(const std::string& path, const std::string& value) {
  const int rc = Call(Op::kCreate, path, value, 30000);
  return rc == ZOK || rc == ZNODEEXISTS;
}

namespace {

// Counts completions of many requests in flight at once.
struct Batch : Pending {
  std::mutex mu;
  std::condition_variable cv;
  size_t outstanding = 0;
  void Done(int) override {
    std::lock_guard<std::mutex> lock(mu);
    if (--outstanding == 0) {
      cv.notify_all();
    }
  }
};

}  // namespace

void ZkClient::DeleteMany(const std::vector<std::string>& paths) {
  Batch batch;
  constexpr size_t kInFlightMax = 256;
  for (const std::string& path : paths) {
    std::unique_lock<std::mutex> lock(batch.mu);
    batch.cv.wait_for(lock, std::chrono::seconds(30),
                      [&] { return batch.outstanding < kInFlightMax; });
    if (batch.outstanding >= kInFlightMax) {
      break;  // the server stopped answering; leave the rest
    }
    ++batch.outstanding;
    lock.unlock();
    if (Issue(Op::kDelete, path, "", &batch) != ZOK) {
      lock.lock();
      --batch.outstanding;
    }
  }
  std::unique_lock<std::mutex> lock(batch.mu);
  if (!batch.cv.wait_for(lock, std::chrono::seconds(30), [&] { return batch.outstanding == 0; })) {
    // Completions still pointing at `batch` would outlive it: close the session first.
    lock.unlock();
    zookeeper_close(zh_);
    zh_ = nullptr;
  }
}

void ZkClient::RemoveTree(const std::string& path) {
  if (zh_ == nullptr) {
    return;
  }
  String_vector children{};
  if (zoo_get_children(zh_, path.c_str(), 0, &children) == ZOK) {
    std::vector<std::string> paths;
    for (int i = 0; i < children.count; ++i) {
      paths.push_back(path + "/" + children.data[i]);
    }
    deallocate_String_vector(&children);
    DeleteMany(paths);
  }
  if (zh_ != nullptr) {
    zoo_delete(zh_, path.c_str(), -1);
  }
}

}  // namespace pc::loadgen
