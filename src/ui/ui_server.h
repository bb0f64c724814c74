// `pseudo-cluster ui`: the live web page of a running cluster, served by its supervisor's
// process (Supervisor::UiStarter) on 127.0.0.1 only, every
// request checked against a token made for this run (so another local user cannot drive the
// cluster). Routes: / (the page), /app.js, /style.css, /feed (server-sent events: the UiFeed's
// items, first the recorded ones, then live), /api/action (POST {"cmd", "target"}: the same
// control-socket request as the command line's kill / stop / start / pause / resume / isolate /
// partition / heal; answers {"ok", "answer"}).
#pragma once

#include <functional>
#include <string>

namespace pc::ui {

struct UiOptions {
  std::string cluster_dir;
  int port = 0;  // 0: a free port
};

// Serves until `stop()` returns true (checked a few times a second) or the cluster goes down.
// Calls `ready(url)` once listening. Returns 0, or 1 with *error set (e.g. the port is taken).
int ServeUi(const UiOptions& options, const std::function<void(const std::string& url)>& ready,
            const std::function<bool()>& stop, std::string* error);

// Starts ServeUi on a thread of its own in this process (the supervisor's) and returns once
// the port is bound: the page's address, or "" and *error. The page is served until the process
// exits. This is the Supervisor's UiStarter.
std::string StartUiThread(const std::string& cluster_dir, int port, std::string* error);

// 32 hex digits from /dev/urandom.
std::string MakeToken();

// Page assets embedded at build time (ui_assets.cc, generated from src/ui/page/).
const char* UiAsset(const std::string& name);

}  // namespace pc::ui
