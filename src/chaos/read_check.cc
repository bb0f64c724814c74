#include "chaos/read_check.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace pc::chaos {
namespace {

// One observation of the register: an ok read, or a cas's own getData.
struct Observation {
  const Op* op;
  int64_t value;
  int32_t version;   // kNoVersion: not recorded
  const char* what;  // "read" or "cas read", for messages
};

std::optional<Observation> Observed(const Op& op) {
  if (op.kind == OpKind::kRead && op.ok()) {
    return Observation{&op, op.value, op.version, "read"};
  }
  if (op.kind == OpKind::kCas && op.read_value && !op.info()) {
    return Observation{&op, *op.read_value, op.read_version, "its read"};
  }
  return std::nullopt;
}

bool IsWrite(const Op& op) { return op.kind == OpKind::kWrite || op.kind == OpKind::kCas; }

// The writes of one register, indexed for explaining observations.
struct Writes {
  std::map<int32_t, std::vector<const Op*>> ok_by_version;  // ok ops that report a version
  std::map<int64_t, std::vector<const Op*>> by_value;       // ok and info ops
  std::map<int64_t, std::vector<const Op*>> failed_by_value;

  void Add(const Op& op) {
    if (op.fail()) {
      failed_by_value[op.value].push_back(&op);
      return;
    }
    by_value[op.value].push_back(&op);
    if (op.ok() && op.version != kNoVersion) {
      ok_by_version[op.version].push_back(&op);
    }
  }
};

std::string Observes(const Observation& o) {
  std::string s = DescribeOp(*o.op) + ": " + o.what + " " + std::to_string(o.value);
  if (o.version != kNoVersion) {
    s += " at version " + std::to_string(o.version);
  }
  return s;
}

// Why the observation cannot be explained by any write, or nothing if it can.
std::optional<Problem> Unexplained(const Observation& o, const Writes& w, const Setup& setup) {
  const Op& reader = *o.op;
  auto before_end = [&reader](const Op* write) { return write->invoke_ns <= reader.complete_ns; };
  if (o.version != kNoVersion) {
    if (o.version == setup.initial_version) {
      if (o.value == setup.initial_value) {
        return std::nullopt;
      }
      return Problem{"read-wrong-version",
                     Observes(o) + ", but version " + std::to_string(o.version) +
                         " is the initial one, which held " + std::to_string(setup.initial_value),
                     {reader.id}};
    }
    if (o.version < setup.initial_version) {
      return Problem{
          "read-unwritten",
          Observes(o) + ", older than the initial version " + std::to_string(setup.initial_version),
          {reader.id}};
    }
    auto claimants = w.ok_by_version.find(o.version);
    if (claimants != w.ok_by_version.end()) {
      std::vector<const Op*> same;
      for (const Op* c : claimants->second) {
        if (c->value == o.value) {
          same.push_back(c);
        }
      }
      if (same.empty()) {
        const Op* c = claimants->second.front();
        return Problem{"read-wrong-version",
                       Observes(o) + ", but version " + std::to_string(o.version) +
                           " was written as " + std::to_string(c->value) + " by " + ShortOp(*c),
                       {reader.id, c->id}};
      }
      if (std::any_of(same.begin(), same.end(), before_end)) {
        return std::nullopt;
      }
      return Problem{"read-future",
                     Observes(o) + ", written by " + ShortOp(*same.front()) +
                         ", which began only after the read ended",
                     {reader.id, same.front()->id}};
    }
  } else if (o.value == setup.initial_value) {
    return std::nullopt;
  }
  // No ok op claims this version (or the version is not known): an ok op without a version or
  // an info op writing this value may have made it.
  std::vector<const Op*> candidates;
  auto found = w.by_value.find(o.value);
  if (found != w.by_value.end()) {
    for (const Op* c : found->second) {
      if (o.version == kNoVersion || c->info() || c->version == kNoVersion) {
        candidates.push_back(c);
      }
    }
  }
  if (std::any_of(candidates.begin(), candidates.end(), before_end)) {
    return std::nullopt;
  }
  if (!candidates.empty()) {
    return Problem{"read-future",
                   Observes(o) + ", written by " + ShortOp(*candidates.front()) +
                       ", which began only after the read ended",
                   {reader.id, candidates.front()->id}};
  }
  auto failed = w.failed_by_value.find(o.value);
  if (failed != w.failed_by_value.end()) {
    const Op* f = failed->second.front();
    return Problem{"read-failed-write",
                   Observes(o) + ", a value only " + ShortOp(*f) + " wrote, and it failed",
                   {reader.id, f->id}};
  }
  std::string why = o.version == kNoVersion ? ", a value no write wrote"
                                            : ", a value no write could have made at that version";
  return Problem{"read-unwritten", Observes(o) + why, {reader.id}};
}

// An ok cas that does not write over what it read.
std::optional<Problem> CasReadMismatch(const Op& op) {
  if (op.kind != OpKind::kCas || !op.ok() || !op.read_value) {
    return std::nullopt;
  }
  if (*op.read_value != op.from) {
    return Problem{"cas-read-mismatch",
                   DescribeOp(op) + ": succeeded though its read saw " +
                       std::to_string(*op.read_value) + ", not the expected " +
                       std::to_string(op.from),
                   {op.id}};
  }
  if (op.version != kNoVersion && op.read_version != kNoVersion &&
      int64_t{op.read_version} + 1 != op.version) {
    return Problem{"cas-read-mismatch",
                   DescribeOp(op) + ": read version " + std::to_string(op.read_version) +
                       " but claims to have produced version " + std::to_string(op.version) +
                       " (a cas's setData is conditional on the version it read)",
                   {op.id}};
  }
  return std::nullopt;
}

// The newest version a session has seen of one register, and how.
struct Seen {
  int32_t version = kNoVersion;
  const Op* by = nullptr;
  bool own_write = false;
};

void CheckSessionOrder(const std::vector<const Op*>& ops, CheckResult* out) {
  Seen seen;
  for (const Op* op : ops) {
    if (std::optional<Observation> o = Observed(*op); o && o->version != kNoVersion) {
      if (seen.by != nullptr && o->version < seen.version) {
        std::string text = Observes(*o) + ", older than version " + std::to_string(seen.version);
        text += seen.own_write ? " its own session wrote with " : " its session already read with ";
        text += ShortOp(*seen.by);
        out->Add({seen.own_write ? "stale-read-own-write" : "read-went-back",
                  text,
                  {op->id, seen.by->id}});
      } else if (seen.by == nullptr || o->version > seen.version) {
        seen = {o->version, op, false};
      }
    }
    if (IsWrite(*op) && op->ok() && op->version != kNoVersion) {
      if (seen.by != nullptr && op->version <= seen.version) {
        out->Add({"write-went-back",
                  DescribeOp(*op) + ": produced version " + std::to_string(op->version) +
                      ", not after version " + std::to_string(seen.version) +
                      " its session had already seen with " + ShortOp(*seen.by),
                  {op->id, seen.by->id}});
      } else {
        seen = {op->version, op, true};
      }
    }
  }
}

// Two observations of one version with different values (a version claimed by an ok op is
// Unexplained's: the value must be that op's). An ok cas that reports its version observed too:
// its conditional setData found the version below holding the value it expected.
void Disagreements(const History& history, std::map<std::string, Writes>& writes,
                   CheckResult* out) {
  std::map<std::pair<std::string, int32_t>, Observation> first;  // (path, version) → first seen
  for (const Op& op : history.ops) {
    std::vector<Observation> seen;
    if (std::optional<Observation> o = Observed(op)) {
      seen.push_back(*o);
    }
    if (op.kind == OpKind::kCas && op.ok() && op.version != kNoVersion && !op.read_value) {
      seen.push_back({&op, op.from, op.version - 1, "its setData"});
    }
    for (const Observation& o : seen) {
      if (o.version == kNoVersion || writes[op.path].ok_by_version.count(o.version) ||
          o.version == history.setup.initial_version) {
        continue;
      }
      auto [it, fresh] = first.emplace(std::make_pair(op.path, o.version), o);
      if (fresh || it->second.value == o.value) {
        continue;
      }
      out->Add({"reads-disagree",
                Observes(o) + ", but " + ShortOp(*it->second.op) + " saw " +
                    std::to_string(it->second.value) + " at that version",
                {op.id, it->second.op->id}});
    }
  }
}

}  // namespace

