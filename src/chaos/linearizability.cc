#include "chaos/linearizability.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>

namespace pc::chaos {
namespace {

// One op as the search sees it. Info ops never complete: they may take effect at any point
// after their invoke, or never.
struct LinOp {
  OpKind kind = OpKind::kWrite;
  int64_t value = 0;             // write: written; cas: the new value; read: the value read
  int64_t from = 0;              // cas: expected
  int32_t version = kNoVersion;  // write/cas: the version it claims to have produced; read: seen
  int32_t pinned = kNoVersion;   // write/cas: the version it must produce (VersionFacts::Pinned)
  bool info = false;
  int id = 0;  // History::ops index
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNever;
};

// What the history says about each version of the register, whatever the order of the ops:
//  - claims: the version each ok write and cas reports it produced (setData's Stat). A version
//    claimed by an ok op was produced by that op (each setData makes one version, versions only
//    grow), so no other op may produce it.
//  - facts: every (value, version) seen: an ok write's or cas's own, an ok cas's expected value
//    at the version below, an ok read's getData (final or not: a stale read still saw a real
//    version), a cas's getData. Whoever produced version v wrote that value. A version seen
//    with two values is no fact (read_check reports it).
//  - pins: a value written by one op only (and not the initial value) and seen at one version
//    was written by that op at that version.
// A value no op writes (nor the initial value) is no fact: the reads check reports whoever saw
// it, and the search does not wander through every order looking for a way to make it.
// Each of these only cuts branches that cannot lead to an answer when ZooKeeper is right; when
// it is not, a branch is cut that no correct execution needs, and the search says invalid.
class VersionFacts {
 public:
  struct Fact {
    int64_t value = 0;
    int op = -1;  // the op that saw it (History::ops index); -1: none
    bool conflict = false;
  };

  VersionFacts(const History& h, const std::vector<int>& ids, RegisterState initial, size_t reach)
      : base_(initial.version), initial_value_(initial.value) {
    claims_.assign(reach, 0);
    facts_.resize(reach);
    for (int id : ids) {
      const Op& op = h.ops[id];
      if ((op.kind == OpKind::kWrite || op.kind == OpKind::kCas) && !op.fail()) {
        ++writers_[op.value];
      }
    }
    for (int id : ids) {
      const Op& op = h.ops[id];
      bool write = op.kind == OpKind::kWrite || op.kind == OpKind::kCas;
      if (op.kind == OpKind::kCas && op.read_value && !op.info()) {
        See(op.read_version, *op.read_value, id);
      }
      if (!op.ok() || op.version == kNoVersion) {
        continue;
      }
      if (op.kind == OpKind::kRead) {
        See(op.version, op.value, id);
        continue;
      }
      if (!write) {
        continue;
      }
      if (size_t i = Index(op.version); i < reach) {
        ++claims_[i];
      }
      See(op.version, op.value, id);
      if (op.kind == OpKind::kCas) {
        See(op.version - 1, op.from, id);
      }
    }
  }

  bool Claimed(int32_t version) const {
    size_t i = Index(version);
    return i < claims_.size() && claims_[i] > 0;
  }
  const Fact* FactAt(int32_t version) const {
    size_t i = Index(version);
    return i < facts_.size() && facts_[i].op >= 0 && !facts_[i].conflict ? &facts_[i] : nullptr;
  }
  // Whether some write or cas that did not fail writes `value`, or it is the initial value.
  bool Writable(int64_t value) const {
    return value == initial_value_ || writers_.count(value) > 0;
  }
  // The highest version anyone saw (kNoVersion if none), and the op that saw it.
  int32_t HighestSeen() const { return highest_; }
  int HighestSeenBy() const { return highest_by_; }
  // The version an op writing `value` must produce, or kNoVersion.
  int32_t Pinned(int64_t value) const {
    auto w = writers_.find(value);
    auto seen = seen_at_.find(value);
    if (value == initial_value_ || w == writers_.end() || w->second != 1 ||
        seen == seen_at_.end()) {
      return kNoVersion;
    }
    // Only versions that are facts count (not the initial one, not one seen with two values).
    int32_t pinned = kNoVersion;
    for (int32_t version : seen->second) {
      size_t i = Index(version);
      if (i == 0 || i == std::numeric_limits<size_t>::max() ||
          (i < facts_.size() && facts_[i].conflict)) {
        continue;
      }
      if (pinned != kNoVersion) {
        return kNoVersion;  // seen at two versions: no pin
      }
      pinned = version;
    }
    return pinned;
  }

