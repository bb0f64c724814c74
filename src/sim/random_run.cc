#include "sim/random_run.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "sim/election_member.h"
#include "sim/random_reconfig.h"
#include "sim/replica_member.h"

namespace zk::sim {
namespace {

Membership MakeMembership(int voters, int observers) {
  std::set<int64_t> v, o;
  for (int i = 1; i <= voters; ++i) v.insert(i);
  for (int i = 1; i <= observers; ++i) o.insert(voters + i);
  return Membership(v, o);
}

std::vector<int64_t> Ids(const Membership& m) {
  std::vector<int64_t> ids(m.voters().begin(), m.voters().end());
  ids.insert(ids.end(), m.observers().begin(), m.observers().end());
  return ids;
}

std::string Join(const std::set<int64_t>& s) {
  std::string out;
  for (int64_t v : s) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

void RandomFaults(Simulator& sim) {
  Prng& p = sim.prng();
  NetworkFaults& f = sim.network().faults();
  switch (p.Below(4)) {
    case 0:  // a quiet host
      f = NetworkFaults{};
      break;
    case 1:  // slow and lossy
      f = NetworkFaults{0, static_cast<int32_t>(p.Range(0, 3)), 0.05, 10, 0.1, 0.02};
      break;
    case 2:  // reordering within a few ticks, duplicates
      f = NetworkFaults{0, static_cast<int32_t>(p.Range(1, 5)), 0, 0, 0, 0.1};
      break;
    default:  // bad: long tail and loss
      f = NetworkFaults{static_cast<int32_t>(p.Range(0, 1)),
                        static_cast<int32_t>(p.Range(1, 8)),
                        0.1,
                        30,
                        0.3,
                        0.05};
      break;
  }
  char line[160];
  snprintf(line, sizeof line, "network delay %d..%d slow %.2f (+%d) loss %.2f duplicate %.2f",
           f.delay_min_ticks, f.delay_max_ticks, f.slow, f.slow_max_ticks, f.loss, f.duplicate);
  sim.Note(line);
}

void RandomPartition(Simulator& sim, const std::vector<int64_t>& ids) {
  Prng& p = sim.prng();
  sim.network().Heal();
  if (p.Chance(0.3)) {
    // One-way: a few directed links go dark.
    int n = static_cast<int>(p.Range(1, 3));
    std::string what;
    for (int i = 0; i < n; ++i) {
      int64_t a = ids[p.Below(ids.size())];
      int64_t b = ids[p.Below(ids.size())];
      if (a == b) continue;
      sim.network().Block(a, b);
      what += " " + std::to_string(a) + "->" + std::to_string(b);
    }
    sim.Note("partition one-way" + what);
    return;
  }
  std::set<int64_t> left, right;
  for (int64_t id : ids) (p.Chance(0.5) ? left : right).insert(id);
  sim.network().Partition({left, right});
  sim.Note("partition " + Join(left) + " | " + Join(right));
}

}  // namespace

// The faults a randomized run injects while it is in its chaos phase.
enum class Chaos { kCrashOrStart, kPartition, kHeal, kFaults, kBreakConnection, kQuickRestart };

void Inject(Simulator& sim, const std::vector<int64_t>& ids, Prng& p, Chaos kind) {
  switch (kind) {
    case Chaos::kCrashOrStart: {
      int64_t id = ids[p.Below(ids.size())];
      if (sim.IsUp(id)) {
        sim.CrashMember(id);
      } else {
        sim.StartMember(id);
      }
      break;
    }
    case Chaos::kPartition:
      RandomPartition(sim, ids);
      break;
    case Chaos::kHeal:
      sim.network().Heal();
      sim.Note("heal");
      break;
    case Chaos::kFaults:
      RandomFaults(sim);
      break;
    case Chaos::kBreakConnection: {  // one quorum connection breaks
      int64_t a = ids[p.Below(ids.size())];
      int64_t b = ids[p.Below(ids.size())];
      if (a != b) sim.network().Break(a, b);
      break;
    }
    case Chaos::kQuickRestart: {
      int64_t id = ids[p.Below(ids.size())];
      sim.CrashMember(id);
      sim.StartMember(id);
      break;
    }
  }
}

// The storage fault (issue 16), drawn from its own generator so that a run without it draws
// what it always drew: now and then a member's data directory fills up or empties again.
void DataDirFault(Simulator& sim, const std::vector<int64_t>& ids, Prng& p, double chance) {
  if (chance <= 0 || !p.Chance(chance)) return;
  int64_t id = ids[p.Below(ids.size())];
  SimDisk& d = sim.disk(id);
  d.data_dir_full = !d.data_dir_full;
  sim.Note(std::string(d.data_dir_full ? "disk-full " : "disk-ok ") + std::to_string(id));
}

void EmptyDataDirs(Simulator& sim, const std::vector<int64_t>& ids) {
  for (int64_t id : ids) sim.disk(id).data_dir_full = false;
}

// One tick of the chaos phase before the simulator runs it: members start at their staggered
// times, and after tick 20 a fault from `kinds` (equally likely) comes with chance 0.04.
void ChaosTick(Simulator& sim, const std::vector<int64_t>& ids, Prng& p, int64_t t,
               const std::map<int64_t, int64_t>& start_at, const std::vector<Chaos>& kinds) {
  for (const auto& [id, at] : start_at) {
    if (at == t) sim.StartMember(id);
  }
  if (t > 20 && p.Chance(0.04)) Inject(sim, ids, p, kinds[p.Below(kinds.size())]);
}

// After tick 20, with chance 0.03 a tick: a random member dies the next time it reaches a random
// persistence step.
// The last point (before-config-file) only exists with reconfig: without, a seed draws what it
// drew before that point existed.
void MaybeArmCrash(Simulator& sim, const std::vector<int64_t>& ids, Prng& p, int64_t t,
                   bool reconfig) {
  if (t <= 20 || !p.Chance(0.03)) return;
  int64_t id = ids[p.Below(ids.size())];
  const std::vector<CrashPoint>& all = AllCrashPoints();
  CrashPoint point = all[p.Below(reconfig ? all.size() : all.size() - 1)];
  sim.ArmCrash(id, point);
  sim.Note("crash-at " + std::to_string(id) + " " + CrashPointName(point));
}

// Each member's start tick for the staggered start, drawn in member order.
std::map<int64_t, int64_t> StartTimes(Prng& p, const std::vector<int64_t>& ids) {
  std::map<int64_t, int64_t> start_at;
  for (int64_t id : ids) start_at[id] = p.Range(0, 20);
  return start_at;
}

// The end of the chaos (unless an invariant already failed): the network heals and turns tame,
// every member that is down starts.
void StopFaults(Simulator& sim, const std::vector<int64_t>& ids, const std::string& note) {
  if (sim.failed()) return;
  sim.Note(note);
  sim.network().Heal();
  sim.network().faults() = NetworkFaults{0, 1, 0, 0, 0, 0};
  for (int64_t id : ids) sim.StartMember(id);
}

// After the faults stop: runs tick by tick (tick() first, for what else runs, e.g. clients)
// until why_unsettled(sim) has said "" for stable_ticks ticks in a row, or settle_ticks_max
// ticks have gone, or an invariant failed. Then the verdict, in
// `result`: the invariant's failure, else not settled in time (a liveness failure, with what
// was still unsettled), else what after() finds once settled ("" when nothing), else ok. A
// failed run keeps its trace.
template <typename Result, typename Tick, typename WhyUnsettled, typename After>
void SettleAndJudge(Simulator& sim, int64_t settle_ticks_max, int64_t stable_ticks, Tick tick,
                    WhyUnsettled why_unsettled, After after, Result* result) {
  int64_t settled_since = -1;
  int64_t t = 0;
  for (; t < settle_ticks_max && !sim.failed(); ++t) {
    tick();
    sim.RunTicks(1);
    if (!sim.failed() && why_unsettled(sim).empty()) {
      if (settled_since < 0) settled_since = t;
      if (t - settled_since >= stable_ticks) break;
    } else {
      settled_since = -1;
    }
  }
  result->steps = sim.steps();
  if (sim.failed()) {
    result->failure = sim.failure();
  } else if (settled_since < 0 || t - settled_since < stable_ticks) {
    result->failure = "not settled " + std::to_string(settle_ticks_max) +
                      " ticks after the faults stopped: " + why_unsettled(sim);
    sim.Note("LIVENESS " + result->failure);
  } else if (std::string e = after(); !e.empty()) {
    result->failure = "after settling: " + e;
    sim.Note("INVARIANT " + result->failure);
  } else {
    result->ok = true;
    result->settle_ticks = settled_since;
  }
  if (!result->ok) result->trace_tail.assign(sim.trace().begin(), sim.trace().end());
}

RandomRunResult RunRandomElection(uint64_t seed, const SimTuning& tuning) {
  Membership membership = MakeMembership(tuning.voters, tuning.observers);

  Simulator sim(seed, membership, [&tuning](int64_t sid, SimDisk* disk, const Membership& m) {
    return std::make_unique<ElectionMember>(sid, disk, m, tuning);
  });
  if (tuning.echo) sim.set_echo([](const std::string& line) { std::cout << line << "\n"; });
  RandomRunResult result;
  InstallElectionInvariants(sim, &result.stats);
  Prng& p = sim.prng();
  std::vector<int64_t> ids = Ids(membership);

  // Durable states: an empty ensemble, or histories from a few epochs.
  bool empty = p.Chance(0.3);
  for (int64_t id : ids) {
    SimDisk& d = sim.disk(id);
    if (empty) continue;
    d.current_epoch = p.Range(0, 3);
    d.accepted_epoch = d.current_epoch;
    d.last_zxid = (d.current_epoch << 32) | p.Range(0, 12);
  }
  RandomFaults(sim);

  // Staggered start, then chaos.
  std::map<int64_t, int64_t> start_at = StartTimes(p, ids);
  const std::vector<Chaos> kinds = {Chaos::kCrashOrStart, Chaos::kCrashOrStart,
                                    Chaos::kPartition,    Chaos::kHeal,
                                    Chaos::kFaults,       Chaos::kQuickRestart};
  for (int64_t t = 0; t < tuning.chaos_ticks && !sim.failed(); ++t) {
    ChaosTick(sim, ids, p, t, start_at, kinds);
    sim.RunTicks(1);
  }

  StopFaults(sim, ids, "faults stop: heal, restart everyone, tame network");
  SettleAndJudge(
      sim, tuning.election_settle_ticks_max, tuning.stable_ticks, [] {}, ElectionSettled,
      [] { return std::string(); }, &result);
  return result;
}

ReplicaRunResult RunRandomReplica(uint64_t seed, const SimTuning& tuning) {
  Membership membership = MakeMembership(tuning.voters, tuning.observers);

  ReplicaContext ctx;
  std::unique_ptr<ClientLoad> clients;
  Simulator sim(seed, membership, [&ctx](int64_t sid, SimDisk* disk, const Membership& m) {
    return std::make_unique<ReplicaMember>(sid, disk, m, ctx);
  });
  if (tuning.echo) sim.set_echo([](const std::string& line) { std::cout << line << "\n"; });
  sim.network().set_quorum_connections(true);
  Prng& p = sim.prng();
  clients = std::make_unique<ClientLoad>(&sim, tuning);
  ctx.sim = &sim;
  ctx.prng = &p;
  ctx.clients = clients.get();
  ctx.tuning = tuning;
  if (p.Chance(0.5)) {
    ctx.tuning.sync_delay_chance = 0.3;
    ctx.tuning.sync_delay_max_ticks = static_cast<int32_t>(p.Range(1, 4));
  }
  ZabChecker checker(clients.get());
  InstallRoleInvariants(sim);
  checker.Install(sim);
  std::vector<int64_t> ids = Ids(membership);
  std::optional<RandomReconfig> reconfig;
  if (tuning.reconfig) {
    // The spares take part in every fault like the others; they start outside the config.
    for (int i = 1; i <= tuning.spares; ++i) {
      sim.AddSpare(tuning.voters + tuning.observers + i);
      ids.push_back(tuning.voters + tuning.observers + i);
    }
    reconfig.emplace(&sim, seed ^ 0x7ec0f16ULL, tuning.reconfig_chance);
  }
  RandomFaults(sim);

  std::map<int64_t, int64_t> start_at = StartTimes(p, ids);
  const std::vector<Chaos> kinds = {
      Chaos::kCrashOrStart, Chaos::kCrashOrStart,    Chaos::kPartition,   Chaos::kHeal,
      Chaos::kFaults,       Chaos::kBreakConnection, Chaos::kQuickRestart};
  Prng disk_faults(seed ^ 0x5eed0d15cULL);
  Prng crash_prng(seed ^ 0x9e3779b97f4a7c15ULL);  // its own stream: see SimTuning
  for (int64_t t = 0; t < tuning.chaos_ticks && !sim.failed(); ++t) {
    ChaosTick(sim, ids, p, t, start_at, kinds);
    DataDirFault(sim, ids, disk_faults, tuning.data_dir_full_chance);
    if (tuning.crash_points) MaybeArmCrash(sim, ids, crash_prng, t, tuning.reconfig);
    if (reconfig) reconfig->Tick();
    clients->Tick();
    sim.RunTicks(1);
  }
  for (int64_t id : ids) sim.ArmCrash(id, std::nullopt);  // none fires while settling

  // Clients only read from here on (a flag only their Tick reads, so it may be set first).
  clients->set_writing(false);
  EmptyDataDirs(sim, ids);
  StopFaults(sim, ids, "faults stop: heal, restart everyone, tame network, clients stop writing");
  ReplicaRunResult result;
  SettleAndJudge(
      sim, tuning.replica_settle_ticks_max, tuning.stable_ticks, [&clients] { clients->Tick(); },
      ZabSettled, [&] { return checker.CheckAllAcked(sim); }, &result);
  result.zab = checker.stats();
  for (int64_t id : ids) {
    const auto* m = dynamic_cast<const ReplicaMember*>(sim.member(id));
    if (!m) continue;
    result.zab.syncs_diff += m->sync_count(ZabType::kDiff);
    result.zab.syncs_trunc += m->sync_count(ZabType::kTrunc);
    result.zab.syncs_snap += m->sync_count(ZabType::kSnap);
  }
  result.clients = clients->stats();
  return result;
}

}  // namespace zk::sim
