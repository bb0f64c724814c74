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

int64_t Int(const nlohmann::json& j, const char* key, int64_t otherwise) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : otherwise;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t Zxid(const nlohmann::json& j) {
  return std::strtoull(Str(j, "zxid").c_str(), nullptr, 16);
}

// The fields every election fact has: the vote and its round.
bool ParseVote(const nlohmann::json& j, VoteFact* f, std::string* error) {
  if (!j.contains("leader") || !j.contains("round")) {
    if (error) {
      *error = "election fact without \"leader\" or \"round\"";
    }
    return false;
  }
  f->leader = Int(j, "leader", 0);
  f->zxid = Zxid(j);
  f->round = Int(j, "round", 0);
  f->peer_epoch = Int(j, "peer_epoch", 0);
  return true;
}

// notification, vote, decision, votes_dropped; false (and *error) when a field it needs is missing.
bool ParseVoteFact(const std::string& name, const nlohmann::json& j, VoteFact* f,
                   std::string* error) {
  if (name == "votes_dropped") {
    f->kind = VoteFact::Kind::kDropped;
    f->count = Int(j, "count", 0);
    f->why = "zkd lost them before they reached the supervisor";
    return true;
  }
  if (!ParseVote(j, f, error)) {
    return false;
  }
  if (name == "notification") {
    f->kind = VoteFact::Kind::kNotification;
    f->from = static_cast<int>(Int(j, "from", 0));
    f->state = Str(j, "state");
    f->my_state = Str(j, "my_state");
  } else if (name == "vote") {
    f->kind = VoteFact::Kind::kVote;
    f->why = Str(j, "why");
    f->from = static_cast<int>(Int(j, "from", 0));
  } else {
    f->kind = VoteFact::Kind::kDecision;
    f->state = Str(j, "state");
    f->why = Str(j, "by");
    if (auto s = j.find("supporters"); s != j.end() && s->is_array()) {
      for (const auto& sid : *s) {
        if (sid.is_number_integer()) {
          f->supporters.push_back(sid.get<int>());
        }
      }
    }
    f->voters = static_cast<int>(Int(j, "voters", 0));
    f->election_ms = Int(j, "election_ms", -1);
  }
  return true;
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
  } else if (event.name == "storage_failed") {
    event.kind = ZkdEvent::Kind::kStorageFailed;
    event.what = Str(j, "what");
    event.error = Str(j, "error");
  } else if (event.name == "storage_recovered") {
    event.kind = ZkdEvent::Kind::kStorageRecovered;
  } else if (event.name == "notification" || event.name == "vote" || event.name == "decision" ||
             event.name == "votes_dropped") {
    event.kind = ZkdEvent::Kind::kVoteFact;
    if (!ParseVoteFact(event.name, j, &event.fact, error)) {
      return std::nullopt;
    }
  }
  return event;
}

}  // namespace pc
