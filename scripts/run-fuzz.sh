#!/usr/bin/env bash
# Runs every fuzz target in a fuzz build for N seconds each, starting from the committed corpus,
# as many at a time as there are cores (libFuzzer uses one core per target).
# usage: run-fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
jobs_max=$(nproc)

run_one() {
  local bin=$1 name seeds work
  name=$(basename "$bin")
  seeds="$root/test/fuzz/corpus/$name"
  work="$root/test/fuzz/corpus-work/$name"
  mkdir -p "$work"
  if "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=0 "$work" "$seeds" \
      >"$build/$name.log" 2>&1; then
    echo 0 >"$build/$name.status"
  else
    echo 1 >"$build/$name.status"
  fi
}

names=()
for bin in "$build"/*_fuzz; do
  [ -x "$bin" ] || continue
  names+=("$(basename "$bin")")
  echo "fuzz: $(basename "$bin") for ${seconds}s"
  rm -f "$build/$(basename "$bin").status"
  run_one "$bin" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
    sleep 0.2
  done
done
wait
status=0
for name in "${names[@]}"; do
  if [ "$(cat "$build/$name.status" 2>/dev/null)" != 0 ]; then
    echo "fuzz: $name failed:"
    tail -40 "$build/$name.log"
    status=1
  fi
done
exit $status
