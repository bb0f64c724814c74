// Linearizability of the register workload's writes and CAS: is there one order of the ops,
// each placed at a point between its invoke and its completion, that a single register would
// produce? ZooKeeper promises this for writes (all go through the leader's one log); a CAS is
// getData then setData(version read), so it takes effect at the setData and is a true CAS.
// Reads are not in it (ZooKeeper reads may be stale: read_check.h holds what they promise),
// except final reads, made after the final heal on a converged ensemble, which must see the
// last state.
//
// The model: the register is (value, version), as the znode's data and Stat.version. A write v
// makes (v, version + 1); cas a→b needs value a and makes (b, version + 1); a read (final) needs
// its value and version. `info` ops (outcome unknown) take effect at any point after their
// invoke, or never; `fail` ops never happened and are left out.
//
// Versions make the search exact where values alone would leave it guessing: an ok op that
// reports the version it produced (setData's Stat) may only take effect where the register had
// the version below; every (value, version) any op saw, stale reads included, says what that
// version held, so whoever produced it wrote that value; and a value only one op wrote, seen at
// one version, pins that op there. So ok ops fall in line and only info ops keep real freedom.
// The versions are not trusted: two ok ops that claim one version cannot both be placed, and
// the search says so.
//
// The search: Wing & Gong's, with Lowe's just-in-time linearization (try only ops whose invoke
// precedes the earliest completion not yet placed) and memoisation of (set of placed ops,
// register state), as Knossos and Porcupine do; the set is kept as a 128-bit Zobrist hash.
// Independent registers (ops with different paths) are checked apart (Herlihy & Wing's locality).
// The search explores at most max_states new (set, state) pairs per register; past that the answer
// is unknown, with why.
//
// Before searching it checks what one or two ops can disprove (a value no op writes, one
// version claimed twice, real time against versions) and names them. On a violation the search
// finds, it names the op whose completion no linearization gets past, what the register could
// hold just before it and which op set that, a later ok op it would leave behind, what was seen
// of the versions in between, and the ops concurrent with it.
// Pure: no I/O, clock, threads or randomness.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chaos/check_result.h"
#include "chaos/history.h"

namespace pc::chaos {

struct RegisterState {
  int64_t value = 0;
  int32_t version = 0;
  bool operator==(const RegisterState& o) const { return value == o.value && version == o.version; }
};

struct LinearizabilityOptions {
  int64_t max_states = 2'000'000;  // per register; each costs ~60 bytes of memory
};

// A version some op saw holding a value.
struct SeenVersion {
  int32_t version = 0;
  int64_t value = 0;
  int op = -1;
};

// The search's answer for one register.
struct RegisterSearch {
  std::string path;
  Outcome outcome = Outcome::kValid;
  int ops = 0;  // ops searched: ok and info writes and cas, ok final reads
  int64_t states_explored = 0;
  // kInvalid (and, as "linearizable up to", kUnknown): the op whose completion ends the
  // shortest prefix that cannot be linearized (kUnknown: the furthest the search got); -1 when
  // the whole history but for the versions seen is linearizable (see unreached_version).
  int stuck_op = -1;
  // What the register could hold just before stuck_op, each with the op that set it (-1: the
  // initial value). At most kStatesShownMax.
  std::vector<std::pair<RegisterState, int>> could_be;
  std::vector<int> concurrent;  // ops overlapping stuck_op in time, invoke order
  // What ops saw of the versions between the furthest state reached and what stuck_op needs.
  std::vector<SeenVersion> seen;
  // A later ok op stuck_op would leave behind: it needs the register at left_behind_at, and
  // stuck_op would take it past that.
  int left_behind = -1;
  int32_t left_behind_at = kNoVersion;
  // Set when a necessary condition fails before any search: why stuck_op cannot take effect
  // ("{}" stands for proof_ops[0]), and the other ops that show it.
  std::string proof;
  std::vector<int> proof_ops;
  // kInvalid with stuck_op -1: every ok op fits, but the register cannot reach this version,
  // which unreached_op saw (could_be: how far it gets).
  int32_t unreached_version = kNoVersion;
  int unreached_op = -1;
};

inline constexpr size_t kStatesShownMax = 8;
inline constexpr size_t kConcurrentShownMax = 20;
inline constexpr size_t kSeenShownMax = 3;

// The ops the search places: ok and info writes and cas, ok final reads.
bool InRegisterSearch(const Op& op);

// Searches the ops of one register (ids into history.ops) from `initial`: it places the ok and
// info writes and cas and the ok final reads, and takes every (value, version) any of the ops
// saw as a fact about that version.
RegisterSearch SearchRegister(const History& history, const std::vector<int>& op_ids,
                              RegisterState initial, const LinearizabilityOptions& options);

// Every register of the history (grouped by path), from setup's initial value and version:
// check "register-linearizable".
CheckResult CheckLinearizability(const History& history, const LinearizabilityOptions& options);

}  // namespace pc::chaos
