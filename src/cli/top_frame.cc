#include "cli/top_frame.h"

#include <cstdio>
#include <sstream>

#include "loadgen/bench_cluster.h"
#include "supervisor/cluster_layout.h"
#include "supervisor/control_client.h"
#include "supervisor/four_letter_ask.h"
#include "supervisor/status_view.h"
#include "supervisor/timeline.h"

namespace pc::cli {

namespace {

int64_t Number(const std::map<std::string, std::string>& mntr, const char* key) {
  auto it = mntr.find(key);
  return it == mntr.end() ? -1 : std::atoll(it->second.c_str());
}

// The line of `status`'s text that starts with `prefix`, without its newline.
std::string StatusLine(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      return line;
    }
  }
  return "";
}

// A member's links in a proxied cluster: "ok", or how many of its directions are cut / slow.
std::string MemberLinks(const nlohmann::json& links, int id) {
  if (links.value("mode", "direct") != "proxied") {
    return "direct";
  }
  int cut = 0, slow = 0;
  for (const auto& l : links.value("links", nlohmann::json::array())) {
    if (l.value("from", 0) != id && l.value("to", 0) != id) {
      continue;
    }
    const std::string state = l.value("state", "ok");
    cut += state == "blackhole" || state == "reset" ? 1 : 0;
    slow += state == "slow" ? 1 : 0;
  }
  if (cut == 0 && slow == 0) {
    return "ok";
  }
  return cut ? std::to_string(cut) + " cut" : std::to_string(slow) + " slow";
}

}  // namespace

TopFrame TopSampler::Sample(int events_wanted) {
  TopFrame frame;
  const ControlReply status = Request(SocketPath(dir_), {{"cmd", "status"}});
  if (!status.connected || !status.ok) {
    frame.error = status.connected ? status.error : "no cluster is running in " + dir_;
    return frame;
  }
  frame.status = status.data;
  const nlohmann::json& s = status.data;
  const auto& c = s["cluster"];
  frame.title = "cluster '" + c.value("name", "") + "' (" + c.value("engine", "") +
                "), supervisor pid " + std::to_string(c.value("supervisor_pid", 0));
  const std::string text = RenderStatus(s);
  frame.quorum = StatusLine(text, "quorum:");
  frame.links = StatusLine(text, "links:");
  const nlohmann::json links = s.value("links", nlohmann::json::object());
  const auto now = std::chrono::steady_clock::now();
  for (const auto& n : s["nodes"]) {
    TopMember m;
    m.id = n.value("id", 0);
    m.role = n.value("role", "");
    m.process = n.value("process", "");
    m.pid = n.value("pid", 0);
    m.epoch = n.value("epoch", int64_t{-1});
    m.zxid = n.value("zxid", "-");
    m.uptime_ms = n.value("uptime_ms", int64_t{0});
    m.links = MemberLinks(links, m.id);
    if (m.pid != 0 && m.process == "running") {
      m.rss_kb = loadgen::ReadRssKb(m.pid);
      const auto mntr = ParseMntr(AskFourLetter(n.value("client_port", 0), "mntr", 200));
      m.sessions = Number(mntr, "num_alive_connections");
      m.outstanding = Number(mntr, "outstanding_requests");
      m.max_latency_ms = Number(mntr, "max_latency");
      if (auto it = mntr.find("avg_latency"); it != mntr.end()) {
        m.avg_latency_ms = std::atof(it->second.c_str());
      }
      const int64_t packets = Number(mntr, "packets_received");
      auto last = last_.find(m.id);
      if (packets >= 0 && last != last_.end() && last->second.pid == m.pid &&
          packets >= last->second.packets) {
        const double seconds = std::chrono::duration<double>(now - last->second.at).count();
        if (seconds > 0) {
          m.ops_per_s = double(packets - last->second.packets) / seconds;
        }
      }
      if (packets >= 0) {
        last_[m.id] = Counter{m.pid, packets, now};
      }
    }
    frame.members.push_back(m);
  }
  Request(SocketPath(dir_), {{"cmd", "events"}, {"last", events_wanted}},
          [&](const nlohmann::json& m) {
            if (m.contains("event")) {
              frame.events.push_back(RenderEvent(EventFromJson(m["event"]), false));
            }
          });
  return frame;
}

