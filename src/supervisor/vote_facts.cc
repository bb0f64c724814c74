#include "supervisor/vote_facts.h"

#include <limits>

#include "proto/zxid.h"

namespace pc {

const char* VoteFactKindName(VoteFact::Kind kind) {
  switch (kind) {
    case VoteFact::Kind::kNotification:
      return "notification";
    case VoteFact::Kind::kVote:
      return "vote";
    case VoteFact::Kind::kDecision:
      return "decision";
    case VoteFact::Kind::kDropped:
      return "votes_dropped";
  }
  return "unknown";
}

std::string CandidateName(int64_t leader) {
  if (leader == std::numeric_limits<int64_t>::min()) {
    return "no vote";
  }
  return "node" + std::to_string(leader);
}

namespace {

std::string Proposal(const VoteFact& f) {
  if (f.leader == std::numeric_limits<int64_t>::min()) {
    return "no vote";
  }
  return CandidateName(f.leader) + ", epoch " + std::to_string(f.peer_epoch) + ", zxid " +
         zk::ZxidHex(static_cast<int64_t>(f.zxid));
}

std::string WhyVoted(const VoteFact& f) {
  const std::string by = f.from > 0 ? "node" + std::to_string(f.from) : "a peer";
  if (f.why == "start") {
    return "its own first vote";
  }
  if (f.why == "better_vote") {
    return by + "'s vote beats its own";
  }
  if (f.why == "new_round") {
    return "joins the newer round of " + by;
  }
  return f.why;
}

}  // namespace

std::string VoteFactText(const VoteFact& f) {
  switch (f.kind) {
    case VoteFact::Kind::kNotification: {
      std::string text = "<- node" + std::to_string(f.from) + " (" + f.state + ", round " +
                         std::to_string(f.round) + "): " + Proposal(f);
      if (!f.my_state.empty() && f.my_state != "LOOKING") {
        text += "  [received while " + f.my_state + "]";
      }
      return text;
    }
    case VoteFact::Kind::kVote:
      return "votes " + CandidateName(f.leader) + " (epoch " + std::to_string(f.peer_epoch) +
             ", zxid " + zk::ZxidHex(static_cast<int64_t>(f.zxid)) + ") in round " +
             std::to_string(f.round) + ": " + WhyVoted(f);
    case VoteFact::Kind::kDecision: {
      std::string text = "decides " + f.state;
      if (f.election_ms >= 0) {
        text += " (" + std::to_string(f.election_ms) + " ms)";
      }
      if (!f.explanation.empty()) {
        return text + ": " + f.explanation;
      }
      return text + ": " + CandidateName(f.leader) + " leads round " + std::to_string(f.round);
    }
    case VoteFact::Kind::kDropped:
      return std::to_string(f.count) + " vote facts dropped" +
             (f.why.empty() ? std::string() : " (" + f.why + ")");
  }
  return {};
}

Event VoteFactEvent(const VoteFact& f) {
  Event e;
  e.t_ms = f.t_ms;
  e.wall_ms = f.wall_ms;
  e.node = f.node;
  e.kind = VoteFactKindName(f.kind);
  e.text = VoteFactText(f);
  nlohmann::json& d = e.data;
  switch (f.kind) {
    case VoteFact::Kind::kNotification:
      d["from"] = f.from;
      d["state"] = f.state;
      d["my_state"] = f.my_state;
      break;
    case VoteFact::Kind::kVote:
      d["why"] = f.why;
      d["from"] = f.from;
      break;
    case VoteFact::Kind::kDecision:
      d["state"] = f.state;
      d["by"] = f.why;
      d["supporters"] = f.supporters;
      d["voters"] = f.voters;
      d["election_ms"] = f.election_ms;
      d["explanation"] = f.explanation;
      break;
    case VoteFact::Kind::kDropped:
      d["count"] = f.count;
      d["why"] = f.why;
      return e;
  }
  d["leader"] = f.leader;
  d["zxid"] = zk::ZxidHex(static_cast<int64_t>(f.zxid));
  d["peer_epoch"] = f.peer_epoch;
  d["round"] = f.round;
  if (f.derived) {
    d["derived"] = true;
  }
  return e;
}

const VoteFact& VoteLog::Add(VoteFact fact) {
  if (facts_.size() >= facts_max_) {
    facts_.pop_front();
    ++dropped_;
  }
  facts_.push_back(std::move(fact));
  return facts_.back();
}

int64_t VoteLog::TakeDropped() {
  const int64_t n = dropped_;
  dropped_ = 0;
  return n;
}

}  // namespace pc