 private:
  size_t Index(int32_t version) const {
    int64_t i = int64_t{version} - base_;
    return i < 0 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(i);
  }
  void See(int32_t version, int64_t value, int op) {
    if (!Writable(value)) {
      return;  // no op could have made it: the reads check's to report, not a fact to search by
    }
    seen_at_[value].insert(version);
    if (highest_ == kNoVersion || version > highest_) {
      highest_ = version;
      highest_by_ = op;
    }
    size_t i = Index(version);
    // Beyond the reach of every write, or the initial version: nothing to produce there.
    if (i == 0 || i >= facts_.size()) {
      return;
    }
    Fact& f = facts_[i];
    if (f.op < 0) {
      f = {value, op, false};
    } else if (f.value != value) {
      f.conflict = true;
    }
  }

  int32_t base_;
  int64_t initial_value_;
  int32_t highest_ = kNoVersion;
  int highest_by_ = -1;
  std::vector<int> claims_;
  std::vector<Fact> facts_;
  std::map<int64_t, int> writers_;                // value → non-failed writes and cas writing it
  std::map<int64_t, std::set<int32_t>> seen_at_;  // value → versions it was seen at
};

// The register model: what `op` does to state `s`, or nothing if it cannot happen there.
std::optional<RegisterState> Step(const RegisterState& s, const LinOp& op,
                                  const VersionFacts& versions) {
  if (op.kind == OpKind::kRead) {
    if (op.value != s.value) {
      return std::nullopt;
    }
    if (op.version != kNoVersion && op.version != s.version) {
      return std::nullopt;
    }
    return s;
  }
  if (op.kind == OpKind::kCas && op.from != s.value) {
    return std::nullopt;
  }
  if (s.version == std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  int32_t produced = s.version + 1;
  if (op.version != kNoVersion ? op.version != produced : versions.Claimed(produced)) {
    return std::nullopt;
  }
  if (op.pinned != kNoVersion && op.pinned != produced) {
    return std::nullopt;
  }
  if (const VersionFacts::Fact* f = versions.FactAt(produced); f && f->value != op.value) {
    return std::nullopt;
  }
  return RegisterState{op.value, produced};
}

// The set of ops already placed, as a 128-bit Zobrist hash: each op has two fixed 64-bit keys,
// the set is the XOR of its members' keys, so placing or taking back an op costs O(1) and a
// memo entry 32 bytes, however long the history. (An exact set, as a bitset or its runs, costs
// memory in proportion to the info ops that never took effect, which stay unplaced forever.)
// Two different sets share a hash with odds of 2^-128 per pair, below 2^-80 for all pairs at
// the search bound; a collision could only cut a branch (at worst a false "invalid"), never
// make an invalid history pass.
class PlacedSet {
 public:
  explicit PlacedSet(size_t n) : keys_(n) {
    uint64_t x = 0x9e3779b97f4a7c15ull;  // a fixed seed: the same keys every run
    for (auto& [a, b] : keys_) {
      a = SplitMix(x);
      b = SplitMix(x);
    }
  }
  void Toggle(int i) {
    hash_[0] ^= keys_[i].first;
    hash_[1] ^= keys_[i].second;
  }
  uint64_t low() const { return hash_[0]; }
  uint64_t high() const { return hash_[1]; }

 private:
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  std::vector<std::pair<uint64_t, uint64_t>> keys_;
  uint64_t hash_[2] = {0, 0};
};

// The (placed set, state) pairs seen.
class Memo {
 public:
  // Records (set, s); false if it was seen before.
  bool Insert(const PlacedSet& set, const RegisterState& s) {
    return seen_.insert({set.low(), set.high(), s.value, s.version}).second;
  }
  size_t size() const { return seen_.size(); }

 private:
  struct Key {
    uint64_t low;
    uint64_t high;
    int64_t value;
    int32_t version;
    bool operator==(const Key& o) const {
      return low == o.low && high == o.high && value == o.value && version == o.version;
    }
  };
  struct Hash {
    size_t operator()(const Key& k) const {
      uint64_t h = k.low ^ (static_cast<uint64_t>(k.value) * 0x9e3779b97f4a7c15ull) ^
                   (static_cast<uint64_t>(static_cast<uint32_t>(k.version)) << 17);
      return static_cast<size_t>(h ^ (h >> 31));
    }
  };
  std::unordered_set<Key, Hash> seen_;
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
  int size() const { return static_cast<int>(events_.size()); }

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
    if (next_[e] != kEnd) {
      prev_[next_[e]] = prev_[e];
    }
  }
  void Relink(int e) {
    next_[prev_[e]] = e;
    if (next_[e] != kEnd) {
      prev_[next_[e]] = e;
    }
  }

  std::vector<Event> events_;
  std::vector<int> invoke_at_;
  std::vector<int> complete_at_;
  std::vector<int> next_;
  std::vector<int> prev_;
};

// The version each unplaced ok op with a known version needs the register at (a write or cas
// the one below its own, a read its own). Versions only grow, so placing an op that moves the
// register past one of them dooms the branch: it is cut at once. Without this, info ops would
// be tried in every combination after the last ok op before the search looked back.
class NeededVersions {
 public:
  explicit NeededVersions(const std::vector<LinOp>& ops) : ops_(ops) {
    for (size_t i = 0; i < ops.size(); ++i) {
      Unplaced(static_cast<int>(i));
    }
  }
  void Placed(int i) {
    if (int32_t at = Needs(i); at != kNoVersion) {
      unplaced_.erase({at, i});
    }
  }
  void Unplaced(int i) {
    if (int32_t at = Needs(i); at != kNoVersion) {
      unplaced_.insert({at, i});
    }
  }
  // Whether op i, taking the register to `version`, would leave another unplaced ok op behind.
  bool Overshoots(int i, int32_t version) const {
    for (const auto& [at, op] : unplaced_) {
      if (op != i) {
        return version > at;
      }
    }
    return false;
  }
  // An unplaced ok op other than i that needs the register at `version`, or -1.
  int OtherAt(int i, int32_t version) const {
    for (auto it = unplaced_.lower_bound({version, -1}); it != unplaced_.end(); ++it) {
      if (it->first != version) {
        break;
      }
      if (it->second != i) {
        return it->second;
      }
    }
    return -1;
  }

