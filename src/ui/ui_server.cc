#include "ui/ui_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <thread>

#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "ui/ui_feed.h"

namespace pc::ui {

namespace {

// The commands a page button may send; anything else is refused before the supervisor sees it.
bool AllowedAction(const std::string& cmd) {
  for (const char* c :
       {"kill", "stop", "start", "restart", "pause", "resume", "isolate", "heal", "partition"}) {
    if (cmd == c) return true;
  }
  return false;
}

bool TokenOk(const httplib::Request& req, const std::string& token) {
  if (req.has_param("token")) {
    return req.get_param_value("token") == token;
  }
  return req.get_header_value("X-Token") == token;
}

// One line for the page: the supervisor's first line, or its error.
nlohmann::json Act(const std::string& dir, const nlohmann::json& request) {
  std::vector<std::string> lines;
  const ControlReply reply = RequestLines(SocketPath(dir), request, &lines);
  if (!reply.connected) {
    return {{"ok", false}, {"answer", "the cluster is not running"}};
  }
  if (!reply.ok) {
    return {{"ok", false}, {"answer", reply.error}};
  }
  std::string answer;
  for (const std::string& line : lines) answer += (answer.empty() ? "" : "; ") + line;
  return {{"ok", true}, {"answer", answer.empty() ? "done" : answer}};
}

}  // namespace

std::string MakeToken() {
  unsigned char bytes[16] = {};
  std::ifstream random("/dev/urandom", std::ios::binary);
  random.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  std::string hex;
  char two[3];
  for (unsigned char b : bytes) {
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  return hex;
}

std::string StartUiThread(const std::string& cluster_dir, int port, std::string* error) {
  auto bound = std::make_shared<std::promise<std::string>>();
  auto failure = std::make_shared<std::string>();
  std::thread([cluster_dir, port, bound, failure] {
    UiOptions options;
    options.cluster_dir = cluster_dir;
    options.port = port;
    std::string why;
    const int code = ServeUi(
        options, [&](const std::string& url) { bound->set_value(url); }, [] { return false; },
        &why);
    if (code != 0) {
      *failure = why;
      bound->set_value("");
    }
  }).detach();
  std::string url = bound->get_future().get();
  if (url.empty()) {
    *error = *failure;
  }
  return url;
}

int ServeUi(const UiOptions& options, const std::function<void(const std::string& url)>& ready,
            const std::function<bool()>& stop, std::string* error) {
  const std::string token = MakeToken();
  httplib::Server server;
  // Bound first: the feed's producers start talking to the supervisor only once there is a page.
  const int port = options.port == 0
                       ? server.bind_to_any_port("127.0.0.1")
                       : (server.bind_to_port("127.0.0.1", options.port) ? options.port : -1);
  if (port <= 0) {
    *error = "cannot listen on 127.0.0.1:" + std::to_string(options.port) +
             " (in use? choose another with --port, or leave it out for a free one)";
    return 1;
  }
  UiFeed feed(options.cluster_dir);
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (TokenOk(req, token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 403;
    res.set_content(
        "forbidden: open the address `pseudo-cluster ui` printed (it carries the token)\n",
        "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  auto asset = [](const char* name, const char* type) {
    return [name, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(UiAsset(name), type);
    };
  };
  server.Get("/", [&token](const httplib::Request&, httplib::Response& res) {
    // The page's own requests carry the token too: it is written into its links here.
    std::string page = UiAsset("index.html");
    for (size_t at; (at = page.find("@PAGE_TOKEN@")) != std::string::npos;) {
      page.replace(at, std::strlen("@PAGE_TOKEN@"), token);
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(page, "text/html; charset=utf-8");
  });
  server.Get("/app.js", asset("app.js", "application/javascript; charset=utf-8"));
  server.Get("/style.css", asset("style.css", "text/css; charset=utf-8"));
  server.Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    auto seq = std::make_shared<int64_t>(-1);
    res.set_chunked_content_provider(
        "text/event-stream", [&feed, seq](size_t, httplib::DataSink& sink) {
          const std::vector<nlohmann::json> items = feed.After(*seq, 1000);
          std::string chunk;
          for (const nlohmann::json& item : items) {
            chunk += "data: " + item.dump() + "\n\n";
            *seq = item["seq"].get<int64_t>();
          }
          if (chunk.empty()) {
            chunk = ": keep-alive\n\n";  // also how a closed page is noticed
          }
          return sink.write(chunk.data(), chunk.size());
        });
  });
  server.Post("/api/action", [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !AllowedAction(body.value("cmd", ""))) {
      res.status = 400;
      res.set_content(nlohmann::json({{"ok", false}, {"answer", "unknown action"}}).dump(),
                      "application/json");
      return;
    }
    nlohmann::json request = {{"cmd", body.value("cmd", "")}};
    for (const char* key : {"target", "groups"}) {
      if (body.contains(key)) request[key] = body[key];
    }
    res.set_content(Act(options.cluster_dir, request).dump(), "application/json");
  });

  std::thread watcher([&] {
    while (!stop() && feed.alive()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    server.stop();
  });
  ready("http://127.0.0.1:" + std::to_string(port) + "/?token=" + token);
  server.listen_after_bind();
  watcher.join();
  return 0;
}

}  // namespace pc::ui
