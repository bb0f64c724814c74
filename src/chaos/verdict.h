// The verdict of a chaos run: every checker over one history, combined. Invalid if any check
// found a violation, else unknown if any could not decide, else valid. Rendered three ways, as
// data for the CLI: verdict.json, a few lines for people, and the last line
//   verdict: valid | verdict: INVALID (…what, which ops…) | verdict: unknown (…why…)
// with the exit code 0 / 1 / 3. Checks that find nothing to look at in the history (e.g. the
// sequential check of a register run) are listed as not applicable and do not count; a history
// no check applies to (no ops at all, say) is unknown, not valid.
// Pure: no I/O, clock or threads.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos/check_result.h"
#include "chaos/history.h"
#include "chaos/linearizability.h"

namespace pc::chaos {

struct CheckOptions {
  LinearizabilityOptions linearizability;
};

struct Verdict {
  Outcome outcome = Outcome::kValid;
  std::vector<CheckResult> checks;  // in a fixed order, applicable or not
  nlohmann::json counts;            // ops: total, ok, fail, info
  std::string why;                  // unknown with no check to blame: why
};

// Runs every check: register-linearizable, register-reads, sequential, session, convergence,
// leaders.
Verdict Judge(const History& history, const CheckOptions& options);

int ExitCode(Outcome outcome);  // valid 0, invalid 1, unknown 3
std::string VerdictLine(const Verdict& verdict, const History& history);
// One line per applicable check, the first problems of each, then VerdictLine.
std::string RenderVerdict(const Verdict& verdict, const History& history);
// verdict.json: outcome, exit code, counts, every check with its problems and their ops.
nlohmann::json VerdictJson(const Verdict& verdict, const History& history);

}  // namespace pc::chaos
