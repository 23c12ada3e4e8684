#!/usr/bin/env bash
# scripts/test.sh - the test command: the whole suite (unit and integration) against a clean test engine
# and registry mirror that it starts and stops itself (see scripts/with-test-engine.sh).
#
# Usage: scripts/test.sh [VITEST ARGS...]      e.g. scripts/test.sh test/integration/ex1.test.ts
# Needs root (dockerd runs as root) and apt-get when packages are missing. Exit code: vitest's.
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."

report=$(mktemp)
trap 'rm -f "$report"' EXIT
rc=0
scripts/with-test-engine.sh npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
# A plain closing line any CI log reader understands, whatever vitest printed above it.
if [[ -s $report ]]; then
  jq -r '"tests: \(.numPassedTests) passed, \(.numFailedTests) failed, \(.numPendingTests + .numTodoTests) skipped"' "$report"
fi
exit "$rc"
