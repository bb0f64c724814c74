#include "chaos/linearizability.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_set>

namespace pc::chaos {
namespace {

// One op as the search sees it. Info ops never complete: they may take effect at any point
// after their invoke, or never.
struct LinOp {
  OpKind kind = OpKind::kWrite;
  int64_t value = 0;  // write: written; cas: the new value; read: the value read
  int64_t from = 0;   // cas: expected
  int32_t version = kNoVersion;  // write/cas: the version it claims to have produced; read: seen
  bool info = false;
  int id = 0;  // History::ops index
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNever;
};

// The versions ok writes and cas claim to have produced. A version claimed by some ok op can
// only have been produced by that op (each setData makes one version, versions only grow), so an
// op that does not claim it may not produce it: cutting that branch early loses no answer.
class VersionClaims {
 public:
  VersionClaims(const std::vector<LinOp>& ops, int32_t base) : base_(base) {
    counts_.assign(ops.size() + 2, 0);
    for (const LinOp& op : ops) {
      if (op.info || op.kind == OpKind::kRead || op.version == kNoVersion) continue;
      int64_t i = int64_t{op.version} - base_;
      // Claims beyond the reach of every write are simply unreachable; no need to count them.
      if (i >= 0 && i < static_cast<int64_t>(counts_.size())) ++counts_[i];
    }
  }
  bool Claimed(int32_t version) const {
    int64_t i = int64_t{version} - base_;
    return i >= 0 && i < static_cast<int64_t>(counts_.size()) && counts_[i] > 0;
  }

 private:
  int32_t base_;
  std::vector<int> counts_;
};

// The register model: what `op` does to state `s`, or nothing if it cannot happen there.
std::optional<RegisterState> Step(const RegisterState& s, const LinOp& op,
                                  const VersionClaims& claims) {
  if (op.kind == OpKind::kRead) {
    if (op.value != s.value) return std::nullopt;
    if (op.version != kNoVersion && op.version != s.version) return std::nullopt;
    return s;
  }
  if (op.kind == OpKind::kCas && op.from != s.value) return std::nullopt;
  if (s.version == std::numeric_limits<int32_t>::max()) return std::nullopt;
  int32_t produced = s.version + 1;
  if (op.version != kNoVersion ? op.version != produced : claims.Claimed(produced)) {
    return std::nullopt;
  }
  return RegisterState{op.value, produced};
}

// The set of ops already placed, one bit per op (ops in invoke order).
class PlacedSet {
 public:
  explicit PlacedSet(size_t n) : words_((n + 63) / 64, 0) {}
  void Set(int i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  void Reset(int i) { words_[i / 64] &= ~(uint64_t{1} << (i % 64)); }

  // The set as the positions where a bit differs from the one before it (bit −1 being 0): ops
  // are placed roughly in invoke order, so this is a short list even for a long history, and
  // exact, unlike a hash.
  void Runs(std::vector<int32_t>* out) const {
    out->clear();
    uint64_t carry = 0;
    for (size_t w = 0; w < words_.size(); ++w) {
      uint64_t word = words_[w];
      uint64_t changes = word ^ ((word << 1) | carry);
      carry = word >> 63;
      while (changes != 0) {
        out->push_back(static_cast<int32_t>(w * 64 + __builtin_ctzll(changes)));
        changes &= changes - 1;
      }
    }
  }

 private:
  std::vector<uint64_t> words_;
};

// The (placed set, state) pairs seen. Runs live in one arena; the hash set holds indices.
class Memo {
 public:
  Memo() : set_(1024, Hash{this}, Equal{this}) {}
  Memo(const Memo&) = delete;
  Memo& operator=(const Memo&) = delete;

  // Records (runs, s); false if it was seen before.
  bool Insert(const std::vector<int32_t>& runs, const RegisterState& s) {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint64_t v) {
      h ^= v;
      h *= 1099511628211ull;
      h ^= h >> 29;
    };
    mix(static_cast<uint64_t>(s.value));
    mix(static_cast<uint32_t>(s.version));
    for (int32_t r : runs) mix(static_cast<uint32_t>(r));
    entries_.push_back({h, s.value, s.version, static_cast<uint32_t>(arena_.size()),
                        static_cast<uint32_t>(runs.size())});
    arena_.insert(arena_.end(), runs.begin(), runs.end());
    if (set_.insert(static_cast<uint32_t>(entries_.size() - 1)).second) return true;
    arena_.resize(entries_.back().offset);
    entries_.pop_back();
    return false;
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t hash;
    int64_t value;
    int32_t version;
    uint32_t offset;
    uint32_t length;
  };
  struct Hash {
    const Memo* memo;
    size_t operator()(uint32_t i) const { return memo->entries_[i].hash; }
  };
  struct Equal {
    const Memo* memo;
    bool operator()(uint32_t a, uint32_t b) const {
      const Entry& x = memo->entries_[a];
      const Entry& y = memo->entries_[b];
      return x.hash == y.hash && x.value == y.value && x.version == y.version &&
             x.length == y.length &&
             std::equal(memo->arena_.begin() + x.offset, memo->arena_.begin() + x.offset + x.length,
                        memo->arena_.begin() + y.offset);
    }
  };
  std::vector<int32_t> arena_;
  std::vector<Entry> entries_;
  std::unordered_set<uint32_t, Hash, Equal> set_;
};

// The history as a list of invoke and completion events in time order, from which placed ops
// are lifted out and put back (Knuth's dancing links), as in Lowe's algorithm.
class EventList {
 public:
  struct Event {
    int64_t time;
    int completion;  // 0: invoke, 1: completion; invokes first at equal times (overlapping)
    int op;
    bool operator<(const Event& o) const {
      return std::tie(time, completion, op) < std::tie(o.time, o.completion, o.op);
    }
  };

