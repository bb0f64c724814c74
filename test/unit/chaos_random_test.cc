// Randomized: histories of a simulated register with random overlaps and info ops are
// linearizable by construction, so the verdict must be valid; change the value one completed op
// returned or expected, and the verdict must be invalid and name that op. Seeded: each seed
// replays exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "chaos/linearizability.h"
#include "chaos/verdict.h"
#include "chaos_history_builder.h"
#include "chaos_register_sim.h"
#include "sim/prng.h"

namespace pc::chaos {
namespace {

using testing::RegisterSimOptions;
using testing::SimulateRegister;

constexpr int kSeeds = 40;

// Ops whose value a mutation must make impossible: ok reads (final or not) and ok cas.
std::vector<int> Mutable(const History& h) {
  std::vector<int> ids;
  for (const Op& op : h.ops) {
    if (op.ok() && (op.kind == OpKind::kRead || op.kind == OpKind::kCas)) ids.push_back(op.id);
  }
  return ids;
}

bool Named(const Verdict& v, int op) {
  for (const CheckResult& c : v.checks) {
    for (const Problem& p : c.problems) {
      if (std::find(p.ops.begin(), p.ops.end(), op) != p.ops.end()) return true;
    }
  }
  return false;
}

void RunSeeds(const RegisterSimOptions& options) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    History h = SimulateRegister(seed, options);
    Verdict v = Judge(h, {});
    ASSERT_EQ(v.outcome, Outcome::kValid)
        << "seed " << seed << ": " << RenderVerdict(v, h) << HistoryToJsonl(h);

    zk::sim::Prng rng(seed * 7919);
    std::vector<int> candidates = Mutable(h);
    ASSERT_FALSE(candidates.empty());
    int target = candidates[rng.Below(candidates.size())];
    Op& op = h.ops[target];
    std::string was = DescribeOp(op);
    // A value nobody wrote: a read of it, or a cas expecting it, cannot be explained.
    if (op.kind == OpKind::kCas) {
      op.from = -1 - static_cast<int64_t>(seed);
    } else {
      op.value = -1 - static_cast<int64_t>(seed);
    }
    Verdict bad = Judge(h, {});
    EXPECT_EQ(bad.outcome, Outcome::kInvalid) << "seed " << seed << ": mutated " << was;
    EXPECT_TRUE(Named(bad, target)) << "seed " << seed << ": mutated " << was << "\n"
                                    << RenderVerdict(bad, h);
  }
}

TEST(ChaosRandom, SimulatedRegisterWithVersions_ValidThenMutationFound) {
  RegisterSimOptions options;
  options.ops = 400;
  options.info_chance = 0.05;
  RunSeeds(options);
  options.processes = 10;  // busier: more overlap, more info ops
  options.info_chance = 0.2;
  RunSeeds(options);
}

TEST(ChaosRandom, SimulatedRegisterWithoutVersions_ValidThenMutationFound) {
  // No versions: the search has only values to go by, and info ops real freedom.
  RegisterSimOptions options;
  options.ops = 150;
  options.info_chance = 0.05;
  options.versions = false;
  RunSeeds(options);
  options.processes = 3;
  options.info_chance = 0.2;
  RunSeeds(options);
}

