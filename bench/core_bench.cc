// One Core step in the standalone role: Submit of a getData or setData request of an open session
// and TakeOutputs of what it produced (the reply, plus kPersist with a durable log). This is the
// loop thread's share of a request between the frame decoder and the reply writer; no I/O.
//   ApplyOnSubmit: CoreConfig::apply_on_submit = true (no log: applied at once).
//   PersistCommit: as zkd serves: Submit -> kPersist output -> Commit(zxid) -> reply (the log
//                  write and sync themselves are in BM_TxnLog_*).
//   Standalone_SetData_PersistCommit: the same step through the Standalone machine, as the
//                  shells drive it (Submit -> Ready.log_appends -> Persisted -> Ready.client_outputs);
//                  next to PersistCommit it shows what the Machine facade costs.
// The request bodies are encoded once, before the timed loop. Arg = value bytes.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "core/core.h"
#include "core/standalone.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "tree/acl.h"

namespace zk {
namespace {

// Server code logs start-up lines at info (peer transports in another benchmark); they would
// split the results table.
const bool kQuietLogs = [] {
  spdlog::set_level(spdlog::level::warn);
  return true;
}();

constexpr int64_t kNowMs = 1'700'000'000'000;
const char* const kPath = "/bench/node";

ClientRequest Request(int64_t session_id, int32_t xid, OpCode op, std::string body) {
  ClientRequest r;
  r.session_id = session_id;
  r.xid = xid;
  r.op = op;
  r.body = std::move(body);
  return r;
}

struct Fixture {
  Core core;
  int64_t session_id = 0;
  int32_t xid = 0;

  Fixture(bool apply_on_submit, size_t value_bytes) : core(Config(apply_on_submit), 0x100) {
    session_id = core.OpenSession(30000, "127.0.0.1", kNowMs).session_id;
    CommitAll();
    for (const char* path : {"/bench", kPath}) {
      JuteWriter w;
      CreateRequest{path, std::string(value_bytes, 'v'), OpenAclUnsafe(), 0, 0}.Write(w, false);
      core.Submit(Request(session_id, ++xid, OpCode::kCreate, w.Take()), kNowMs);
      CommitAll();
    }
    if (!core.tree().Find(kPath)) std::abort();
  }

  static CoreConfig Config(bool apply_on_submit) {
    CoreConfig c;
    c.apply_on_submit = apply_on_submit;
    return c;
  }

  // Commits whatever was persisted and drops the outputs (set-up only).
  void CommitAll() {
    for (const Output& o : core.TakeOutputs()) {
      if (o.kind == Output::Kind::kPersist) core.Commit(o.zxid);
    }
    core.TakeOutputs();
  }
};

// The reply of `xid` must be among `outputs`, and ok.
void CheckReply(const std::vector<Output>& outputs, int32_t xid) {
  for (const Output& o : outputs) {
    if (o.kind == Output::Kind::kReply && o.xid == xid) {
      if (o.err != Err::kOk) std::abort();
      return;
    }
  }
  std::abort();
}

// The timed loop of the benchmarks whose reply comes out of Submit: `req` once an iteration,
// with a fresh xid, and its reply checked.
void SubmitEachIteration(benchmark::State& state, Fixture& f, ClientRequest& req) {
  for (auto _ : state) {
    req.xid = ++f.xid;
    f.core.Touch(f.session_id);
    f.core.Submit(req, kNowMs);
    std::vector<Output> out = f.core.TakeOutputs();
    CheckReply(out, req.xid);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Core_GetData(benchmark::State& state) {
  Fixture f(true, static_cast<size_t>(state.range(0)));
  JuteWriter w;
  PathAndWatch{kPath, false}.Write(w);
  ClientRequest req = Request(f.session_id, 0, OpCode::kGetData, w.Take());
  SubmitEachIteration(state, f, req);
}
BENCHMARK(BM_Core_GetData)->Arg(32)->Arg(1024);

ClientRequest SetDataOf(const Fixture& f, size_t value_bytes) {
  JuteWriter w;
  SetDataRequest{kPath, std::string(value_bytes, 's'), -1, false}.Write(w);
  return Request(f.session_id, 0, OpCode::kSetData, w.Take());
}

void BM_Core_SetData_ApplyOnSubmit(benchmark::State& state) {
  Fixture f(true, static_cast<size_t>(state.range(0)));
  ClientRequest req = SetDataOf(f, static_cast<size_t>(state.range(0)));
  SubmitEachIteration(state, f, req);
}
BENCHMARK(BM_Core_SetData_ApplyOnSubmit)->Arg(32)->Arg(1024);

void BM_Core_SetData_PersistCommit(benchmark::State& state) {
  Fixture f(false, static_cast<size_t>(state.range(0)));
  ClientRequest req = SetDataOf(f, static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    req.xid = ++f.xid;
    f.core.Touch(f.session_id);
    f.core.Submit(req, kNowMs);
    std::vector<Output> persist = f.core.TakeOutputs();
    if (persist.size() != 1 || persist[0].kind != Output::Kind::kPersist) std::abort();
    f.core.Commit(persist[0].zxid);
    std::vector<Output> out = f.core.TakeOutputs();
    CheckReply(out, req.xid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Core_SetData_PersistCommit)->Arg(32)->Arg(1024);

void BM_Standalone_SetData_PersistCommit(benchmark::State& state) {
  const size_t value_bytes = static_cast<size_t>(state.range(0));
  CoreConfig config;
  config.apply_on_submit = false;
  Standalone m(config, 0x100);
  Ready ready;
  auto persist_all = [&] {
    m.TakeReady(&ready);
    if (!ready.log_appends.empty()) m.Persisted(ready.log_appends.back().zxid);
    m.TakeReady(&ready);
  };
  int64_t session_id = m.OpenSession(30000, "127.0.0.1", kNowMs).session_id;
  persist_all();
  int32_t xid = 0;
  for (const char* path : {"/bench", kPath}) {
    JuteWriter w;
    CreateRequest{path, std::string(value_bytes, 'v'), OpenAclUnsafe(), 0, 0}.Write(w, false);
    m.Submit(Request(session_id, ++xid, OpCode::kCreate, w.Take()), kNowMs);
    persist_all();
  }
  JuteWriter w;
  SetDataRequest{kPath, std::string(value_bytes, 's'), -1, false}.Write(w);
  ClientRequest req = Request(session_id, 0, OpCode::kSetData, w.Take());
  for (auto _ : state) {
    req.xid = ++xid;
    m.Touch(session_id);
    m.Submit(req, kNowMs);
    m.TakeReady(&ready);
    if (ready.log_appends.size() != 1) std::abort();
    m.Persisted(ready.log_appends[0].zxid);
    m.TakeReady(&ready);
    CheckReply(ready.client_outputs, req.xid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Standalone_SetData_PersistCommit)->Arg(32)->Arg(1024);

}  // namespace
}  // namespace zk
