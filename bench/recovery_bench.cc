// Recovery and snapshot costs for a data directory holding 1,000,000 znodes (issue 3 target:
// recovery under 3 s). The tree is built once (1000 parents x 1000 children, 32-byte values,
// a few ephemerals), a snapshot is written, then 20,000 more txns go to the log; Recover() then
// loads the snapshot and replays the log into a fresh Core.
// Also timed: the loop-thread cost of serializing the tree (whole, and the longest chunk when
// serialized 10,000 nodes per step), and the worker-thread cost of writing + fsyncing it.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "core/core.h"
#include "storage/recovery.h"
#include "storage/snapshot.h"
#include "storage/txn_log.h"
#include "tree/acl.h"

namespace zk::storage {
namespace {

constexpr int kParents = 1000;
constexpr int kChildren = 1000;
constexpr int kLogTxns = 20000;

struct Fixture {
  std::string dir;
  std::unique_ptr<Core> core;
  int64_t snapshot_zxid = 0;
  size_t nodes = 0;

  Fixture() {
    char tmpl[] = "/tmp/zk-recovery-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    core = std::make_unique<Core>(CoreConfig{}, 0x100);
    int64_t zxid = 0;
    auto header = [&](OpCode type, int64_t session = 0) {
      TxnHeader h;
      h.client_id = session;
      h.zxid = ++zxid;
      h.time_ms = 1'700'000'000'000 + zxid;
      h.type = ToInt(type);
      return h;
    };
    auto create = [&](const std::string& path, int32_t parent_cversion, int64_t owner) {
      Txn t;
      t.header = header(OpCode::kCreate, owner);
      t.op.type = OpCode::kCreate;
      t.op.path = path;
      t.op.data = std::string(32, 'v');
      t.op.acl = OpenAclUnsafe();
      t.op.ephemeral = owner != 0;
      t.op.parent_cversion = parent_cversion;
      return t;
    };
    for (int64_t s = 0; s < 100; ++s) {
      Txn t;
      t.header = header(OpCode::kCreateSession, 0x1000 + s);
      t.op.type = OpCode::kCreateSession;
      t.op.timeout_ms = 30000;
      core->ApplyTxn(t);
    }
    char name[64];
    for (int p = 0; p < kParents; ++p) {
      std::snprintf(name, sizeof name, "/app%04d", p);
      std::string parent = name;
      core->ApplyTxn(create(parent, p + 2, 0));
      for (int c = 0; c < kChildren; ++c) {
        std::snprintf(name, sizeof name, "/node-%010d", c);
        int64_t owner = (c == 0 && p < 100) ? 0x1000 + p : 0;
        core->ApplyTxn(create(parent + name, c + 1, owner));
      }
    }
    snapshot_zxid = core->last_zxid();
    Status s = SaveSnapshot(dir, core->tree(), SessionsOf(core->sessions()), snapshot_zxid);
    if (!s.ok()) std::abort();
    TxnLog log(dir, {});
    for (int i = 0; i < kLogTxns; ++i) {
      Txn t;
      t.header = header(OpCode::kSetData);
      t.op.type = OpCode::kSetData;
      std::snprintf(name, sizeof name, "/app%04d/node-%010d", i % kParents, i % kChildren);
      t.op.path = name;
      t.op.data = "updated-" + std::to_string(i);
      t.op.version = 1 + i / kParents;
      std::string bytes = t.Encode();
      if (!log.Append(t.header.zxid, bytes).ok()) std::abort();
      if (i % 100 == 99 && !log.Sync().ok()) std::abort();
      core->ApplyTxn(t);
    }
    if (!log.Sync().ok()) std::abort();
    nodes = static_cast<size_t>(kParents) * (kChildren + 1);
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_Recover_1M_Znodes(benchmark::State& state) {
  Fixture& f = Shared();
  RecoveryResult r;
  for (auto _ : state) {
    auto core = std::make_unique<Core>(CoreConfig{}, 0x100);
    Status s = Recover(f.dir, f.dir, *core, &r);
    if (!s.ok() || r.last_zxid != f.core->last_zxid()) {
      state.SkipWithError(s.ok() ? "wrong zxid" : s.message().c_str());
      break;
    }
    state.PauseTiming();
    core.reset();  // freeing 1M nodes is not part of recovery
    state.ResumeTiming();
  }
  state.counters["znodes"] = static_cast<double>(r.snapshot_nodes);
  state.counters["txns_replayed"] = static_cast<double>(r.txns_replayed);
}
BENCHMARK(BM_Recover_1M_Znodes)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_SnapshotRead_1M_Znodes(benchmark::State& state) {
  Fixture& f = Shared();
  auto snaps = FindSnapshots(f.dir);
  for (auto _ : state) {
    auto snap = std::make_unique<LoadedSnapshot>();
    if (!ReadSnapshot(snaps.front().path, snap.get()).ok()) std::abort();
    state.PauseTiming();
    snap.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_SnapshotRead_1M_Znodes)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Loop-thread cost: the whole tree in one step.
void BM_SnapshotSerialize_1M_Znodes(benchmark::State& state) {
  Fixture& f = Shared();
  const Core& core = *f.core;
  size_t bytes = 0;
  for (auto _ : state) {
    SnapshotSerializer s(core.tree(), SessionsOf(core.sessions()), core.last_zxid());
    s.Step(SIZE_MAX);
    SnapshotImage image = s.Finish(core.last_zxid());
    bytes = image.head.size() + image.nodes.size();
    benchmark::DoNotOptimize(image);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SnapshotSerialize_1M_Znodes)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// Loop-thread cost when chunked: the longest single step (the stall a client could see).
void BM_SnapshotSerializeChunked_1M_Znodes(benchmark::State& state) {
  Fixture& f = Shared();
  const Core& core = *f.core;
  const size_t chunk = static_cast<size_t>(state.range(0));
  double max_step_us = 0;
  size_t steps = 0;
  for (auto _ : state) {
    SnapshotSerializer s(core.tree(), SessionsOf(core.sessions()), core.last_zxid());
    bool done = false;
    while (!done) {
      auto t0 = std::chrono::steady_clock::now();
      done = s.Step(chunk);
      auto t1 = std::chrono::steady_clock::now();
      max_step_us =
          std::max(max_step_us, std::chrono::duration<double, std::micro>(t1 - t0).count());
      ++steps;
    }
    benchmark::DoNotOptimize(s.Finish(core.last_zxid()));
  }
  state.counters["max_step_us"] = max_step_us;
  state.counters["steps"] = static_cast<double>(steps / state.iterations());
}
BENCHMARK(BM_SnapshotSerializeChunked_1M_Znodes)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

// Worker-thread cost: seal, write, fsync, rename, fsync of the directory.
void BM_SnapshotWrite_1M_Znodes(benchmark::State& state) {
  Fixture& f = Shared();
  const Core& core = *f.core;
  SnapshotSerializer s(core.tree(), SessionsOf(core.sessions()), core.last_zxid());
  s.Step(SIZE_MAX);
  SnapshotImage image = s.Finish(core.last_zxid());
  std::string out = f.dir + "/write-bench";
  for (auto _ : state) {
    if (!WriteSnapshot(out, image).ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(image.head.size() + image.nodes.size()));
}
BENCHMARK(BM_SnapshotWrite_1M_Znodes)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace zk::storage
