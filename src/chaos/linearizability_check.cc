// linearizability.h's check over a whole history: registers by path, each searched, and the
// problem that names the ops when one is not linearizable.
#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "chaos/linearizability.h"

namespace pc::chaos {
namespace {

// "the register could only be 1 at version 1 (set by ...) or ...", naming the setters.
std::string CouldBe(const History& h, const RegisterSearch& r, std::vector<int>* ops) {
  std::string text;
  for (size_t i = 0; i < r.could_be.size(); ++i) {
    const auto& [state, setter] = r.could_be[i];
    text += (i > 0 ? " or " : "") + std::to_string(state.value) + " at version " +
            std::to_string(state.version);
    if (setter < 0) {
      text += " (initially)";
    } else {
      text += " (set by " + ShortOp(h.ops[setter]) + ")";
      ops->push_back(setter);
    }
  }
  return text;
}

// The problem for a register the search found not linearizable: the stuck op first, then the
// ops that explain why, the most telling first (the verdict line names the first two).
void Explain(const History& h, const RegisterSearch& r, CheckResult* out) {
  std::vector<int> ops;
  std::string text;
  if (r.stuck_op < 0) {
    const Op& saw = h.ops[r.unreached_op];
    ops.push_back(saw.id);
    text = "no order of the writes and cas reaches version " + std::to_string(r.unreached_version) +
           ", which " + DescribeOp(saw) + " saw; the register gets only as far as " +
           CouldBe(h, r, &ops);
  } else {
    const Op& stuck = h.ops[r.stuck_op];
    ops.push_back(stuck.id);
    text = DescribeOp(stuck) + " cannot take effect";
    if (!r.proof.empty()) {
      std::string proof = r.proof;
      if (size_t at = proof.find("{}"); at != std::string::npos && !r.proof_ops.empty()) {
        proof.replace(at, 2, ShortOp(h.ops[r.proof_ops.front()]));
      }
      text += ": " + proof;
      ops.insert(ops.end(), r.proof_ops.begin(), r.proof_ops.end());
      out->Add({"not-linearizable", text, ops});
      return;
    }
    if (r.left_behind >= 0) {
      text += ": that would leave behind " + ShortOp(h.ops[r.left_behind]) +
              ", which needs the register at version " + std::to_string(r.left_behind_at);
      ops.push_back(r.left_behind);
    }
    for (const SeenVersion& seen : r.seen) {
      text += "; version " + std::to_string(seen.version) + " was seen as " +
              std::to_string(seen.value) + " by " + ShortOp(h.ops[seen.op]);
      ops.push_back(seen.op);
    }
    if (!r.could_be.empty()) {
      text += "; just before it the register could only be " + CouldBe(h, r, &ops);
    }
    if (!r.concurrent.empty()) {
      text += "; concurrent with it:";
      size_t shown = std::min<size_t>(r.concurrent.size(), 5);
      for (size_t i = 0; i < shown; ++i) {
        text += " " + ShortOp(h.ops[r.concurrent[i]]);
      }
      if (r.concurrent.size() > shown) {
        text += " and " + std::to_string(r.concurrent.size() - shown) + " more";
      }
      ops.insert(ops.end(), r.concurrent.begin(), r.concurrent.end());
    }
    text += "; no linearization gets past line " +
            std::to_string(stuck.complete_line ? stuck.complete_line : stuck.invoke_line);
  }
  std::vector<int> unique;
  for (int id : ops) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) {
      unique.push_back(id);
    }
  }
  out->Add({"not-linearizable", text, unique});
}

}  // namespace

CheckResult CheckLinearizability(const History& history, const LinearizabilityOptions& options) {
  CheckResult out;
  out.name = "register-linearizable";
  std::map<std::string, std::vector<int>> registers;
  for (const Op& op : history.ops) {
    if (op.kind == OpKind::kWrite || op.kind == OpKind::kCas || op.kind == OpKind::kRead) {
      registers[op.path].push_back(op.id);
    }
  }
  // Only registers with something to search.
  for (auto it = registers.begin(); it != registers.end();) {
    bool any = std::any_of(it->second.begin(), it->second.end(),
                           [&](int id) { return InRegisterSearch(history.ops[id]); });
    it = any ? std::next(it) : registers.erase(it);
  }
  if (registers.empty()) {
    out.applicable = false;
    out.summary = "no register writes or cas";
    return out;
  }
  RegisterState initial{history.setup.initial_value, history.setup.initial_version};
  int64_t states = 0;
  size_t ops = 0;
  std::string unknown_why;
  nlohmann::json per_register = nlohmann::json::array();
  for (const auto& [path, ids] : registers) {
    RegisterSearch r = SearchRegister(history, ids, initial, options);
    states += r.states_explored;
    ops += r.ops;
    per_register.push_back({{"path", path},
                            {"ops", r.ops},
                            {"states_explored", r.states_explored},
                            {"result", OutcomeName(r.outcome)}});
    if (r.outcome == Outcome::kInvalid) {
      Explain(history, r, &out);
    } else if (r.outcome == Outcome::kUnknown && unknown_why.empty()) {
      unknown_why = "gave up on the register" + (path.empty() ? "" : " " + path) + " after " +
                    std::to_string(r.states_explored) + " states (the search bound: --max-states)";
      if (r.stuck_op >= 0) {
        unknown_why += "; linearizable at least up to " + ShortOp(history.ops[r.stuck_op]);
      }
    }
  }
  out.details = {{"ops", ops}, {"states_explored", states}, {"registers", per_register}};
  if (out.outcome == Outcome::kInvalid) {
    out.summary = std::to_string(out.problems_total) + " of " + std::to_string(registers.size()) +
                  " register(s) not linearizable";
  } else if (!unknown_why.empty()) {
    out.outcome = Outcome::kUnknown;
    out.summary = unknown_why;
  } else {
    out.summary = std::to_string(ops) + " writes, cas and final reads on " +
                  std::to_string(registers.size()) + " register(s) are linearizable (" +
                  std::to_string(states) + " states explored)";
  }
  return out;
}

}  // namespace pc::chaos
