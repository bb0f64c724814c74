#!/usr/bin/env bash
# Runs the micro-benchmarks (bench/*_bench.cc, one micro_bench executable). `make bench` calls it.
#
# usage: run-bench.sh BUILD_DIR [--quick] [--json FILE] [-- GOOGLE_BENCHMARK_FLAGS...]
#   --quick      a smoke run (~15 s): shorter timing, and without the 1M-znode recovery and
#                snapshot benchmarks (their fixture alone takes ~10 s to build)
#   --json FILE  also write the results as Google Benchmark JSON to FILE
#   anything after `--` goes to micro_bench as is, e.g. -- --benchmark_filter=Tree
# Environment (so `make bench` takes them too, e.g. BENCH_QUICK=1 make bench):
#   BENCH_QUICK=1   same as --quick
#   BENCH_MIN_TIME  seconds per benchmark (default 0.2, --quick 0.05)
#   BENCH_FILTER    a --benchmark_filter regex (a leading '-' excludes), e.g. BENCH_FILTER=Tree
# The full run takes about a minute on 2 cores. "Library was built as DEBUG" in the header is
# about Debian's libbenchmark package, not about our code (which is built RelWithDebInfo).
set -euo pipefail

usage() {
  echo "usage: run-bench.sh BUILD_DIR [--quick] [--json FILE] [-- GOOGLE_BENCHMARK_FLAGS...]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
build_dir=$1
shift
bin="$build_dir/bench/micro_bench"
if [ ! -x "$bin" ]; then
  echo "run-bench.sh: $bin not found: build it first (make build BUILD=$build_dir)" >&2
  exit 1
fi

quick=${BENCH_QUICK:-0}
json=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --json)
      [ $# -ge 2 ] || { echo "run-bench.sh: --json needs a file name" >&2; exit 2; }
      json=$2
      shift
      ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run-bench.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done

min_time=${BENCH_MIN_TIME:-0.2}
filter=${BENCH_FILTER:-}
if [ "$quick" = 1 ]; then
  min_time=${BENCH_MIN_TIME:-0.05}
  filter=${BENCH_FILTER:--1M_Znodes}
fi

args=("--benchmark_min_time=$min_time")
[ -n "$filter" ] && args+=("--benchmark_filter=$filter")
[ -n "$json" ] && args+=("--benchmark_out=$json" "--benchmark_out_format=json")

start=$(date +%s)
"$bin" "${args[@]}" "${extra[@]}"
echo "run-bench.sh: done in $(($(date +%s) - start)) s" >&2
