// `pseudo-cluster ui`: the supervisor serves the cluster's web page (see Supervisor::UiStarter).
// One page per supervisor; asking again gives the same address.
#include <spdlog/spdlog.h>

#include "supervisor/supervisor.h"

namespace pc {

namespace {

Supervisor::UiStarter& Starter() {
  static Supervisor::UiStarter starter;
  return starter;
}

}  // namespace

void Supervisor::SetUiStarter(UiStarter starter) { Starter() = std::move(starter); }

void Supervisor::OnUiRequest(Connection* conn, const nlohmann::json& request) {
  const int port = request.value("port", 0);
  if (!ui_url_.empty()) {
    if (port != 0 && port != ui_port_) {
      Reply(conn, false,
            "the page is already served on 127.0.0.1:" + std::to_string(ui_port_) +
                " (one page per cluster; run `pseudo-cluster ui` without --port for its address)");
      return;
    }
    Reply(conn, true, "", {{"url", ui_url_}});
    return;
  }
  if (shutting_down_) {
    Reply(conn, false, "the cluster is shutting down");
    return;
  }
  if (!Starter()) {
    Reply(conn, false,
          "this supervisor cannot serve the page: start the cluster with a "
          "pseudo-cluster that has `ui`");
    return;
  }
  std::string error;
  const std::string url = Starter()(cluster_dir_, port, &error);
  if (url.empty()) {
    Reply(conn, false, error);
    return;
  }
  ui_url_ = url;
  const size_t colon = url.find(':', url.find("//"));
  ui_port_ = colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1);
  // The token stays out of the timeline and the log: they are read by more than the owner.
  AddEvent(0, "ui",
           "web page served on 127.0.0.1:" + std::to_string(ui_port_) +
               " (`pseudo-cluster ui` prints its address)");
  Reply(conn, true, "", {{"url", url}});
}

}  // namespace pc
