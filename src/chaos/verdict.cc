#include "chaos/verdict.h"

#include <algorithm>
#include <cstdio>

#include "chaos/convergence.h"
#include "chaos/read_check.h"
#include "chaos/sequential_check.h"
#include "chaos/session_check.h"

namespace pc::chaos {
namespace {

// A limit on output: problems printed per check (verdict.json has them all, up to kProblemsMax).
constexpr size_t kProblemsPrintedMax = 5;

// "not-linearizable: ok read = 1 by process 2 [line 9], ok write 5 by process 1 [line 3]".
std::string Brief(const Problem& p, const History& h) {
  std::string s = p.kind;
  if (p.ops.empty()) {
    std::string text = p.text.size() > 120 ? p.text.substr(0, 117) + "..." : p.text;
    return s + ": " + text;
  }
  for (size_t i = 0; i < std::min<size_t>(p.ops.size(), 2); ++i) {
    s += (i == 0 ? ": " : ", ") + ShortOp(h.ops[p.ops[i]]);
  }
  return s;
}

}  // namespace

Verdict Judge(const History& history, const CheckOptions& options) {
  Verdict v;
  v.checks.push_back(CheckLinearizability(history, options.linearizability));
  v.checks.push_back(CheckReads(history));
  v.checks.push_back(CheckSequential(history));
  v.checks.push_back(CheckSessions(history));
  v.checks.push_back(CheckConvergence(history));
  v.checks.push_back(CheckLeaders(history));
  bool unknown = false;
  bool any = false;
  for (const CheckResult& c : v.checks) {
    if (!c.applicable) {
      continue;
    }
    any = true;
    if (c.outcome == Outcome::kInvalid) {
      v.outcome = Outcome::kInvalid;
    }
    if (c.outcome == Outcome::kUnknown) {
      unknown = true;
    }
  }
  if (v.outcome != Outcome::kInvalid && unknown) {
    v.outcome = Outcome::kUnknown;
  }
  if (!any) {
    v.outcome = Outcome::kUnknown;
    v.why = "nothing to check: no ops, listings, member facts or leaders in the history";
  }
  size_t ok = 0, fail = 0, info = 0;
  for (const Op& op : history.ops) {
    (op.ok() ? ok : op.fail() ? fail : info)++;
  }
  v.counts = {{"ops", history.ops.size()}, {"ok", ok}, {"fail", fail}, {"info", info}};
  return v;
}

int ExitCode(Outcome outcome) {
  switch (outcome) {
    case Outcome::kValid:
      return 0;
    case Outcome::kInvalid:
      return 1;
    case Outcome::kUnknown:
      return 3;
  }
  return 3;
}

std::string VerdictLine(const Verdict& verdict, const History& history) {
  if (verdict.outcome == Outcome::kValid) {
    return "verdict: valid";
  }
  std::string why = verdict.why;
  for (const CheckResult& c : verdict.checks) {
    if (!c.applicable || c.outcome != verdict.outcome) {
      continue;
    }
    why += (why.empty() ? "" : "; ") + c.name + ": ";
    if (c.outcome == Outcome::kUnknown) {
      why += c.summary;
      continue;
    }
    why += Brief(c.problems.front(), history);
    if (c.problems_total > 1) {
      why += " (+" + std::to_string(c.problems_total - 1) + " more)";
    }
  }
  return std::string(verdict.outcome == Outcome::kInvalid ? "verdict: INVALID ("
                                                          : "verdict: unknown (") +
         why + ")";
}

std::string RenderVerdict(const Verdict& verdict, const History& history) {
  std::string out;
  char line[64];
  std::snprintf(line, sizeof line, "ops: %zu (ok %zu, fail %zu, info %zu)\n",
                verdict.counts["ops"].get<size_t>(), verdict.counts["ok"].get<size_t>(),
                verdict.counts["fail"].get<size_t>(), verdict.counts["info"].get<size_t>());
  out += line;
  for (const CheckResult& c : verdict.checks) {
    if (!c.applicable) {
      continue;
    }
    std::snprintf(line, sizeof line, "%-22s %-8s ", c.name.c_str(),
                  c.outcome == Outcome::kInvalid ? "INVALID" : OutcomeName(c.outcome));
    out += line + c.summary + "\n";
    for (size_t i = 0; i < std::min(c.problems.size(), kProblemsPrintedMax); ++i) {
      out += "  " + c.problems[i].kind + ": " + c.problems[i].text + "\n";
    }
    if (c.problems_total > kProblemsPrintedMax) {
      out += "  ... " + std::to_string(c.problems_total - kProblemsPrintedMax) +
             " more in verdict.json\n";
    }
  }
  out += VerdictLine(verdict, history) + "\n";
  return out;
}

nlohmann::json VerdictJson(const Verdict& verdict, const History& history) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& c : verdict.checks) {
    nlohmann::json problems = nlohmann::json::array();
    for (const Problem& p : c.problems) {
      nlohmann::json ops = nlohmann::json::array();
      for (int id : p.ops) {
        ops.push_back(OpJson(history.ops[id]));
      }
      problems.push_back({{"kind", p.kind}, {"text", p.text}, {"ops", ops}});
    }
    checks.push_back({{"name", c.name},
                      {"applicable", c.applicable},
                      {"result", OutcomeName(c.outcome)},
                      {"summary", c.summary},
                      {"problems", problems},
                      {"problems_total", c.problems_total},
                      {"details", c.details}});
  }
  nlohmann::json out = {{"verdict", OutcomeName(verdict.outcome)},
                        {"exit_code", ExitCode(verdict.outcome)},
                        {"line", VerdictLine(verdict, history)},
                        {"counts", verdict.counts},
                        {"checks", checks}};
  if (!verdict.why.empty()) {
    out["why"] = verdict.why;
  }
  return out;
}

}  // namespace pc::chaos
