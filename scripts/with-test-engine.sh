#!/usr/bin/env bash
# scripts/with-test-engine.sh - run one command against a clean, dedicated test engine: install what is
# missing, build, start dockerd and the registry mirror with the stand-in images, run COMMAND with
# DOCKER_HOST and TP7_TEST_ENGINE set (and a private sshd, TP7_TEST_SSH_DIR), and always take them down again.
#
# Usage: scripts/with-test-engine.sh COMMAND [ARGS...]     e.g. scripts/with-test-engine.sh node bench/run.mjs
# Needs root (dockerd runs as root) and apt-get when packages are missing. Exit code: COMMAND's.
set -euo pipefail

case ${1:-} in -h | --help | '') sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source scripts/lib/engine.sh

tp7_prepare_tests

# One test engine per machine (two dockerds on one bridge break each other): runs queue on this lock.
exec 9>/tmp/tp7-test-engine.lock
flock 9
# The extra engines a grading test may have started (scripts/test-engines.sh) go too, even if it crashed:
# the next run's dockerd refuses to start beside a leftover one.
trap 'scripts/test-sshd.sh down; scripts/test-engines.sh down; scripts/test-engine.sh down' EXIT
scripts/test-engine.sh up
eval "$(scripts/test-engine.sh env)"
# A real SSH remote whose docker reaches that engine (test/integration/ssh.test.ts), keys thrown away on exit.
scripts/test-sshd.sh up
eval "$(scripts/test-sshd.sh env)"

rc=0
"$@" || rc=$?
exit "$rc"
