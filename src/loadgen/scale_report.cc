#include "loadgen/scale_report.h"

#include <cstdio>

namespace pc::loadgen {

using nlohmann::json;

namespace {

void Line(std::string* out, const std::string& text) { *out += text + "\n"; }

long long I(const json& j, const char* key) {
  return static_cast<long long>(j.value(key, int64_t{0}));
}

std::string Errors(const json& e) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%lld expired, %lld connects refused, %lld connections closed by a server, %lld "
                "handshakes timed out",
                I(e, "expired"), I(e, "connect_failures"), I(e, "drops"),
                I(e, "handshake_timeouts"));
  return buf;
}

}  // namespace

void RenderScaleSessions(const json& s, std::string* out) {
  if (s.contains("error")) {
    Line(out, "scale sessions: " + s.value("error", std::string()));
    return;
  }
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "scale sessions: %lld sessions connected in %.1f s, spread over every member "
                "(open-file limit %lld in the bench, inherited by the members)",
                I(s, "sessions"), s.value("connect_s", 0.0), I(s, "bench_open_file_limit"));
  Line(out, buf);
  Line(out, "  node role        RSS MiB  open-file limit");
  for (const auto& m : s.value("members", json::array())) {
    std::snprintf(buf, sizeof buf, "  %4d %-10s %7.1f  %15lld", m.value("id", 0),
                  m.value("role", std::string()).c_str(), m.value("rss_kb", 0) / 1024.0,
                  I(m, "open_file_limit"));
    Line(out, buf);
  }
  Line(out, "  while connecting: " + Errors(s.value("before_kill", json::object())));
  std::snprintf(buf, sizeof buf,
                "  kill -9 of the leader (node %lld): %s sessions attached again after %.0f ms",
                I(s, "killed"), s.value("all_reattached", false) ? "all" : "NOT all",
                s.value("reattach_ms", 0.0));
  Line(out, buf);
  Line(out, "  on the way: " + Errors(s.value("after_kill", json::object())));
}

void RenderScaleWatches(const json& w, std::string* out) {
  if (w.contains("error")) {
    Line(out, "scale watches: " + w.value("error", std::string()));
    return;
  }
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "scale watches: %lld exists watches (%lld sessions x %lld znodes, each znode "
                "watched by every session) set in %.1f s",
                I(w, "watches"), I(w, "sessions"), I(w, "znodes"), w.value("set_s", 0.0));
  Line(out, buf);
  Line(out, "  node role        RSS MiB before  after   bytes per watch");
  for (const auto& m : w.value("members", json::array())) {
    std::snprintf(buf, sizeof buf, "  %4d %-10s %14.1f %7.1f %13.0f", m.value("id", 0),
                  m.value("role", std::string()).c_str(), m.value("rss_before_kb", 0) / 1024.0,
                  m.value("rss_after_kb", 0) / 1024.0, m.value("bytes_per_watch", 0.0));
    Line(out, buf);
  }
  std::snprintf(buf, sizeof buf,
                "  one set per znode: %lld of %lld notifications received %.0f ms after the first "
                "set (%lld set errors, %lld exists errors)",
                I(w, "notifications"), I(w, "watches"), w.value("fire_ms", 0.0), I(w, "set_errors"),
                I(w, "exists_errors"));
  Line(out, buf);
  if (!w.value("all_fired", false)) Line(out, "  NOT every watch fired");
}

void RenderSnapshotLatency(const json& l, std::string* out) {
  if (l.contains("error")) {
    Line(out, "set latency during snapshots: " + l.value("error", std::string()));
    return;
  }
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "set latency during snapshots: %lld sets in %.0f s (one session, to the leader, "
                "%lld errors), %zu snapshots taken meanwhile:",
                I(l, "sets"), l.value("seconds", 0.0), I(l, "errors"),
                l.value("snapshots", json::array()).size());
  Line(out, buf);
  for (const auto& w : l.value("snapshots", json::array())) {
    std::snprintf(buf, sizeof buf, "    node %d from %.1f s for %.0f ms", w.value("node", 0),
                  w.value("start_ms", 0.0) / 1000.0, w.value("ms", 0.0));
    Line(out, buf);
  }
  for (const char* bin : {"without", "during"}) {
    const json b = l.value(bin, json::object());
    std::snprintf(
        buf, sizeof buf, "  %-7s a snapshot: %6lld sets, p50 %7.0f us, p99 %7.0f us, max %7.0f us",
        bin, I(b, "sets"), b.value("p50_us", 0.0), b.value("p99_us", 0.0), b.value("max_us", 0.0));
    Line(out, buf);
  }
  std::snprintf(buf, sizeof buf, "  p99 during / without: %.2fx (target <= 2x)",
                l.value("p99_ratio", 0.0));
  Line(out, buf);
}

}  // namespace pc::loadgen
