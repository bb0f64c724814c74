#include "lessons/zk_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
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

std::string AskFourLetter(int port, const std::string& word, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return "";
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size())) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        continue;
      }
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        break;  // the server closes the connection after its answer
      }
      answer.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return answer;
}

}  // namespace pc::lessons