  explicit EventList(const std::vector<LinOp>& ops) {
    for (size_t i = 0; i < ops.size(); ++i) {
      int op = static_cast<int>(i);
      events_.push_back({ops[i].invoke_ns, 0, op});
      // Info ops' completions go last, after every ok completion: reaching one means every ok
      // op has been placed.
      events_.push_back({ops[i].info ? kNever : ops[i].complete_ns, 1, op});
    }
    std::sort(events_.begin(), events_.end());
    size_t n = events_.size();
    invoke_at_.resize(ops.size());
    complete_at_.resize(ops.size());
    next_.resize(n + 1);
    prev_.resize(n + 1);
    for (size_t e = 0; e < n; ++e) {
      (events_[e].completion ? complete_at_ : invoke_at_)[events_[e].op] = static_cast<int>(e);
      next_[e] = e + 1 < n ? static_cast<int>(e + 1) : kEnd;
      prev_[e] = e == 0 ? head() : static_cast<int>(e - 1);
    }
    next_[head()] = n > 0 ? 0 : kEnd;
  }

  static constexpr int kEnd = -1;
  int head() const { return static_cast<int>(events_.size()); }
  int first() const { return next_[head()]; }
  int next(int e) const { return next_[e]; }
  const Event& at(int e) const { return events_[e]; }
  int invoke_at(int op) const { return invoke_at_[op]; }

  void Lift(int op) {
    Unlink(invoke_at_[op]);
    Unlink(complete_at_[op]);
  }
  // Puts back the last op lifted.
  void Unlift(int op) {
    Relink(complete_at_[op]);
    Relink(invoke_at_[op]);
  }

 private:
  void Unlink(int e) {
    next_[prev_[e]] = next_[e];
    if (next_[e] != kEnd) prev_[next_[e]] = prev_[e];
  }
  void Relink(int e) {
    next_[prev_[e]] = e;
    if (next_[e] != kEnd) prev_[next_[e]] = e;
  }

