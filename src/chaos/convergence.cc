#include "chaos/convergence.h"

#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>

namespace pc::chaos {
namespace {

std::string Hex(int64_t zxid) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<uint64_t>(zxid));
  return buf;
}

}  // namespace

CheckResult CheckConvergence(const History& history) {
  CheckResult out;
  out.name = "convergence";
  std::map<int, const MemberFacts*> members;  // the last record of each member
  for (const MemberFacts& m : history.members) {
    members[m.member] = &m;
  }
  if (members.empty()) {
    out.applicable = false;
    out.summary = "no member facts";
    return out;
  }
  std::set<int64_t> zxids;
  std::set<std::string> digests;
  std::string table;
  for (const auto& [id, m] : members) {
    zxids.insert(m->last_zxid);
    if (!m->digest.empty()) {
      digests.insert(m->digest);
    }
    table += (table.empty() ? "" : "; ") + std::string("member ") + std::to_string(id) + " " +
             Hex(m->last_zxid) + (m->digest.empty() ? "" : " digest " + m->digest) + " [line " +
             std::to_string(m->line) + "]";
  }
  out.details = {{"members", members.size()}, {"digests_compared", !digests.empty()}};
  if (zxids.size() > 1 || digests.size() > 1) {
    out.Add({"not-converged",
             "members differ after the final heal (last zxid, tree digest): " + table,
             {}});
    out.summary = "members did not converge";
    return out;
  }
  out.summary = std::to_string(members.size()) + " members converged at " + Hex(*zxids.begin()) +
                (digests.empty() ? " (no digests to compare)" : " with one tree digest");
  return out;
}

CheckResult CheckLeaders(const History& history) {
  CheckResult out;
  out.name = "leaders";
  if (history.leaders.empty()) {
    out.applicable = false;
    out.summary = "no leaders recorded";
    return out;
  }
  std::map<int64_t, std::map<int, const LeaderSighting*>> by_epoch;  // epoch → member → first
  for (const LeaderSighting& l : history.leaders) {
    by_epoch[l.epoch].emplace(l.member, &l);
  }
  for (const auto& [epoch, leaders] : by_epoch) {
    if (leaders.size() < 2) {
      continue;
    }
    std::string who;
    for (const auto& [member, l] : leaders) {
      who += (who.empty() ? "" : ", ") + std::string("member ") + std::to_string(member) +
             " (seen at " + FormatTime(l->time_ns) + ", line " + std::to_string(l->line) + ")";
    }
    out.Add({"two-leaders",
             "epoch " + std::to_string(epoch) + " had " + std::to_string(leaders.size()) +
                 " leaders: " + who,
             {}});
  }
  out.details = {{"epochs", by_epoch.size()}};
  out.summary = out.outcome == Outcome::kValid
                    ? "one leader in each of " + std::to_string(by_epoch.size()) + " epoch(s)"
                    : std::to_string(out.problems_total) + " epoch(s) with two leaders";
  return out;
}

}  // namespace pc::chaos
