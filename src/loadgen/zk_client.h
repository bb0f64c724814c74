// ZkClient: one session of Debian's libzookeeper-mt C client, the client `pseudo-cluster bench`
// measures both engines with (so zkd and Apache ZooKeeper see the very same bytes).
//
// Threads: the C library runs an I/O thread and a completion thread per handle. Async
// completions (Pending::Done) run on that handle's completion thread; everything else here may be
// called from any one thread at a time. Never call the destructor from a completion.
#pragma once

#include <zookeeper.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pc::loadgen {

int64_t NowNs();  // CLOCK_MONOTONIC

// Sends the C library's log lines to `path` (appending) instead of stderr, at warning level.
void RedirectClientLog(const std::string& path);

enum class Op { kCreate, kGet, kSet, kExists, kDelete, kMulti };
const char* OpName(Op op);

// An outstanding async request. Done() runs once on the completion thread with the result code.
struct Pending {
  virtual ~Pending() = default;
  virtual void Done(int rc) = 0;
};

class ZkClient {
 public:
  // Connects to `hosts` ("127.0.0.1:p1,127.0.0.1:p2") and waits up to wait_ms for the session.
  // Returns nullptr and sets *error when there is no session by then.
  static std::unique_ptr<ZkClient> Connect(const std::string& hosts, int session_timeout_ms,
                                           int wait_ms, std::string* error);
  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Issues one async request; `pending` gets Done() unless this returns non-ZOK. kMulti is a
  // create of `path` + "-m" and a set of `path` in one transaction.
  int Issue(Op op, const std::string& path, const std::string& value, Pending* pending);

  // One request, waiting at most timeout_ms. Returns the ZooKeeper code, or ZOPERATIONTIMEOUT
  // when no answer came in time. *latency_ns is issue-to-completion time (completion thread).
  int Call(Op op, const std::string& path, const std::string& value, int timeout_ms,
           int64_t* latency_ns = nullptr);

  // Single requests that return what came back, waiting at most timeout_ms (ZOPERATIONTIMEOUT
  // when no answer came in time; a late answer is dropped). For the chaos workloads, which
  // record values and versions. Set with version -1 sets unconditionally.
  int Get(const std::string& path, int timeout_ms, std::string* data, int32_t* version,
          int64_t* ephemeral_owner = nullptr);
  // exists, setting a watch when `watch`: *version is the node's, or -1 when it is absent (then
  // the answer is ZOK too).
  int Exists(const std::string& path, bool watch, int timeout_ms, int32_t* version);
  // Ends the session (closeSession); the handle is unusable afterwards.
  int Close();
  // Called on the completion thread for every watch notification (type ZOO_CREATED_EVENT, ...)
  // and session state change (type ZOO_SESSION_EVENT). Set it right after Connect.
  void OnEvent(std::function<void(int type, int state, const std::string& path)> fn);
  int Set(const std::string& path, const std::string& data, int32_t version, int timeout_ms,
          int32_t* new_version);
  int Create(const std::string& path, const std::string& data, int flags, int timeout_ms,
             std::string* created);
  int Children(const std::string& path, int timeout_ms, std::vector<std::string>* children);

  // The session id, "0x..." (empty before the session is established).
  std::string SessionId() const;

  // Untimed housekeeping: creates `path` (an existing one is fine); deletes every path, many in
  // flight at once, and then `path`'s remaining children and `path` itself (RemoveTree).
  bool Ensure(const std::string& path, const std::string& value);
  void DeleteMany(const std::vector<std::string>& paths);
  void RemoveTree(const std::string& path);

  // True while the handle has a live connection to a server (not between servers).
  bool connected() const;

  // False once the session expired or was closed: the handle will never reconnect.
  bool usable() const;

 private:
  explicit ZkClient(zhandle_t* zh) : zh_(zh) {}
  static void Watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx);

  zhandle_t* zh_;
  std::mutex mu_;
  std::condition_variable cv_;
  int state_ = 0;
  std::function<void(int, int, const std::string&)> on_event_;
};

}  // namespace pc::loadgen
