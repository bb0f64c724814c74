#include "supervisor/link_matrix.h"

#include <algorithm>

namespace pc {

LinkMatrix::LinkMatrix(int nodes) : nodes_(nodes), faults_(size_t(nodes) * size_t(nodes)) {}

void LinkMatrix::SetBoth(int a, int b, const LinkFault& fault) {
  Set(a, b, fault);
  Set(b, a, fault);
}

void LinkMatrix::HealAll() { std::fill(faults_.begin(), faults_.end(), LinkFault{}); }

bool LinkMatrix::Talks(int a, int b) const {
  if (a == b) return true;
  const LinkFault& there = at(a, b);
  const LinkFault& back = at(b, a);
  return !there.blackhole && !there.reset && !back.blackhole && !back.reset;
}

bool LinkMatrix::healthy() const {
  return std::all_of(faults_.begin(), faults_.end(), [](const LinkFault& f) { return f.healthy(); });
}

std::vector<std::vector<int>> TalkingGroups(const LinkMatrix& links) {
  std::vector<int> group_of(size_t(links.nodes()) + 1, 0);
  std::vector<std::vector<int>> groups;
  for (int start = 1; start <= links.nodes(); ++start) {
    if (group_of[start]) continue;
    groups.emplace_back();
    std::vector<int> todo = {start};
    group_of[start] = int(groups.size());
    while (!todo.empty()) {
      const int at = todo.back();
      todo.pop_back();
      groups.back().push_back(at);
      for (int next = 1; next <= links.nodes(); ++next) {
        if (!group_of[next] && links.Talks(at, next)) {
          group_of[next] = int(groups.size());
          todo.push_back(next);
        }
      }
    }
    std::sort(groups.back().begin(), groups.back().end());
  }
  return groups;
}

std::string GroupText(const std::vector<int>& group, int voters) {
  std::string text = "{";
  for (size_t i = 0; i < group.size(); ++i) {
    if (i) text += ",";
    text += (group[i] > voters ? "obs " : "") + std::to_string(group[i]);
  }
  return text + "}";
}

namespace {

int VotersIn(const std::vector<int>& group, int voters) {
  return int(std::count_if(group.begin(), group.end(), [&](int id) { return id <= voters; }));
}

// Voters of the group that could lead: each talks directly with a quorum of voters.
std::vector<int> PossibleLeaders(const LinkMatrix& links, const std::vector<int>& group,
                                 int voters) {
  const int quorum = voters / 2 + 1;
  std::vector<int> leaders;
  for (int candidate : group) {
    if (candidate > voters) continue;
    int reached = 0;
    for (int other : group) reached += other <= voters && links.Talks(candidate, other) ? 1 : 0;
    if (reached >= quorum) leaders.push_back(candidate);
  }
  return leaders;
}

// "1-3, 2-4": the pairs of the group that do not talk directly.
std::string BrokenPairs(const LinkMatrix& links, const std::vector<int>& group) {
  std::string text;
  for (size_t i = 0; i < group.size(); ++i) {
    for (size_t j = i + 1; j < group.size(); ++j) {
      if (links.Talks(group[i], group[j])) continue;
      text += (text.empty() ? "" : ", ") + std::to_string(group[i]) + "-" +
              std::to_string(group[j]);
    }
  }
  return text;
}

}  // namespace

std::string PredictQuorum(const LinkMatrix& links, int voters) {
  const int quorum = voters / 2 + 1;
  const std::string of = " of " + std::to_string(voters) + " voters";
  std::vector<std::string> serving, not_serving;
  for (const auto& group : TalkingGroups(links)) {
    const int in = VotersIn(group, voters);
    const std::string name = GroupText(group, voters);
    const std::vector<int> leaders = PossibleLeaders(links, group, voters);
    if (leaders.empty()) {
      not_serving.push_back(name + " cannot serve writes (" + std::to_string(in) + of + ", " +
                            std::to_string(quorum) + " needed" +
                            (in >= quorum ? ", but no member has direct links to a quorum" : "") +
                            ")");
      continue;
    }
    std::string line = name + " holds a quorum (" + std::to_string(in) + of + ")";
    if (const std::string broken = BrokenPairs(links, group); !broken.empty()) {
      line += int(leaders.size()) == in
                  ? " though " + broken + " do not talk"
                  : " if one of " + GroupText(leaders, voters) + " leads (" + broken +
                        " do not talk; a leader needs direct links to a quorum)";
    }
    serving.push_back(line);
  }
  std::string text;
  for (const auto& part : serving) text += (text.empty() ? "" : "; ") + part;
  for (const auto& part : not_serving) text += (text.empty() ? "" : "; ") + part;
  return text;
}

}  // namespace pc

#include <cmath>
#include <cstdlib>

namespace pc {

namespace {

// Splits "1.5s" into 1.5 and "s"; false if there is no number first.
bool NumberAndUnit(const std::string& text, double* number, std::string* unit) {
  const char* begin = text.c_str();
  char* end = nullptr;
  *number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(*number) || *number < 0) return false;
  *unit = std::string(end);
  return true;
}

}  // namespace

std::optional<int64_t> ParseBandwidth(const std::string& text) {
  double number;
  std::string unit;
  if (!NumberAndUnit(text, &number, &unit)) return std::nullopt;
  struct Unit {
    const char* name;
    double bytes;
  };
  static const Unit kUnits[] = {{"B/s", 1},          {"KB/s", 1024},        {"kB/s", 1024},
                                {"MB/s", 1048576},   {"GB/s", 1073741824},  {"bit/s", 1.0 / 8},
                                {"kbit/s", 1000 / 8.0}, {"Kbit/s", 1000 / 8.0}, {"Mbit/s", 1e6 / 8},
                                {"Gbit/s", 1e9 / 8}};
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      const double bps = number * u.bytes;
      if (bps < 1 || bps > 1e12) return std::nullopt;
      return static_cast<int64_t>(bps);
    }
  }
  return std::nullopt;
}

}  // namespace pc
