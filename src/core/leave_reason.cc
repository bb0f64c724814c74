#include "core/leave_reason.h"

#include <array>
#include <utility>

namespace zk {

std::string_view LeaveReasonText(std::string_view why) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kTexts = {{
      {"bad_snapshot", "the leader's SNAP could not be read"},
      {"bad_trunc", "the leader asked to truncate past the end of this log"},
      {"handed_over", "a reconfig handed the leadership over to the designated leader"},
      {"init_timeout", "no quorum synced within initLimit"},
      {"leader_follows_us", "the chosen leader chose this member (each follows the other)"},
      {"leader_lost", "the connection to the leader closed"},
      {"leader_silent", "nothing heard from the leader within syncLimit"},
      {"learner_ahead",
       "a voter's log is ahead of this leader's, so that voter must lead (ZooKeeper's \"Follower "
       "is ahead of the leader\")"},
      {"learner_epoch_ahead", "a learner promised a later epoch to another leader"},
      {"quorum_lost", "too few voters are synced"},
      {"stale_leader", "the leader's epoch is older than one this member accepted"},
      {"stale_leaderinfo", "the leader's LEADERINFO was for an epoch this member did not accept"},
      {"storage_failed", "this member's disk failed"},
      {"supporters_moved_on",
       "too few voters are left to follow: the others moved on to a better candidate"},
      {"truncate_backlog", "too many packets arrived while the log was being truncated"},
      {"truncate_failed", "the log could not be truncated where the leader asked"},
      {"removed_from_config", "a reconfig removed this member"},
      {"role_changed_by_reconfig", "a reconfig changed this member's role"},
  }};
  for (const auto& [key, text] : kTexts) {
    if (key == why) return text;
  }
  return why;
}

}  // namespace zk
