#include "supervisor/control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pc {

namespace {

int Connect(const std::string& socket_path) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) {
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

ControlReply RequestLines(const std::string& socket_path, const nlohmann::json& request,
                          std::vector<std::string>* lines) {
  return Request(socket_path, request, [lines](const nlohmann::json& m) {
    if (m.contains("line")) lines->push_back(m.value("line", ""));
  });
}

bool SupervisorRunning(const std::string& socket_path) {
  int fd = Connect(socket_path);
  if (fd < 0) {
    return false;
  }
  ::close(fd);
  return true;
}

ControlReply Request(const std::string& socket_path, const nlohmann::json& request,
                     const std::function<void(const nlohmann::json&)>& on_message) {
  ControlReply reply;
  int fd = Connect(socket_path);
  if (fd < 0) {
    return reply;
  }
  reply.connected = true;
  std::string out = request.dump() + "\n";
  for (size_t sent = 0; sent < out.size();) {
    ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ::close(fd);
      reply.error = "the supervisor closed the connection";
      return reply;
    }
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buffer[8192];
  for (;;) {
    size_t newline;
    while ((newline = in.find('\n')) != std::string::npos) {
      nlohmann::json message = nlohmann::json::parse(in.substr(0, newline), nullptr, false);
      in.erase(0, newline + 1);
      if (message.is_discarded()) {
        continue;
      }
      if (message.contains("ok")) {
        ::close(fd);
        reply.ok = message.value("ok", false);
        reply.error = message.value("error", "");
        if (message.contains("data")) {
          reply.data = message["data"];
        }
        return reply;
      }
      if (on_message) {
        on_message(message);
      }
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      ::close(fd);
      reply.error = "interrupted";
      return reply;
    }
    if (n <= 0) {
      break;
    }
    in.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  reply.error = "the supervisor closed the connection";
  return reply;
}

}  // namespace pc