CheckResult CheckReads(const History& history) {
  CheckResult out;
  out.name = "register-reads";
  std::map<std::string, Writes> writes;  // by register path
  for (const Op& op : history.ops) {
    if (IsWrite(op)) {
      writes[op.path].Add(op);
    }
  }
  size_t observations = 0;
  std::map<std::pair<std::string, std::string>, std::vector<const Op*>> sessions;
  for (const Op& op : history.ops) {
    if (op.kind != OpKind::kRead && !IsWrite(op)) {
      continue;
    }
    if (!op.session.empty()) {
      sessions[{op.session, op.path}].push_back(&op);
    }
    if (std::optional<Problem> p = CasReadMismatch(op)) {
      out.Add(std::move(*p));
    }
    std::optional<Observation> o = Observed(op);
    if (!o) {
      continue;
    }
    ++observations;
    if (std::optional<Problem> p = Unexplained(*o, writes[op.path], history.setup)) {
      out.Add(std::move(*p));
    }
  }
  Disagreements(history, writes, &out);
  for (auto& [key, ops] : sessions) {
    std::stable_sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) {
      return std::tie(a->invoke_ns, a->id) < std::tie(b->invoke_ns, b->id);
    });
    CheckSessionOrder(ops, &out);
  }
  if (observations == 0) {
    out.applicable = false;
    out.summary = "no ok reads";
    return out;
  }
  out.details = {{"reads", observations}, {"session_registers", sessions.size()}};
  out.summary = out.outcome == Outcome::kValid
                    ? std::to_string(observations) +
                          " reads return written values, in order per "
                          "session (" +
                          std::to_string(sessions.size()) + " session-registers)"
                    : std::to_string(out.problems_total) + " read problem(s)";
  return out;
}

}  // namespace pc::chaos
