// ZkSession: one session of Debian's C client (libzookeeper-mt) with blocking calls, for the
// checks a lesson makes in code: did a write succeed, what does a member hold, which session is
// this. The C library's own log goes to a file, not to the lesson's output. The calls may come
// from any one thread at a time (the leader-failover writer runs on its own thread).
#pragma once

#include <zookeeper.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pc::lessons {

// Sends the C client's log lines to `path` (warnings and errors only).
void QuietClientLog(const std::string& path);

class ZkSession {
 public:
  // Connects to `hosts` ("127.0.0.1:p1,127.0.0.1:p2"); nullptr when there is no session within
  // wait_ms (a member that does not serve refuses sessions).
  static std::unique_ptr<ZkSession> Connect(const std::string& hosts, int wait_ms,
                                            int session_timeout_ms = 6000);
  ~ZkSession();
  ZkSession(const ZkSession&) = delete;
  ZkSession& operator=(const ZkSession&) = delete;

  // ZooKeeper return codes (ZOK, ZNODEEXISTS, ZCONNECTIONLOSS, ...).
  int Create(const std::string& path, const std::string& value);
  int Get(const std::string& path, std::string* value);
  int64_t session_id() const;

 private:
  ZkSession() = default;
  static void Watcher(zhandle_t* zh, int type, int state, const char* path, void* ctx);
  zhandle_t* zh_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  int state_ = 0;
};

// One-shot helpers over a fresh session: the result code of a create, the value of a get.
int CreateOnce(const std::string& hosts, const std::string& path, const std::string& value,
               int wait_ms = 4000);
std::optional<std::string> GetOnce(const std::string& hosts, const std::string& path,
                                   int wait_ms = 4000);

}  // namespace pc::lessons

namespace pc::lessons {

// A four-letter word sent to 127.0.0.1:port and the whole answer ("" when nobody answered
// within timeout_ms): what `echo srvr | nc 127.0.0.1 PORT` prints.
std::string AskFourLetter(int port, const std::string& word, int timeout_ms = 3000);

}  // namespace pc::lessons
