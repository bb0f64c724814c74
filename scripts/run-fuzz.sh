#!/usr/bin/env bash
# Runs every fuzz target in a fuzz build for N seconds each, starting from the committed corpus.
# usage: run-fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  seeds="$root/test/fuzz/corpus/$name"
  work="$root/test/fuzz/corpus-work/$name"
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=0 "$work" "$seeds" \
      >"$build/$name.log" 2>&1; then
    tail -40 "$build/$name.log"
    status=1
  fi
done
exit $status
