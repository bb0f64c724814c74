#include "supervisor/timeline.h"

#include <cstdio>
#include <ctime>

namespace pc {

nlohmann::json EventToJson(const Event& event) {
  return {{"t_ms", event.t_ms}, {"wall_ms", event.wall_ms}, {"node", event.node},
          {"kind", event.kind}, {"text", event.text},       {"data", event.data}};
}

Event EventFromJson(const nlohmann::json& j) {
  Event event;
  event.t_ms = j.value("t_ms", int64_t{0});
  event.wall_ms = j.value("wall_ms", int64_t{0});
  event.node = j.value("node", 0);
  event.kind = j.value("kind", "");
  event.text = j.value("text", "");
  if (j.contains("data")) {
    event.data = j["data"];
  }
  return event;
}

std::string RenderEvent(const Event& event, bool absolute) {
  char when[64];
  if (absolute) {
    std::time_t secs = event.wall_ms / 1000;
    std::tm tm{};
    localtime_r(&secs, &tm);
    char hms[32];
    std::strftime(hms, sizeof hms, "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(when, sizeof when, "%s.%03d", hms, static_cast<int>(event.wall_ms % 1000));
  } else {
    std::snprintf(when, sizeof when, "+%lld.%03llds", static_cast<long long>(event.t_ms / 1000),
                  static_cast<long long>(event.t_ms % 1000));
  }
  std::string who = event.node > 0 ? "node" + std::to_string(event.node) : "cluster";
  char line[1024];
  std::snprintf(line, sizeof line, "%10s  %-7s  %s", when, who.c_str(), event.text.c_str());
  return line;
}

const Event& Timeline::Add(Event event) {
  if (events_.size() >= kEventsMax) {
    events_.pop_front();
  }
  events_.push_back(std::move(event));
  return events_.back();
}

}  // namespace pc
