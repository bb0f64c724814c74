#include "loadgen/reconfig_client.h"

#include <zookeeper.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pc::loadgen {

namespace {

// The answer to zoo_add_auth, which the C client gives only through a completion.
struct AuthWait {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = ZOK;
};

void OnAuth(int rc, const void* data) {
  auto* wait = static_cast<AuthWait*>(const_cast<void*>(data));
  std::lock_guard<std::mutex> lock(wait->mu);
  wait->done = true;
  wait->rc = rc;
  wait->cv.notify_all();
}

void IgnoreEvents(zhandle_t*, int, int, const char*, void*) {}

using Clock = std::chrono::steady_clock;

// A session with one of `hosts` by `deadline`, or nullptr.
zhandle_t* OpenSession(const ReconfigAsk& ask, Clock::time_point deadline) {
  zhandle_t* zh = zookeeper_init(ask.hosts.c_str(), IgnoreEvents, ask.timeout_ms, nullptr,
                                 nullptr, 0);
  if (zh == nullptr) return nullptr;
  while (zoo_state(zh) != ZOO_CONNECTED_STATE && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (zoo_state(zh) != ZOO_CONNECTED_STATE) {
    zookeeper_close(zh);
    return nullptr;
  }
  return zh;
}

// Whether `config` (ZooKeeper's "server.N=...\nversion=..." text) has what `ask` asked for:
// the joining server's line as it was sent, and no line of the leaving one.
bool ConfigShows(const std::string& config, const ReconfigAsk& ask) {
  const std::string text = "\n" + config + "\n";
  if (!ask.joining.empty() && text.find("\n" + ask.joining + "\n") == std::string::npos) {
    return false;
  }
  return ask.leaving.empty() || text.find("\nserver." + ask.leaving + "=") == std::string::npos;
}

// The answer to a reconfig whose connection was lost on the way: removing the leader ends its
// sessions, and often before the answer is out. A fresh session reads the configuration the
// ensemble settled on (retrying while it elects a leader) and tells whether the change is in.
ReconfigAnswer CheckAfterLoss(const ReconfigAsk& ask, int rc) {
  ReconfigAnswer answer;
  const auto deadline = Clock::now() + std::chrono::milliseconds(ask.timeout_ms);
  while (Clock::now() < deadline) {
    if (zhandle_t* zh = OpenSession(ask, deadline)) {
      char config[4096];
      int config_len = sizeof config;
      Stat stat{};
      const int get_rc = zoo_getconfig(zh, 0, config, &config_len, &stat);
      zookeeper_close(zh);
      if (get_rc == ZOK && config_len > 0) {
        answer.config.assign(config, static_cast<size_t>(config_len));
        if (ConfigShows(answer.config, ask)) {
          answer.ok = true;
          return answer;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  answer.error = ReconfigErrorText(rc) + ", and the configuration read afterwards does not show "
                                         "the change";
  return answer;
}

}  // namespace

std::string ReconfigErrorText(int rc) {
  std::string text = std::string(zerror(rc)) + " (" + std::to_string(rc) + ")";
  switch (rc) {
    case ZBADARGUMENTS:
      return text + ": ZooKeeper refuses this configuration (a removal or demotion that would "
                    "leave too few voters, or a server string it cannot parse)";
    case ZNEWCONFIGNOQUORUM:
      return text + ": no quorum of the new configuration is connected to the leader; start "
                    "the members first, or wait until they follow";
    case ZRECONFIGINPROGRESS:
      return text + ": another reconfig is still in progress; try again";
    case ZRECONFIGDISABLED:
      return text + ": the members run without reconfigEnabled=true";
    case ZNOAUTH:
    case ZAUTHFAILED:
      return text + ": the super password in super.password does not match the members' "
                    "superDigest";
    default:
      return text;
  }
}

ReconfigAnswer CallReconfig(const ReconfigAsk& ask) {
  ReconfigAnswer answer;
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  const auto deadline = Clock::now() + std::chrono::milliseconds(ask.timeout_ms);
  zhandle_t* zh = OpenSession(ask, deadline);
  if (zh == nullptr) {
    answer.error = "no session with " + ask.hosts + " within " +
                   std::to_string(ask.timeout_ms / 1000) + "s";
    return answer;
  }
  AuthWait auth;
  const std::string credentials = "super:" + ask.super_password;
  int rc = zoo_add_auth(zh, "digest", credentials.data(), static_cast<int>(credentials.size()),
                        OnAuth, &auth);
  if (rc == ZOK) {
    std::unique_lock<std::mutex> lock(auth.mu);
    if (!auth.cv.wait_until(lock, deadline, [&] { return auth.done; })) {
      rc = ZOPERATIONTIMEOUT;
    } else {
      rc = auth.rc;
    }
  }
  if (rc != ZOK) {
    zookeeper_close(zh);
    answer.error = "logging in as super: " + ReconfigErrorText(rc);
    return answer;
  }
  char config[4096];
  int config_len = sizeof config;
  Stat stat{};
  rc = zoo_reconfig(zh, ask.joining.empty() ? nullptr : ask.joining.c_str(),
                    ask.leaving.empty() ? nullptr : ask.leaving.c_str(), nullptr, -1, config,
                    &config_len, &stat);
  zookeeper_close(zh);
  if (rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED) {
    return CheckAfterLoss(ask, rc);
  }
  if (rc != ZOK) {
    answer.error = ReconfigErrorText(rc);
    return answer;
  }
  answer.ok = true;
  if (config_len > 0) answer.config.assign(config, static_cast<size_t>(config_len));
  return answer;
}

}  // namespace pc::loadgen