namespace {

struct Column {
  const char* title;
  int width;
  int priority;  // lower: kept longer on a narrow terminal
  bool left;     // left-aligned (text) or right-aligned (numbers)
};

// The columns, in screen order.
const Column kColumns[] = {
    {"ID", 3, 0, true},     {"ROLE", 9, 0, true},          {"PID", 7, 9, false},
    {"EPOCH", 5, 1, false}, {"ZXID", 13, 1, false},        {"SESS", 4, 4, false},
    {"OPS/S", 7, 2, false}, {"LAT AVG/MAX", 11, 3, false}, {"OUT", 4, 8, false},
    {"RSS", 7, 6, false},   {"UP", 6, 7, false},           {"LINKS", 7, 5, true},
};
constexpr int kColumnCount = sizeof kColumns / sizeof kColumns[0];

std::string Or(int64_t v, const std::string& text) { return v < 0 ? "-" : text; }

std::string Cell(const TopMember& m, int column) {
  char buf[64];
  switch (column) {
    case 0:
      return std::to_string(m.id);
    case 1:
      return m.role;
    case 2:
      return m.pid ? std::to_string(m.pid) : "-";
    case 3:
      return Or(m.epoch, std::to_string(m.epoch));
    case 4:
      return m.zxid;
    case 5:
      return Or(m.sessions, std::to_string(m.sessions));
    case 6:
      if (m.ops_per_s < 0) return "-";
      std::snprintf(buf, sizeof buf, "%.0f", m.ops_per_s);
      return buf;
    case 7:
      if (m.avg_latency_ms < 0 || m.max_latency_ms < 0) return "-";
      std::snprintf(buf, sizeof buf, "%.1f/%lld", m.avg_latency_ms,
                    static_cast<long long>(m.max_latency_ms));
      return buf;
    case 8:
      return Or(m.outstanding, std::to_string(m.outstanding));
    case 9:
      if (m.rss_kb < 0) return "-";
      std::snprintf(buf, sizeof buf, "%.1fM", double(m.rss_kb) / 1024);
      return buf;
    case 10:
      return m.pid ? Uptime(m.uptime_ms) : "-";
    default:
      return m.links;
  }
}

std::string Pad(const std::string& text, int width, bool left) {
  std::string t = text.size() > size_t(width) ? text.substr(0, size_t(width)) : text;
  const std::string fill(size_t(width) - t.size(), ' ');
  return left ? t + fill : fill + t;
}

std::string Clip(const std::string& line, int width) {
  return line.size() > size_t(width) ? line.substr(0, size_t(width)) : line;
}

}  // namespace

TopLayout RenderTop(const TopFrame& frame, int width, int max_events, int selected) {
  TopLayout out;
  if (!frame.error.empty()) {
    out.lines.push_back(Clip("top: " + frame.error, width));
    return out;
  }
  // Keep columns by priority while they fit (one space between columns, after a gutter of one
  // for the selection mark).
  bool shown[kColumnCount] = {};
  int used = 0;
  for (int priority = 0; priority <= 9; ++priority) {
    for (int i = 0; i < kColumnCount; ++i) {
      if (kColumns[i].priority == priority && used + 1 + kColumns[i].width <= width) {
        shown[i] = true;
        used += 1 + kColumns[i].width;
      }
    }
  }
  auto row = [&](auto cell, bool mark = false) {
    std::string line = mark ? ">" : " ";
    for (int i = 0; i < kColumnCount; ++i) {
      if (shown[i]) {
        line += (line.size() == 1 ? "" : " ") + Pad(cell(i), kColumns[i].width, kColumns[i].left);
      }
    }
    return line.substr(0, line.find_last_not_of(' ') + 1);
  };
  out.lines.push_back(Clip(frame.title, width));
  out.lines.push_back(Clip(frame.quorum, width));
  if (!frame.links.empty()) {
    out.lines.push_back(Clip(frame.links, width));
  }
  out.lines.push_back("");
  out.lines.push_back(row([](int i) { return std::string(kColumns[i].title); }));
  out.first_member_line = static_cast<int>(out.lines.size());
  for (size_t k = 0; k < frame.members.size(); ++k) {
    const TopMember& m = frame.members[k];
    out.lines.push_back(row([&](int i) { return Cell(m, i); }, int(k) == selected));
  }
  out.lines.push_back("");
  const size_t n = frame.events.size();
  const size_t from = max_events >= 0 && n > size_t(max_events) ? n - size_t(max_events) : 0;
  for (size_t i = from; i < n; ++i) {
    out.lines.push_back(Clip(frame.events[i], width));
  }
  return out;
}

}  // namespace pc::cli
