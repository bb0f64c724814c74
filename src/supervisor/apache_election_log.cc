#include "supervisor/apache_election_log.h"

#include <charconv>
#include <limits>

namespace pc {

namespace {

constexpr std::string_view kNotification = "Notification: my state:";
constexpr std::string_view kNewElection = "New election. My id = ";
constexpr std::string_view kTook = " - LEADER ELECTION TOOK - ";
constexpr std::string_view kObserving = "Observing new leader sid=";
constexpr std::string_view kLearnerHandedOver = "changes proposed in reconfig";
constexpr std::string_view kLeaderHandedOver = "is not the designated leader anymore";

bool Digits(std::string_view s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return true;
}

int Num(std::string_view s, size_t from, size_t n) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) {
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "yyyy-MM-dd HH:mm:ss,SSS" (or '.' before the milliseconds) at the start of the line.
int64_t LocalMs(std::string_view s) {
  if (!Digits(s, 0, 4) || s.size() < 23 || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2) || s[10] != ' ' || !Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) ||
      s[16] != ':' || !Digits(s, 17, 2) || (s[19] != ',' && s[19] != '.') || !Digits(s, 20, 3)) {
    return -1;
  }
  const int64_t days = DaysFromCivil(Num(s, 0, 4), Num(s, 5, 2), Num(s, 8, 2));
  const int64_t secs = days * 86400 + int64_t{Num(s, 11, 2)} * 3600 + int64_t{Num(s, 14, 2)} * 60 +
                       Num(s, 17, 2);
  return secs * 1000 + Num(s, 20, 3);
}

// The value after `key` in `s`, up to the next ',' or ';'.
std::optional<std::string_view> Field(std::string_view s, std::string_view key) {
  const size_t at = s.find(key);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  s.remove_prefix(at + key.size());
  return s.substr(0, s.find_first_of(",;"));
}

bool Dec(std::optional<std::string_view> s, int64_t* out) {
  if (!s || s->empty()) {
    return false;
  }
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), *out);
  return ec == std::errc() && end == s->data() + s->size();
}

// "0x1f" as Java's Long.toHexString prints it: the unsigned digits of a signed long.
bool Hex(std::optional<std::string_view> s, uint64_t* out) {
  if (!s || s->size() < 3 || s->substr(0, 2) != "0x") {
    return false;
  }
  auto [end, ec] = std::from_chars(s->data() + 2, s->data() + s->size(), *out, 16);
  return ec == std::errc() && end == s->data() + s->size();
}

