#!/usr/bin/env bash
# scripts/bench.sh - the benchmarks of bench/ against a clean test engine (see scripts/with-test-engine.sh).
# Usage: scripts/bench.sh        (BENCH_RUNS=N, BENCH_COURSE_RUNS=N: runs per measure; see bench/README.md)
set -euo pipefail
case ${1:-} in -h | --help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec scripts/with-test-engine.sh sh -c 'for bench in bench/*.mjs; do echo "== $bench"; node "$bench" || exit 1; done'
