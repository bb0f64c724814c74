// What one checker of a chaos history concludes: valid, invalid (with the problems found, each
// naming the ops involved) or unknown (with why). verdict.h combines them. Plain values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pc::chaos {

enum class Outcome { kValid, kInvalid, kUnknown };

inline const char* OutcomeName(Outcome o) {
  return o == Outcome::kValid ? "valid" : o == Outcome::kInvalid ? "invalid" : "unknown";
}

// A limit on output: problems kept per check (the count of all is kept too).
inline constexpr size_t kProblemsMax = 50;

struct Problem {
  std::string kind;      // a stable name: "not-linearizable", "stale-read-own-write", ...
  std::string text;      // one line naming the ops (DescribeOp) and what is wrong
  std::vector<int> ops;  // op ids involved, the most telling first
};

struct CheckResult {
  std::string name;        // "register-linearizable", "register-reads", "sequential", ...
  bool applicable = true;  // false: the history has nothing this checker looks at
  Outcome outcome = Outcome::kValid;
  std::string summary;            // one line: what was checked, or why unknown
  std::vector<Problem> problems;  // at most kProblemsMax
  size_t problems_total = 0;
  nlohmann::json details = nlohmann::json::object();  // counts, states explored, ...

  // Records a problem (the outcome becomes invalid); past kProblemsMax only counts it.
  void Add(Problem p) {
    outcome = Outcome::kInvalid;
    ++problems_total;
    if (problems.size() < kProblemsMax) problems.push_back(std::move(p));
  }
};

}  // namespace pc::chaos
