// Transaction log group commit: entries appended per Sync() = 1, 16, 256 (one pwrite + one
// fdatasync per Sync), ~120-byte create txns, on the file system holding /tmp. items/s is
// entries made durable per second; with forceSync=yes it is bounded by fdatasync latency, which
// group commit amortizes. The "NoSync" variant (forceSync=no) shows the CPU + write cost alone.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>

#include "storage/txn_log.h"
#include "bench_txns.h"

namespace zk::storage {
namespace {

void RunLog(benchmark::State& state, bool force_sync) {
  const int per_sync = static_cast<int>(state.range(0));
  char tmpl[] = "/tmp/zk-txnlog-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  {
    TxnLog log(dir, {.preallocate_bytes = 64 << 20, .force_sync = force_sync});
    // The payload changes only in its header zxid: pre-encode one and patch the zxid, so the
    // benchmark measures the log, not the encoder.
    std::string txn = BenchCreateTxn(1);
    int64_t zxid = 0;
    for (auto _ : state) {
      for (int i = 0; i < per_sync; ++i) {
        ++zxid;
        for (int b = 0; b < 8; ++b) txn[12 + b] = static_cast<char>(zxid >> (56 - 8 * b));
        if (!log.Append(zxid, txn).ok()) std::abort();
      }
      if (!log.Sync().ok()) std::abort();
      if (log.entries_in_file() >= 100000 && !log.Roll().ok()) std::abort();
    }
    state.SetItemsProcessed(state.iterations() * per_sync);
    state.SetBytesProcessed(state.iterations() * per_sync * static_cast<int64_t>(txn.size() + 13));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void BM_TxnLog_GroupCommit_FSync(benchmark::State& state) { RunLog(state, true); }
BENCHMARK(BM_TxnLog_GroupCommit_FSync)->Arg(1)->Arg(16)->Arg(256)->UseRealTime();

void BM_TxnLog_GroupCommit_NoSync(benchmark::State& state) { RunLog(state, false); }
BENCHMARK(BM_TxnLog_GroupCommit_NoSync)->Arg(1)->Arg(16)->Arg(256)->UseRealTime();

}  // namespace
}  // namespace zk::storage