// The search against brute force on small random histories (values from a tiny set, versions
// sometimes, ok / info / fail at random): every order of every choice of info ops that took
// effect, kept to real time, run through the register, and every version a non-final read saw
// must have held what it saw. Both must agree, valid or not.
bool BruteForceLinearizable(const History& h, const std::vector<int>& ids) {
  std::vector<const Op*> ok;
  std::vector<const Op*> info;
  std::vector<const Op*> stale;  // non-final reads: not placed, but what they saw existed
  for (int id : ids) {
    const Op& op = h.ops[id];
    if (op.kind == OpKind::kRead && !op.final_read) {
      stale.push_back(&op);
    } else {
      (op.info() ? info : ok).push_back(&op);
    }
  }
  std::set<int64_t> writable = {h.setup.initial_value};  // values some op could have written
  for (int id : ids) {
    const Op& op = h.ops[id];
    if ((op.kind == OpKind::kWrite || op.kind == OpKind::kCas) && !op.fail()) {
      writable.insert(op.value);
    }
  }
  std::map<int32_t, std::set<int64_t>> seen;  // version → writable values ops saw or made there
  for (int id : ids) {
    const Op& op = h.ops[id];
    if (!op.ok() || op.version == kNoVersion) continue;
    if (writable.count(op.value)) seen[op.version].insert(op.value);
    if (op.kind == OpKind::kCas && writable.count(op.from)) seen[op.version - 1].insert(op.from);
  }
  std::set<int32_t> conflicting;
  for (const auto& [version, values] : seen) {
    if (values.size() > 1) conflicting.insert(version);
  }
  for (uint32_t mask = 0; mask < (1u << info.size()); ++mask) {
    std::vector<const Op*> ops = ok;
    for (size_t i = 0; i < info.size(); ++i) {
      if (mask & (1u << i)) ops.push_back(info[i]);
    }
    std::sort(ops.begin(), ops.end());
    do {
      bool fits = true;
      for (size_t i = 0; i < ops.size() && fits; ++i) {
        for (size_t j = i + 1; j < ops.size() && fits; ++j) {
          // ops[j] is placed after ops[i]: wrong if ops[j] completed before ops[i] began.
          if (!ops[j]->info() && ops[j]->complete_ns < ops[i]->invoke_ns) fits = false;
        }
      }
      int64_t value = h.setup.initial_value;
      int32_t version = h.setup.initial_version;
      std::vector<int64_t> held = {value};  // the value of each version, from the initial one
      for (size_t i = 0; i < ops.size() && fits; ++i) {
        const Op& op = *ops[i];
        int32_t claimed = op.ok() ? op.version : kNoVersion;
        if (op.kind == OpKind::kRead) {
          fits = op.value == value && (claimed == kNoVersion || claimed == version);
          continue;
        }
        if (op.kind == OpKind::kCas && op.from != value) fits = false;
        if (claimed != kNoVersion && claimed != version + 1) fits = false;
        value = op.value;
        ++version;
        held.push_back(value);
      }
      for (const Op* read : stale) {
        // The version it saw existed, and held what it saw; but the initial version, a version
        // seen with two values and a value no op writes are the reads check's.
        if (read->version == kNoVersion || read->version <= h.setup.initial_version ||
            !writable.count(read->value)) {
          continue;
        }
        size_t i = static_cast<size_t>(read->version - h.setup.initial_version);
        if (i >= held.size()) fits = false;
        if (fits && !conflicting.count(read->version) && held[i] != read->value) fits = false;
      }
      if (fits) return true;
    } while (std::next_permutation(ops.begin(), ops.end()));
  }
  return false;
}

TEST(ChaosRandom, SearchAgreesWithBruteForceOnSmallHistories) {
  int valid = 0;
  int invalid = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    zk::sim::Prng rng(seed);
    testing::HistoryBuilder b;
    int n = static_cast<int>(rng.Range(2, 7));
    bool versions = rng.Chance(0.5);
    double now = 0;
    for (int i = 0; i < n; ++i) {
      // Each op its own process, so ops may overlap freely; invokes in time order.
      double t0 = now + static_cast<double>(rng.Range(0, 5));
      double t1 = t0 + static_cast<double>(rng.Range(0, 10));
      int64_t roll = rng.Below(10);
      Result r = roll < 7 ? Result::kOk : roll < 9 ? Result::kInfo : Result::kFail;
      bool no_completion = r == Result::kInfo && rng.Chance(0.5);
      int32_t version = versions ? static_cast<int32_t>(rng.Range(1, 4)) : kNoVersion;
      int64_t v = rng.Range(0, 2);
      int64_t kind = rng.Below(3);
      if (kind == 0) {
        b.Write(i, v, t0, no_completion ? -1 : t1, r, version);
      } else if (kind == 1) {
        b.Cas(i, rng.Range(0, 2), v, t0, no_completion ? -1 : t1, r, version);
      } else {
        b.Read(i, v, t0, t1, versions ? version - 1 : kNoVersion, rng.Chance(0.5));
      }
      now = t0;
    }
    History h = b.Build();
    std::vector<int> ids;
    for (const Op& op : h.ops) {
      if (!op.fail()) ids.push_back(op.id);
    }
    RegisterSearch search = SearchRegister(h, ids, {0, 0}, {});
    bool expected = BruteForceLinearizable(h, ids);
    ASSERT_EQ(search.outcome, expected ? Outcome::kValid : Outcome::kInvalid)
        << "seed " << seed << "\n"
        << HistoryToJsonl(h);
    (expected ? valid : invalid)++;
  }
  // Both answers came up often enough for the comparison to mean something.
  EXPECT_GT(valid, 100);
  EXPECT_GT(invalid, 100);
}

}  // namespace
}  // namespace pc::chaos
