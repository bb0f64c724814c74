// The Supervisor's election facts (`events --votes`): kept in their own bounded VoteLog, fed by
// zkd's event pipe (OnNodeEventLine) or, for Apache ZooKeeper, by the members' logs, read on the
// poll timer from where the previous read stopped. Each decision gets its one-line explanation
// (vote_explainer.h) when it arrives; a leader's decision also goes on the main timeline.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "supervisor/cluster_layout.h"
#include "supervisor/supervisor.h"
#include "supervisor/vote_explainer.h"

namespace pc {

namespace {

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How far local time is ahead of UTC now, for the Apache log's local timestamps.
int64_t UtcOffsetMs() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return static_cast<int64_t>(local.tm_gmtoff) * 1000;
}

}  // namespace

std::set<int> Supervisor::VoterIds() const {
  std::set<int> ids;
  for (int id = 1; id <= spec_.nodes(); ++id) {
    if (spec_.is_voter(id)) ids.insert(id);
  }
  return ids;
}

void Supervisor::StartVoteSources() {
  start_wall_ms_ = WallNowMs();
  if (spec_.engine != Engine::kApache) {
    return;  // zkd reports its facts on the event pipe
  }
  for (int id = 1; id <= spec_.nodes(); ++id) {
    apache_logs_.emplace_back(NodeLogPath(cluster_dir_, id));
  }
  apache_votes_ = std::make_unique<ApacheElectionTracker>(VoterIds());
}

void Supervisor::ApacheMemberStarted(int id) {
  if (!apache_votes_) {
    return;
  }
  ReadApacheLogs();  // what the previous run wrote still belongs to it
  apache_votes_->MemberStarted(id);
}

void Supervisor::ReadApacheLogs() {
  if (!apache_votes_) {
    return;
  }
  struct Read {
    int64_t wall_ms;
    int node;
    ApacheLogLine line;
  };
  std::vector<Read> reads;
  const int64_t offset_ms = UtcOffsetMs();
  const int64_t now_wall = WallNowMs();
  apache_log_local_ms_.resize(apache_logs_.size(), -1);
  for (int id = 1; id <= spec_.nodes(); ++id) {
    int64_t& last_ms = apache_log_local_ms_[id - 1];
    for (const std::string& text : apache_logs_[id - 1].ReadLines()) {
      // A line without a time (a stack trace's) happened when the line before it did.
      if (const int64_t ms = ApacheLogLineLocalMs(text); ms >= 0) last_ms = ms;
      if (auto line = ParseApacheLogLine(text)) {
        const int64_t wall = last_ms >= 0 ? last_ms - offset_ms : now_wall;
        reads.push_back(Read{wall, id, std::move(*line)});
      }
    }
  }
  // One time order across the members' logs, so that a decision comes after what led to it.
  std::stable_sort(reads.begin(), reads.end(),
                   [](const Read& a, const Read& b) { return a.wall_ms < b.wall_ms; });
  for (const Read& r : reads) {
    for (VoteFact& f : apache_votes_->Feed(r.node, r.line, r.wall_ms - start_wall_ms_, r.wall_ms)) {
      AddVoteFact(std::move(f));
    }
  }
}

std::vector<VoteFact> Supervisor::ElectionFactsOf(int id) const {
  // Back to the member's previous decision: the candidates of this election may have proposed
  // themselves before it started looking, but an older election with the same round number (a
  // restarted ensemble counts from 1 again) must not lend its own.
  const auto& facts = votes_.facts();
  auto it = facts.end();
  while (it != facts.begin()) {
    --it;
    if (it->kind == VoteFact::Kind::kDecision && it->node == id) {
      ++it;
      break;
    }
  }
  return std::vector<VoteFact>(it, facts.end());
}

void Supervisor::AddVoteFact(VoteFact fact) {
  if (fact.t_ms == 0 && fact.wall_ms == 0) {
    fact.t_ms = NowMs();
    fact.wall_ms = WallNowMs();
  }
  if (fact.kind == VoteFact::Kind::kDecision) {
    fact.explanation = ExplainDecision(fact, ElectionFactsOf(fact.node), VoterIds());
  } else if (fact.kind == VoteFact::Kind::kDropped) {
    votes_lost_by_members_ += fact.count;
  }
  const VoteFact& added = votes_.Add(std::move(fact));
  votes_pushed_out_ += votes_.TakeDropped();
  const nlohmann::json message = {{"vote", EventToJson(VoteFactEvent(added))}};
  for (Connection* conn : std::vector<Connection*>(connections_)) {
    if (IsVoteSubscriber(conn)) {
      Send(conn, message);
    }
  }
  NoteDroppedSubscribers();
  if (added.kind == VoteFact::Kind::kDecision && added.state == "LEADING") {
    AddEvent(added.node, "election", added.explanation,
             {{"round", added.round},
              {"leader", added.leader},
              {"supporters", added.supporters},
              {"voters", added.voters}});
  }
}

void Supervisor::NoticeDroppedVotes() {
  const int64_t total = votes_lost_by_members_ + votes_pushed_out_;
  if (total == 0) {
    return;
  }
  const int64_t now = NowMs();
  if (last_drop_notice_ms_ >= 0 && now - last_drop_notice_ms_ < kDropNoticeMs) {
    return;  // an election storm gets one line per interval, with the sum
  }
  std::string text = std::to_string(total) + " election facts dropped (";
  if (votes_lost_by_members_ > 0) {
    text += std::to_string(votes_lost_by_members_) + " lost on members' event pipes";
  }
  if (votes_pushed_out_ > 0) {
    text +=
        std::string(votes_lost_by_members_ > 0 ? ", " : "") + std::to_string(votes_pushed_out_) +
        " oldest pushed out of the vote store, which keeps " + std::to_string(VoteLog::kFactsMax);
  }
  text += "): `events --votes` misses them";
  AddEvent(0, "votes_dropped", text,
           {{"count", total},
            {"lost_by_members", votes_lost_by_members_},
            {"pushed_out", votes_pushed_out_}});
  votes_lost_by_members_ = 0;
  votes_pushed_out_ = 0;
  last_drop_notice_ms_ = now;
}

}  // namespace pc
