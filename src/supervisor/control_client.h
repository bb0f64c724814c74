// ControlClient: the command-line side of the control socket (see supervisor_control.cc for the
// protocol). Blocking and single-use: connect, send one request, read JSON lines until the final
// {"ok":...} line or end of stream. Used from the short-lived `pseudo-cluster <command>` process.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pc {

struct ControlReply {
  bool connected = false;  // false: no supervisor listens on the socket
  bool ok = false;
  std::string error;
  nlohmann::json data;
};

// Sends `request` to the supervisor at `socket_path`. Every {"line":..} and {"event":..} message
// before the final reply goes to `on_message` (may be empty).
ControlReply Request(const std::string& socket_path, const nlohmann::json& request,
                     const std::function<void(const nlohmann::json&)>& on_message = {});

// Request() for an action (kill, partition, ...): its {"line": ...} messages, in order, go to
// *lines. What `top`'s keys and the web page's buttons show as the action's answer.
ControlReply RequestLines(const std::string& socket_path, const nlohmann::json& request,
                          std::vector<std::string>* lines);

// True when a supervisor accepts connections on `socket_path`.
bool SupervisorRunning(const std::string& socket_path);

}  // namespace pc