 private:
  int32_t Needs(int i) const {
    const LinOp& op = ops_[i];
    if (op.info || op.version == kNoVersion) {
      return kNoVersion;
    }
    return op.kind == OpKind::kRead ? op.version : op.version - 1;
  }

  const std::vector<LinOp>& ops_;
  std::set<std::pair<int32_t, int>> unplaced_;  // (version needed, op)
};

// Necessary conditions that two ops (or one) can break, checked before any search: when one
// fails, the proof names the ops at once, however many info ops would make a search long.
//  - an ok cas or final read that needs a value no op writes can never take effect;
//  - two ok writes or cas cannot both have produced one version;
//  - versions grow along the linearization, so if A completed before B was invoked, B must find
//    the register at least at the version A left it (a write or cas: the one below its own; a
//    read: its own).
// Fills r (kInvalid, stuck_op, proof with "{}" where proof_ops[0] goes) and returns true when
// one fails.
bool Disproved(const std::vector<LinOp>& ops, const VersionFacts& versions, RegisterSearch* r) {
  auto fail = [r](const LinOp& op, std::string proof, std::vector<int> others) {
    r->outcome = Outcome::kInvalid;
    r->stuck_op = op.id;
    r->proof = std::move(proof);
    r->proof_ops = std::move(others);
    return true;
  };
  for (const LinOp& op : ops) {
    int64_t needs = op.kind == OpKind::kCas ? op.from : op.value;
    if (!op.info && op.kind != OpKind::kWrite && !versions.Writable(needs)) {
      return fail(op, "no write or cas (ok or info) ever wrote " + std::to_string(needs), {});
    }
  }
  // Ok ops with a known version, by invoke (ops are in invoke order) and by completion.
  std::vector<const LinOp*> known;
  std::map<int32_t, const LinOp*> producer;
  for (const LinOp& op : ops) {
    if (op.info || op.version == kNoVersion) {
      continue;
    }
    known.push_back(&op);
    if (op.kind == OpKind::kRead) {
      continue;
    }
    auto [it, fresh] = producer.emplace(op.version, &op);
    if (!fresh) {
      return fail(op, "version " + std::to_string(op.version) + " is also claimed by {}",
                  {it->second->id});
    }
  }
  auto before = [](const LinOp* op) {  // the version the register must be at when it acts
    return op->kind == OpKind::kRead ? op->version : op->version - 1;
  };
  std::vector<const LinOp*> by_completion = known;
  std::stable_sort(by_completion.begin(), by_completion.end(),
                   [](const LinOp* a, const LinOp* b) { return a->complete_ns < b->complete_ns; });
  size_t done = 0;
  const LinOp* highest =
      nullptr;  // among ops completed so far, the one leaving the highest version
  for (const LinOp* op : known) {
    for (; done < by_completion.size() && by_completion[done]->complete_ns < op->invoke_ns;
         ++done) {
      if (highest == nullptr || by_completion[done]->version > highest->version) {
        highest = by_completion[done];
      }
    }
    if (highest != nullptr && before(op) < highest->version) {
      return fail(*op,
                  "it needs the register at version " + std::to_string(before(op)) +
                      ", but {}, which completed before it began, had left it at version " +
                      std::to_string(highest->version),
                  {highest->id});
    }
  }
  return false;
}

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

}  // namespace

RegisterSearch SearchRegister(const History& history, const std::vector<int>& op_ids,
                              RegisterState initial, const LinearizabilityOptions& options) {
  RegisterSearch r;
  std::vector<LinOp> ops;
  for (int id : op_ids) {
    if (InRegisterSearch(history.ops[id])) {
      ops.push_back(ToLinOp(history.ops[id]));
    }
  }
  std::stable_sort(ops.begin(), ops.end(),
                   [](const LinOp& a, const LinOp& b) { return a.invoke_ns < b.invoke_ns; });
  r.ops = static_cast<int>(ops.size());
  if (!op_ids.empty()) {
    r.path = history.ops[op_ids[0]].path;
  }

  // Versions beyond initial + every write cannot be produced: no need to know about them.
  VersionFacts versions(history, op_ids, initial, ops.size() + 2);
  for (LinOp& op : ops) {
    if (op.kind != OpKind::kRead) {
      op.pinned = versions.Pinned(op.value);
    }
  }
  if (Disproved(ops, versions, &r)) {
    return r;
  }
  EventList list(ops);
  PlacedSet placed(ops.size());
  Memo memo;
  struct Frame {
    int op;
    RegisterState before;
  };
  std::vector<Frame> stack;
  RegisterState state = initial;
  int deepest = -1;  // the furthest completion event the search got stuck at
  int entry = list.first();
  // Every version someone saw existed: the register must get at least that far.
  const int32_t must_reach = versions.HighestSeen();
  NeededVersions needed(ops);
  const int end = list.size();  // the position of "after every event", for `deepest`
  while (true) {
    int at = entry == EventList::kEnd ? end : entry;  // an event, or `end`
    if (entry != EventList::kEnd) {
      const EventList::Event& ev = list.at(entry);
      if (ev.completion == 0) {
        std::optional<RegisterState> after = Step(state, ops[ev.op], versions);
        if (after && !needed.Overshoots(ev.op, after->version)) {
          placed.Toggle(ev.op);
          if (memo.Insert(placed, *after)) {
            if (static_cast<int64_t>(memo.size()) > options.max_states) {
              r.outcome = Outcome::kUnknown;
              break;
            }
            stack.push_back({ev.op, state});
            state = *after;
            list.Lift(ev.op);
            needed.Placed(ev.op);
            entry = list.first();
            continue;
          }
          placed.Toggle(ev.op);
        }
        entry = list.next(entry);
        continue;
      }
      // An info op's completion: every ok op is placed (theirs all come first).
      if (ops[ev.op].info) {
        at = end;
      }
    }
    // Done, unless the register is still short of a version someone saw.
    if (at == end && state.version >= must_reach) {
      break;
    }
    // Stuck: the op completing here (or, at the end, the rest of the info ops) cannot be
    // placed on this path. Note how far we got and what the register held, then backtrack.
    if (at > deepest) {
      deepest = at;
      r.could_be.clear();
    }
    if (at == deepest && r.could_be.size() < kStatesShownMax) {
      int setter = stack.empty() ? -1 : ops[stack.back().op].id;
      bool seen = std::any_of(r.could_be.begin(), r.could_be.end(),
                              [&](const auto& c) { return c.first == state; });
      if (!seen) {
        r.could_be.emplace_back(state, setter);
      }
    }
    if (stack.empty()) {
      r.outcome = Outcome::kInvalid;
      break;
    }
    Frame f = stack.back();
    stack.pop_back();
    placed.Toggle(f.op);
    state = f.before;
    list.Unlift(f.op);
    needed.Unplaced(f.op);
    entry = list.next(list.invoke_at(f.op));
  }
  r.states_explored = static_cast<int64_t>(memo.size());
  if (r.outcome == Outcome::kValid || deepest < 0) {
    r.could_be.clear();
    return r;
  }
  if (deepest == end) {
    // Every ok op fits, but no choice of info ops gets the register to a version that was seen.
    r.unreached_version = must_reach;
    r.unreached_op = versions.HighestSeenBy();
    return r;
  }
  const LinOp& stuck = ops[list.at(deepest).op];
  r.stuck_op = stuck.id;
  // What was seen of the versions between the furthest the register got and what the stuck op
  // needs: often the op that makes it impossible.
  int32_t reached = initial.version;
  for (const auto& [s, setter] : r.could_be) {
    reached = std::max(reached, s.version);
  }
  int32_t needs = stuck.version != kNoVersion  ? stuck.version
                  : stuck.pinned != kNoVersion ? stuck.pinned
                                               : reached + 1;
  for (int32_t v = reached + 1; v <= needs && r.seen.size() < kSeenShownMax; ++v) {
    if (const VersionFacts::Fact* f = versions.FactAt(v); f && f->op != stuck.id) {
      r.seen.push_back({v, f->value, f->op});
    }
  }
  // A later ok op that needs the register at a version the stuck op would take it past.
  if (stuck.kind != OpKind::kRead && !r.could_be.empty()) {
    int32_t from = r.could_be.front().first.version;
    if (int i = needed.OtherAt(list.at(deepest).op, from); i >= 0) {
      r.left_behind = ops[i].id;
      r.left_behind_at = from;
    }
  }
  for (const LinOp& op : ops) {
    if (op.id == stuck.id) {
      continue;
    }
    int64_t end = op.info ? kNever : op.complete_ns;
    if (op.invoke_ns <= stuck.complete_ns && end >= stuck.invoke_ns &&
        r.concurrent.size() < kConcurrentShownMax) {
      r.concurrent.push_back(op.id);
    }
  }
  return r;
}

bool InRegisterSearch(const Op& op) {
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

}  // namespace pc::chaos
