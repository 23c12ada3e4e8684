#!/usr/bin/env bash
# scripts/test.sh - the test command: install what is missing, build, bring up a clean test engine,
# run vitest against it, and always take the engine down again.
#
# Usage: scripts/test.sh [VITEST ARGS...]      e.g. scripts/test.sh test/unit --reporter=verbose
# Needs root (dockerd runs as root) and apt-get when packages are missing. Exit code: vitest's.
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source scripts/lib/engine.sh

if [[ $(id -u) -ne 0 ]]; then
  tp7_log "the tests need their own Docker engine and dockerd runs as root: run scripts/test.sh as root"
  exit 1
fi
tp7_install_packages

# npm ci when node_modules is missing or older than the lock file (npm writes node_modules/.package-lock.json).
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
npm run build

# One test engine per machine (two dockerds on one bridge break each other): runs queue on this lock.
exec 9>/tmp/tp7-test-engine.lock
flock 9
trap 'scripts/test-engine.sh down' EXIT
scripts/test-engine.sh up
eval "$(scripts/test-engine.sh env)"

rc=0
report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || rc=$?
# A plain closing line any CI log reader understands, whatever vitest prints above it.
if [[ -s $report ]]; then
  jq -r '"tests: \(.numPassedTests) passed, \(.numFailedTests) failed, \(.numPendingTests + .numTodoTests) skipped"' "$report"
fi
rm -f "$report"
exit "$rc"
