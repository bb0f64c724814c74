// The Supervisor's start-up order (ClusterSpec::start): every member at once, none (`up
// --no-start`, the learner starts them by hand), or one by one in myid order (`up --one-by-one`),
// as the tutorials do by hand to show that the start order picks the first leader.
//
// One by one, the next member starts `start_gap_ms` after the previous one is up: it answers or
// reports a role, and once a quorum of voters runs, it leads, follows or observes. Waiting for
// that settled role is what makes the outcome the tutorials' and not a race: node2 of three
// leads (1 and 2 form the first quorum), node3 of five, and later members follow.
#include <algorithm>
#include <string>

#include "supervisor/supervisor.h"

namespace pc {

namespace {

std::string IdList(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) {
    text += (text.empty() ? "" : ", ") + std::to_string(id);
  }
  return text;
}

}  // namespace

void Supervisor::StartMembers() {
  switch (spec_.start) {
    case StartOrder::kAll:
      booting_ = true;
      for (int id = 1; id <= spec_.nodes(); ++id) {
        if (spec_.is_member(id)) StartNode(id, "up");
      }
      booting_ = false;
      quorum_ = RunningVoters() >= QuorumSize();
      had_quorum_ = quorum_;
      return;
    case StartOrder::kNone:
      AddEvent(0, "no_start",
               "no member started (--no-start): start them with `pseudo-cluster start <id>`");
      return;
    case StartOrder::kOneByOne:
      for (int id = 1; id <= spec_.nodes(); ++id) {
        if (spec_.is_member(id)) start_queue_.push_back(id);
      }
      AddEvent(0, "one_by_one",
               "starting members one by one in myid order (" + IdList(start_queue_) + "), each " +
                   std::to_string(spec_.start_gap_ms) + " ms after the one before it is up",
               {{"order", start_queue_}, {"gap_ms", spec_.start_gap_ms}});
      MaybeStartNext();
      return;
  }
}

bool Supervisor::Queued(int id) const {
  return std::find(start_queue_.begin(), start_queue_.end(), id) != start_queue_.end();
}

bool Supervisor::ReadyForNext(int id) const {
  const NodeProcess& n = node(id);
  if (!n.alive()) {
    return true;  // it exited: its exit is on the timeline; the order goes on
  }
  const NodeView& v = view(id);
  if (!v.answered && !v.has_events) {
    return false;
  }
  if (RunningVoters() < QuorumSize()) {
    return true;  // looking alone, or with too few others to elect anyone
  }
  return HasJoined(id);
}

void Supervisor::MaybeStartNext() {
  if (start_queue_.empty() || start_timer_armed_ || shutting_down_) {
    return;
  }
  if (last_queued_ != 0 && !ReadyForNext(last_queued_)) {
    if (NowMs() - last_queued_ms_ < kStartAwaitMs) {
      return;
    }
    AddEvent(last_queued_, "one_by_one",
             "not up after " + std::to_string(kStartAwaitMs / 1000) +
                 "s; starting the next member anyway");
  }
  start_timer_armed_ = true;
  uv_timer_start(
      &start_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Supervisor*>(timer->data);
        self->start_timer_armed_ = false;
        // A member the learner started by hand meanwhile is skipped.
        while (!self->start_queue_.empty() && self->node(self->start_queue_.front()).alive()) {
          self->start_queue_.erase(self->start_queue_.begin());
        }
        if (self->start_queue_.empty() || self->shutting_down_) {
          return;
        }
        const int id = self->start_queue_.front();
        self->start_queue_.erase(self->start_queue_.begin());
        self->last_queued_ = id;
        self->last_queued_ms_ = self->NowMs();
        self->StartNode(id, "one-by-one");
        self->MaybeStartNext();  // it may have failed to start at all
      },
      last_queued_ == 0 ? 0 : static_cast<uint64_t>(spec_.start_gap_ms), 0);
}

}  // namespace pc