bool HexSigned(std::optional<std::string_view> s, int64_t* out) {
  uint64_t v = 0;
  if (!Hex(s, &v)) {
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

bool IsState(std::string_view s) {
  return s == "LOOKING" || s == "FOLLOWING" || s == "LEADING" || s == "OBSERVING";
}

bool SameVote(const VoteFact& a, const VoteFact& b) {
  return a.leader == b.leader && a.zxid == b.zxid && a.peer_epoch == b.peer_epoch;
}

}  // namespace

std::optional<ApacheLogLine> ParseApacheLogLine(std::string_view text) {
  ApacheLogLine line;
  if (size_t at = text.find(kNotification); at != std::string_view::npos) {
    std::string_view rest = text.substr(at + kNotification.size() - 9);  // from "my state:"
    line.kind = ApacheLogLine::Kind::kNotification;
    auto my_state = Field(rest, "my state:");
    auto state = Field(rest, "n.state:");
    if (!my_state || !state || !IsState(*my_state) || !IsState(*state) ||
        !Dec(Field(rest, "n.sid:"), &line.sid) || !Dec(Field(rest, "n.leader:"), &line.leader) ||
        !HexSigned(Field(rest, "n.round:"), &line.round) ||
        !HexSigned(Field(rest, "n.peerEpoch:"), &line.peer_epoch) ||
        !Hex(Field(rest, "n.zxid:"), &line.zxid)) {
      return std::nullopt;
    }
    line.my_state = std::string(*my_state);
    line.state = std::string(*state);
  } else if (size_t at = text.find(kNewElection); at != std::string_view::npos) {
    std::string_view rest = text.substr(at);
    line.kind = ApacheLogLine::Kind::kNewElection;
    if (!Dec(Field(rest, kNewElection), &line.my_id) ||
        !Hex(Field(rest, "proposed zxid="), &line.zxid)) {
      return std::nullopt;
    }
  } else if (size_t at = text.find(kTook); at != std::string_view::npos) {
    line.kind = ApacheLogLine::Kind::kElectionTook;
    // "... - FOLLOWING - LEADER ELECTION TOOK - 225 MS": the state is the word before.
    std::string_view before = text.substr(0, at);
    std::string_view state = before.substr(before.find_last_of(' ') + 1);
    std::string_view after = text.substr(at + kTook.size());
    std::string_view ms = after.substr(0, after.find(' '));
    if (!IsState(state) || !Dec(ms, &line.took_ms)) {
      return std::nullopt;
    }
    line.my_state = std::string(state);
  } else if (size_t at = text.find(kObserving); at != std::string_view::npos) {
    line.kind = ApacheLogLine::Kind::kElectionTook;
    std::string_view rest = text.substr(at + kObserving.size());
    if (!Dec(rest.substr(0, rest.find(' ')), &line.leader)) {
      return std::nullopt;
    }
    line.my_state = "OBSERVING";
  } else if (text.find(kLearnerHandedOver) != std::string_view::npos ||
             text.find(kLeaderHandedOver) != std::string_view::npos) {
    line.kind = ApacheLogLine::Kind::kReconfig;
  } else {
    return std::nullopt;
  }
  line.local_ms = LocalMs(text);
  return line;
}

int64_t ApacheLogLineLocalMs(std::string_view line) { return LocalMs(line); }

// ---- the tracker ----

ApacheElectionTracker::ApacheElectionTracker(std::set<int> voters) : voters_(std::move(voters)) {}

void ApacheElectionTracker::MemberStarted(int node) { members_.erase(node); }

bool ApacheElectionTracker::IsQuorum(const std::set<int>& sids) const {
  size_t n = 0;
  for (int sid : sids) {
    n += voters_.count(sid);
  }
  return n > voters_.size() / 2;
}

std::vector<VoteFact> ApacheElectionTracker::Feed(int node, const ApacheLogLine& line, int64_t t_ms,
                                                  int64_t wall_ms) {
  std::vector<VoteFact> out;
  Member& m = members_[node];
  switch (line.kind) {
    case ApacheLogLine::Kind::kNewElection:
      m.start_pending = true;
      m.by_reconfig = false;
      break;
    case ApacheLogLine::Kind::kReconfig:
      m.by_reconfig = true;
      break;
    case ApacheLogLine::Kind::kNotification: {
      VoteFact n;
      n.kind = VoteFact::Kind::kNotification;
      n.t_ms = t_ms;
      n.wall_ms = wall_ms;
      n.node = node;
      n.from = static_cast<int>(line.sid);
      n.state = line.state;
      n.my_state = line.my_state;
      n.leader = line.leader;
      n.zxid = line.zxid;
      n.peer_epoch = line.peer_epoch;
      n.round = line.round;
      out.push_back(n);
      if (auto vote = OwnVote(node, m, n)) {
        out.push_back(*vote);
      }
      if (line.my_state == "LOOKING") {
        m.heard[n.from] = n;
      }
      break;
    }
    case ApacheLogLine::Kind::kElectionTook: {
      VoteFact d = m.by_reconfig ? HandOver(node, line) : Decision(node, m, line);
      m.by_reconfig = false;
      d.t_ms = t_ms;
      d.wall_ms = wall_ms;
      out.push_back(d);
      m.heard.clear();
      m.start_pending = false;
      break;
    }
  }
  return out;
}

std::optional<VoteFact> ApacheElectionTracker::OwnVote(int node, Member& m, const VoteFact& n) {
  // What a member sends itself is its vote (observers vote for nobody).
  if (n.from != node || n.state != "LOOKING" || !voters_.count(node) ||
      !voters_.count(static_cast<int>(n.leader))) {
    return std::nullopt;
  }
  if (m.has_vote && SameVote(m.vote, n) && m.vote.round == n.round && !m.start_pending) {
    return std::nullopt;  // a resend
  }
  VoteFact v = n;
  v.kind = VoteFact::Kind::kVote;
  v.state.clear();
  v.my_state.clear();
  v.from = 0;
  v.derived = true;
  if (m.start_pending || (!m.has_vote && n.leader == node)) {
    v.why = "start";
  } else {
    v.why = m.has_vote && n.round > m.vote.round ? "new_round" : "better_vote";
    // The cause: the last notification heard from another member with this vote (for a new
    // round: the one that brought the round).
    const VoteFact* cause = nullptr;
    for (const auto& [sid, h] : m.heard) {
      if (sid == node || h.round != n.round) {
        continue;
      }
      const bool fits = v.why == "new_round" || SameVote(h, n);
      if (fits && (!cause || h.t_ms >= cause->t_ms)) {
        cause = &h;
      }
    }
    v.from = cause ? cause->from : 0;
  }
  m.start_pending = false;
  m.has_vote = true;
  m.vote = v;
  return v;
}

VoteFact ApacheElectionTracker::HandOver(int node, const ApacheLogLine& line) const {
  VoteFact d;
  d.kind = VoteFact::Kind::kDecision;
  d.node = node;
  d.state = line.my_state;
  // Apache's "LEADER ELECTION TOOK" here counts from an election that never started (it
  // printed 46831702 ms in the run the test fixture comes from): no figure is better.
  d.election_ms = -1;
  d.voters = static_cast<int>(voters_.size());
  d.derived = true;
  d.why = "reconfig";
  // A learner's lines do not name its new leader (an observer's do); the designated leader's
  // own decision, LEADING, does.
  d.leader = line.my_state == "LEADING" ? node : line.leader;
  return d;
}

VoteFact ApacheElectionTracker::Decision(int node, Member& m, const ApacheLogLine& line) {
  VoteFact d;
  d.kind = VoteFact::Kind::kDecision;
  d.node = node;
  d.state = line.my_state;
  d.election_ms = line.took_ms;
  d.voters = static_cast<int>(voters_.size());
  d.derived = true;
  // FOLLOWING/LEADING members behind one leader, a quorum of them: the ensemble it joined.
  if (line.my_state != "LEADING") {
    std::map<int64_t, std::set<int>> behind;
    for (const auto& [sid, h] : m.heard) {
      if (sid != node && h.state != "LOOKING" && voters_.count(sid) &&
          (line.leader == 0 || h.leader == line.leader)) {
        behind[h.leader].insert(sid);
      }
    }
    for (const auto& [leader, sids] : behind) {
      if (!IsQuorum(sids)) {
        continue;
      }
      // Its own word, if it spoke, else any of its followers'.
      const VoteFact& h = m.heard.count(static_cast<int>(leader))
                              ? m.heard.at(static_cast<int>(leader))
                              : m.heard.at(*sids.begin());
      d.leader = leader;
      d.zxid = h.zxid;
      d.peer_epoch = h.peer_epoch;
      d.round = h.round;
      d.why = m.has_vote && m.vote.round == h.round ? "round-follow" : "out-of-election";
      d.supporters.assign(sids.begin(), sids.end());
      return d;
    }
  }
  // Otherwise it decided on its own vote (LEADING: for itself).
  VoteFact vote = m.vote;
  if (line.my_state == "LEADING" && (!m.has_vote || m.vote.leader != node)) {
    vote.leader = node;
  } else if (line.leader != 0 && (!m.has_vote || m.vote.leader != line.leader)) {
    // The line names the leader (an observer's): its vote as heard last, if it was heard.
    vote = VoteFact{};
    vote.leader = line.leader;
    if (auto it = m.heard.find(static_cast<int>(line.leader)); it != m.heard.end()) {
      vote = it->second;
    }
  } else if (!m.has_vote) {
    // An observer, or a member whose vote the log never showed: the leader most voters named.
    std::map<int64_t, int> count;
    for (const auto& [sid, h] : m.heard) {
      if (voters_.count(sid) && voters_.count(static_cast<int>(h.leader))) {
        if (++count[h.leader] > count[vote.leader]) {
          vote = h;
        }
      }
    }
  }
  d.leader = vote.leader;
  d.zxid = vote.zxid;
  d.peer_epoch = vote.peer_epoch;
  d.round = vote.round;
  d.why = "looking-quorum";
  std::set<int> supporters;
  if (m.has_vote && voters_.count(node) && SameVote(m.vote, vote)) {
    supporters.insert(node);
  }
  for (const auto& [sid, h] : m.heard) {
    if (!voters_.count(sid) || h.leader != vote.leader) {
      continue;
    }
    const bool agrees = h.state == "LOOKING" ? SameVote(h, vote) && h.round == vote.round : true;
    if (agrees) {
      supporters.insert(sid);
    }
  }
  d.supporters.assign(supporters.begin(), supporters.end());
  return d;
}

}  // namespace pc
