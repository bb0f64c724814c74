#include "lessons/zk_session.h"

#include <cstdio>

#include "loadgen/zk_client.h"

namespace pc::lessons {
namespace {

constexpr int kSessionTimeoutMs = 6000;
constexpr int kCallTimeoutMs = 10000;

}  // namespace

int CreateOnce(const std::string& hosts, const std::string& path, const std::string& value,
               int wait_ms) {
  std::string error, created;
  auto client = loadgen::ZkClient::Connect(hosts, kSessionTimeoutMs, wait_ms, &error);
  return client ? client->Create(path, value, 0, kCallTimeoutMs, &created) : ZCONNECTIONLOSS;
}

std::optional<std::string> GetOnce(const std::string& hosts, const std::string& path, int wait_ms) {
  std::string error, value;
  int32_t version = -1;
  auto client = loadgen::ZkClient::Connect(hosts, kSessionTimeoutMs, wait_ms, &error);
  if (!client || client->Get(path, kCallTimeoutMs, &value, &version) != ZOK) {
    return std::nullopt;
  }
  return value;
}

}  // namespace pc::lessons
