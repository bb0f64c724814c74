#include "core/handover.h"

namespace zk {

int64_t DesignatedLeader(int64_t my_id, const Membership& next, const std::set<int64_t>& acked,
                         const std::vector<std::set<int64_t>>& later_acks) {
  if (next.IsVoter(my_id)) return my_id;
  std::set<int64_t> candidates;
  for (int64_t sid : acked) {
    if (sid != my_id && next.IsVoter(sid)) candidates.insert(sid);
  }
  if (candidates.empty()) return 0;
  int64_t best = *candidates.begin();
  for (const std::set<int64_t>& acks : later_acks) {
    std::set<int64_t> kept;
    for (int64_t sid : candidates) {
      if (acks.count(sid)) kept.insert(sid);
    }
    if (kept.empty()) return best;  // nobody acked this one: the best so far has the most
    candidates = std::move(kept);
    best = *candidates.begin();
    if (candidates.size() == 1) return best;
  }
  return best;
}

}  // namespace zk