  std::vector<Event> events_;
  std::vector<int> invoke_at_;
  std::vector<int> complete_at_;
  std::vector<int> next_;
  std::vector<int> prev_;
};

LinOp ToLinOp(const Op& op) {
  LinOp l;
  l.kind = op.kind;
  l.value = op.value;
  l.from = op.from;
  l.version = op.ok() ? op.version : kNoVersion;
  l.info = op.info();
  l.id = op.id;
  l.invoke_ns = op.invoke_ns;
  l.complete_ns = op.complete_ns;
  return l;
}

// Which ops of one register the search takes.
bool Searched(const Op& op) {
  switch (op.kind) {
    case OpKind::kWrite:
    case OpKind::kCas:
      return !op.fail();
    case OpKind::kRead:
      return op.final_read && op.ok();
    default:
      return false;
  }
}

void Explain(const History& h, const RegisterSearch& r, CheckResult* out) {
  const Op& stuck = h.ops[r.stuck_op];
  Problem p;
  p.kind = "not-linearizable";
  p.ops.push_back(stuck.id);
  std::string text = "not linearizable: " + DescribeOp(stuck) + " cannot take effect";
  if (!r.could_be.empty()) {
    text += "; just before it the register could only be ";
    for (size_t i = 0; i < r.could_be.size(); ++i) {
      const auto& [state, setter] = r.could_be[i];
      if (i > 0) text += " or ";
      text += std::to_string(state.value) + " at version " + std::to_string(state.version);
      if (setter < 0) {
        text += " (initially)";
      } else {
        text += " (set by " + ShortOp(h.ops[setter]) + ")";
        if (std::find(p.ops.begin(), p.ops.end(), setter) == p.ops.end()) p.ops.push_back(setter);
      }
    }
  }
  if (!r.same_version.empty()) {
    text += "; version " + std::to_string(stuck.version) + " is also claimed by";
    for (int id : r.same_version) {
      text += " " + ShortOp(h.ops[id]);
      if (std::find(p.ops.begin(), p.ops.end(), id) == p.ops.end()) p.ops.push_back(id);
    }
  }
  if (!r.concurrent.empty()) {
    text += "; concurrent with it:";
    size_t shown = std::min<size_t>(r.concurrent.size(), 5);
    for (size_t i = 0; i < shown; ++i) text += " " + ShortOp(h.ops[r.concurrent[i]]);
    if (r.concurrent.size() > shown) {
      text += " and " + std::to_string(r.concurrent.size() - shown) + " more";
    }
    for (int id : r.concurrent) {
      if (std::find(p.ops.begin(), p.ops.end(), id) == p.ops.end()) p.ops.push_back(id);
    }
  }
  text += "; the history up to line " +
          std::to_string(stuck.complete_line ? stuck.complete_line : stuck.invoke_line) +
          " cannot be linearized";
  p.text = text;
  out->Add(std::move(p));
}

}  // namespace

RegisterSearch SearchRegister(const History& history, const std::vector<int>& op_ids,
                              RegisterState initial, const LinearizabilityOptions& options) {
  RegisterSearch r;
  std::vector<LinOp> ops;
  for (int id : op_ids) ops.push_back(ToLinOp(history.ops[id]));
  std::stable_sort(ops.begin(), ops.end(),
                   [](const LinOp& a, const LinOp& b) { return a.invoke_ns < b.invoke_ns; });
  r.ops = static_cast<int>(ops.size());
  if (!ops.empty()) r.path = history.ops[ops[0].id].path;

  VersionClaims claims(ops, initial.version);
  EventList list(ops);
  PlacedSet placed(ops.size());
  Memo memo;
  std::vector<int32_t> runs;
  struct Frame {
    int op;
    RegisterState before;
  };
  std::vector<Frame> stack;
  RegisterState state = initial;
  int deepest = -1;  // the furthest completion event the search got stuck at
  int entry = list.first();
  while (true) {
    if (entry == EventList::kEnd) break;  // every op placed
    const EventList::Event& ev = list.at(entry);
    if (ev.completion == 0) {
      if (std::optional<RegisterState> after = Step(state, ops[ev.op], claims)) {
        placed.Set(ev.op);
        placed.Runs(&runs);
        if (memo.Insert(runs, *after)) {
          if (static_cast<int64_t>(memo.size()) > options.max_states) {
            r.outcome = Outcome::kUnknown;
            break;
          }
          stack.push_back({ev.op, state});
          state = *after;
          list.Lift(ev.op);
          entry = list.first();
          continue;
        }
        placed.Reset(ev.op);
      }
      entry = list.next(entry);
      continue;
    }
    // A completion: every op completed before it is placed. An info op's means all ok ops are.
    if (ops[ev.op].info) break;
    // The op completing here cannot be placed on this path: note how far we got, backtrack.
    if (entry > deepest) {
      deepest = entry;
      r.could_be.clear();
    }
    if (entry == deepest && r.could_be.size() < kStatesShownMax) {
      int setter = stack.empty() ? -1 : ops[stack.back().op].id;
      bool seen = std::any_of(r.could_be.begin(), r.could_be.end(),
                              [&](const auto& c) { return c.first == state; });
      if (!seen) r.could_be.emplace_back(state, setter);
    }
    if (stack.empty()) {
      r.outcome = Outcome::kInvalid;
      break;
    }
    Frame f = stack.back();
    stack.pop_back();
    placed.Reset(f.op);
    state = f.before;
    list.Unlift(f.op);
    entry = list.next(list.invoke_at(f.op));
  }
  r.states_explored = static_cast<int64_t>(memo.size());
  if (r.outcome == Outcome::kValid || deepest < 0) {
    r.could_be.clear();
    return r;
  }
  const LinOp& stuck = ops[list.at(deepest).op];
  r.stuck_op = stuck.id;
  for (const LinOp& op : ops) {
    if (op.id == stuck.id) continue;
    int64_t end = op.info ? kNever : op.complete_ns;
    if (op.invoke_ns <= stuck.complete_ns && end >= stuck.invoke_ns &&
        r.concurrent.size() < kConcurrentShownMax) {
      r.concurrent.push_back(op.id);
    }
    if (stuck.version != kNoVersion && stuck.kind != OpKind::kRead && !op.info &&
        op.kind != OpKind::kRead && op.version == stuck.version) {
      r.same_version.push_back(op.id);
    }
  }
  return r;
}

CheckResult CheckLinearizability(const History& history, const LinearizabilityOptions& options) {
  CheckResult out;
  out.name = "register-linearizable";
  std::map<std::string, std::vector<int>> registers;
  for (const Op& op : history.ops) {
    if (Searched(op)) registers[op.path].push_back(op.id);
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
    ops += ids.size();
    per_register.push_back({{"path", path},
                            {"ops", r.ops},
                            {"states_explored", r.states_explored},
                            {"result", OutcomeName(r.outcome)}});
    if (r.outcome == Outcome::kInvalid) {
      Explain(history, r, &out);
    } else if (r.outcome == Outcome::kUnknown && unknown_why.empty()) {
      unknown_why = "gave up on the register" + (path.empty() ? "" : " " + path) + " after " +
                    std::to_string(r.states_explored) + " states (the search bound, max_states)";
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
