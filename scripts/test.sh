#!/usr/bin/env bash
# scripts/test.sh - the test command: the unit suite, then the integration suite on each engine students have
# (Debian's Docker 20.10, Docker 28.5 with the classic image store, Docker 28.5 with the containerd image store),
# each against a clean test engine and registry mirror started and stopped for it (scripts/with-test-engine.sh).
#
# Usage: scripts/test.sh                      everything (TP7_ENGINES="20.10 28-containerd" for a subset)
#        scripts/test.sh [VITEST ARGS...]     those files or options, on one engine: TP7_ENGINE (default 20.10)
#                                             e.g. TP7_ENGINE=28-containerd scripts/test.sh test/integration/ex7.test.ts
# Needs root (dockerd runs as root) and apt-get when packages are missing. Exit code: 0 when every run passed.
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

# One vitest run, its JSON report kept under NAME; prints a closing line any CI log reader understands.
run() {
  local name=$1 rc=0
  shift
  "$@" --reporter=default --reporter=json --outputFile.json="$reports/$name.json" || rc=$?
  if [[ -s $reports/$name.json ]]; then
    jq -r --arg name "$name" '"tests (\($name)): \(.numPassedTests) passed, \(.numFailedTests) failed, \(.numPendingTests + .numTodoTests) skipped"' "$reports/$name.json"
  else
    echo "tests ($name): no report (exit code $rc)"
  fi
  return "$rc"
}

if (($#)); then
  engine=${TP7_ENGINE:-20.10}
  TP7_ENGINE=$engine run "$engine" scripts/with-test-engine.sh npx vitest run "$@"
  exit
fi

read -r -a engines <<<"${TP7_ENGINES:-20.10 28-classic 28-containerd}"
start=$SECONDS
failed=()
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source scripts/lib/engine.sh
tp7_prepare_tests
# The unit suite needs no engine: once.
run unit npx vitest run --project unit || failed+=(unit)
for engine in "${engines[@]}"; do
  engine_start=$SECONDS
  TP7_ENGINE=$engine run "$engine" scripts/with-test-engine.sh npx vitest run --project integration || failed+=("$engine")
  echo "tp7: integration suite on $engine in $((SECONDS - engine_start)) s"
done
jq -rs '"tests: \(map(.numPassedTests) | add) passed, \(map(.numFailedTests) | add) failed, \(map(.numPendingTests + .numTodoTests) | add) skipped"' "$reports"/*.json
echo "tp7: whole suite in $((SECONDS - start)) s${failed[*]:+; failed: ${failed[*]}}"
((${#failed[@]} == 0))
