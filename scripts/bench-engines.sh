#!/usr/bin/env bash
# scripts/bench-engines.sh - bench/engines.mjs on each engine students have, one after the other: Debian's
# Docker 20.10, Docker 28.5 with the classic image store, Docker 28.5 with the containerd image store.
# Usage: scripts/bench-engines.sh        (TP7_ENGINES="28-containerd" for a subset; BENCH_RUNS=N)
set -euo pipefail
case ${1:-} in -h | --help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
read -r -a engines <<<"${TP7_ENGINES:-20.10 28-classic 28-containerd}"
for engine in "${engines[@]}"; do
  echo "== $engine"
  TP7_ENGINE=$engine scripts/with-test-engine.sh node bench/engines.mjs
done
