#include "supervisor/zkd_events.h"

#include <nlohmann/json.hpp>

namespace pc {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kLooking:
      return "looking";
    case Role::kFollowing:
      return "follower";
    case Role::kLeading:
      return "leader";
    case Role::kObserving:
      return "observer";
    case Role::kStandalone:
      return "standalone";
    case Role::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

Role ParseState(const std::string& state) {
  if (state == "LOOKING") {
    return Role::kLooking;
  }
  if (state == "FOLLOWING") {
    return Role::kFollowing;
  }
  if (state == "LEADING") {
    return Role::kLeading;
  }
  if (state == "OBSERVING") {
    return Role::kObserving;
  }
  if (state == "STANDALONE") {
    return Role::kStandalone;
  }
  return Role::kUnknown;
}

}  // namespace

std::optional<ZkdEvent> ParseZkdEvent(const std::string& line, std::string* error) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    if (error) {
      *error = "not a JSON object";
    }
    return std::nullopt;
  }
  auto name = j.find("event");
  if (name == j.end() || !name->is_string()) {
    if (error) {
      *error = "no \"event\" field";
    }
    return std::nullopt;
  }
  ZkdEvent event;
  event.name = name->get<std::string>();
  if (event.name == "state") {
    event.kind = ZkdEvent::Kind::kState;
    if (auto s = j.find("state"); s != j.end() && s->is_string()) {
      event.role = ParseState(s->get<std::string>());
    }
    if (event.role == Role::kUnknown) {
      if (error) {
        *error = "state event without a known \"state\"";
      }
      return std::nullopt;
    }
    if (auto e = j.find("epoch"); e != j.end() && e->is_number_integer()) {
      event.epoch = e->get<int64_t>();
    }
    if (auto z = j.find("zxid"); z != j.end() && z->is_string()) {
      event.zxid = std::strtoull(z->get<std::string>().c_str(), nullptr, 16);
    }
    if (auto ms = j.find("election_ms"); ms != j.end() && ms->is_number_integer()) {
      event.election_ms = ms->get<int64_t>();
    }
  } else if (event.name == "serving") {
    event.kind = ZkdEvent::Kind::kServing;
  } else if (event.name == "quorum_lost") {
    event.kind = ZkdEvent::Kind::kQuorumLost;
  }
  return event;
}

}  // namespace pc
