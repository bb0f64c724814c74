#!/usr/bin/env bash
# Runs the micro-benchmarks. usage: run-bench.sh BUILD_DIR
set -euo pipefail
"$1/bench/micro_bench" "${@:2}"
