// A simulated register for the chaos checker's randomized tests and its benchmark: client
// processes invoke writes, cas and reads with random durations and overlaps; each op takes
// effect at a random point inside its interval (so the history is linearizable by
// construction), and some ops end `info` (outcome unknown): half of those take effect, possibly
// after their info completion, half never. Values are unique, versions are ZooKeeper's
// (Stat.version), reads are never stale. Deterministic: everything comes from one seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "chaos/history.h"
#include "sim/prng.h"

namespace pc::chaos::testing {

struct RegisterSimOptions {
  int processes = 5;
  int ops = 1000;                // before the final reads
  double info_chance = 0.02;     // of a write or cas ending info
  double lost_completion = 0.2;  // of an info op having no completion line at all
  bool versions = true;          // record Stat versions (and each cas's read)
  bool final_reads = true;       // one final read per process after everything
};

inline History SimulateRegister(uint64_t seed, const RegisterSimOptions& o) {
  zk::sim::Prng rng(seed);
  History h;
  h.setup.workload = "register";
  const int64_t us = 1000;
  std::vector<int64_t> ready(o.processes, 0);
  // The process id each client slot uses now. An op without completion leaves its process
  // hanging, so the slot carries on as a new process with a new session (Jepsen's habit).
  std::vector<int64_t> process_of(o.processes);
  for (int p = 0; p < o.processes; ++p) process_of[p] = p;
  struct Planned {
    int op;
    int64_t effect_ns;  // when it takes effect; -1: never
  };
  std::vector<Planned> plan;
  for (int i = 0; i < o.ops; ++i) {
    // The process that is free first goes next, so invokes come in time order.
    int p = static_cast<int>(std::min_element(ready.begin(), ready.end()) - ready.begin());
    Op op;
    op.id = i;
    op.process = process_of[p];
    op.session = "0x" + std::to_string(100 + op.process);
    op.invoke_ns = ready[p];
    int64_t duration = rng.Range(1, 100) * us;
    op.complete_ns = op.invoke_ns + duration;
    int64_t choice = rng.Below(10);
    op.kind = choice < 4 ? OpKind::kWrite : choice < 7 ? OpKind::kCas : OpKind::kRead;
    op.value = 1000 + i;  // unique; a cas's new value, a write's value
    op.result = Result::kOk;
    int64_t effect = op.invoke_ns + rng.Range(0, duration);
    if (op.kind != OpKind::kRead && rng.Chance(o.info_chance)) {
      op.result = Result::kInfo;
      // It may take effect long after its client gave up on it, or never.
      effect = rng.Chance(0.5) ? op.invoke_ns + rng.Range(0, 4 * duration) : -1;
      if (rng.Chance(o.lost_completion)) {
        op.complete_ns = kNever;
        process_of[p] += o.processes;
      }
    }
    ready[p] = (op.complete_ns == kNever ? op.invoke_ns + duration : op.complete_ns) +
               rng.Range(0, 50) * us;
    plan.push_back({i, effect});
    h.ops.push_back(op);
  }
  // Apply the ops in effect order to one register, filling in what each saw and produced.
  std::stable_sort(plan.begin(), plan.end(),
                   [](const Planned& a, const Planned& b) { return a.effect_ns < b.effect_ns; });
  int64_t value = h.setup.initial_value;
  int32_t version = h.setup.initial_version;
  std::vector<int64_t> recent = {value};
  for (const Planned& pl : plan) {
    Op& op = h.ops[pl.op];
    if (pl.effect_ns < 0) continue;
    switch (op.kind) {
      case OpKind::kWrite:
        value = op.value;
        ++version;
        if (op.ok()) op.version = version;
        break;
      case OpKind::kCas: {
        // Usually expect the current value (succeeds); otherwise an older one (fails).
        bool hit = rng.Chance(0.7);
        op.from = hit ? value : recent[rng.Below(recent.size())];
        if (op.from != value) {
          if (op.info()) break;  // an info cas that would have failed: it never happened
          op.result = Result::kFail;
          op.read_value = value;  // its getData saw the register as it was
          op.read_version = version;
          break;
        }
        if (op.ok()) {
          op.read_value = value;
          op.read_version = version;
        }
        value = op.value;
        ++version;
        if (op.ok()) op.version = version;
        break;
      }
      case OpKind::kRead:
        op.value = value;
        op.version = version;
        break;
      default:
        break;
    }
    recent.push_back(value);
    if (recent.size() > 5) recent.erase(recent.begin());
  }
  for (const Planned& pl : plan) {
    // Info cas that never took effect still need an expected value.
    Op& op = h.ops[pl.op];
    if (op.kind == OpKind::kCas && pl.effect_ns < 0) op.from = recent[rng.Below(recent.size())];
  }
  if (!o.versions) {
    for (Op& op : h.ops) {
      op.version = kNoVersion;
      op.read_value.reset();
      op.read_version = kNoVersion;
    }
  }
  if (o.final_reads) {
    int64_t end = 0;
    for (const Op& op : h.ops) {
      end = std::max(end, op.complete_ns == kNever ? op.invoke_ns : op.complete_ns);
    }
    for (const Planned& pl : plan) end = std::max(end, pl.effect_ns);
    for (int p = 0; p < o.processes; ++p) {
      Op op;
      op.id = static_cast<int>(h.ops.size());
      op.process = process_of[p];
      op.session = "0x" + std::to_string(100 + op.process);
      op.kind = OpKind::kRead;
      op.final_read = true;
      op.result = Result::kOk;
      op.invoke_ns = end + (p + 1) * us;
      op.complete_ns = op.invoke_ns + 10 * us;
      op.value = value;
      op.version = o.versions ? version : kNoVersion;
      h.ops.push_back(op);
    }
  }
  return h;
}

}  // namespace pc::chaos::testing
