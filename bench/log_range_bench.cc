// How long a leader's loop is held reading its txn log for a DIFF from the log
// (storage/log_range.h, core/txn_log_source.h): the log files a read goes through are at most
// snapshotSizeFactor × the newest snapshot (0.33 × a 100 MB snapshot = 33 MB), so the read of
// that many bytes of log is the stall's bound. Arg: MB of log entries (~120-byte creates) in
// files of 64 MB preallocation steps, read from the first entry to the last. bytes/s is of log
// files read (preallocated zeros included, as the read goes through them).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>

#include "storage/log_range.h"
#include "storage/txn_log.h"
#include "bench_txns.h"

namespace zk::storage {
namespace {

void BM_LogRange_ReadForDiff(benchmark::State& state) {
  const int64_t entry_bytes_total = state.range(0) << 20;
  char tmpl[] = "/tmp/zk-logrange-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  int64_t last = 0;
  {
    TxnLog log(dir, {.preallocate_bytes = 64 << 20, .force_sync = false});
    int64_t written = 0;
    while (written < entry_bytes_total) {
      std::string txn = BenchCreateTxn(++last);
      written += static_cast<int64_t>(txn.size()) + 13;
      if (!log.Append(last, txn).ok()) std::abort();
      if (last % 4096 == 0 && !log.Sync().ok()) std::abort();
      if (log.entries_in_file() >= 100000 && !log.Roll().ok()) std::abort();  // snapCount
    }
    if (!log.Sync().ok()) std::abort();
  }
  const int64_t file_bytes = LogBytesFrom(dir, 1);
  for (auto _ : state) {
    std::vector<std::pair<int64_t, std::string>> out;
    if (!ReadLogRange(dir, 1, last, &out).ok() || static_cast<int64_t>(out.size()) != last) {
      std::abort();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["txns"] = static_cast<double>(last);
  state.counters["file_MB"] = static_cast<double>(file_bytes) / (1 << 20);
  state.SetBytesProcessed(state.iterations() * file_bytes);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_LogRange_ReadForDiff)->Arg(1)->Arg(8)->Arg(33)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zk::storage
