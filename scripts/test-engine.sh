#!/usr/bin/env bash
# scripts/test-engine.sh - a dedicated, clean Docker engine for the test suite: a registry mirror on
# 127.0.0.1:5001 preloaded with the stand-in images, and a dockerd with its own state and socket.
#
# Usage: scripts/test-engine.sh up|down|env
#   up     wipe TP7_TEST_ENGINE_DIR (default /tmp/tp7-test-engine), start mirror + dockerd, load fixtures
#   down   stop the dockerd and the mirror started by `up` (and nothing else)
#   env    print the export lines for eval: eval "$(scripts/test-engine.sh env)"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source "$here/lib/engine.sh"

dir=${TP7_TEST_ENGINE_DIR:-/tmp/tp7-test-engine}
socket=$dir/docker.sock
mirror_port=5001

down() {
  tp7_stop_dockerd "$dir"
  tp7_stop_mirror "$dir/mirror"
}

# Containers left mounted by a dockerd that was killed: unmount them before deleting the folder.
unmount_under() {
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

up() {
  local start=$SECONDS
  down
  unmount_under "$dir"
  rm -rf --one-file-system "$dir"
  mkdir -p "$dir/mirror"
  # dockerd first: it only contacts the mirror on a pull, and when it must refuse to start
  # (another dockerd runs) nothing has been started yet.
  tp7_start_dockerd "$dir" "$socket" "http://127.0.0.1:$mirror_port"
  tp7_start_mirror "$dir/mirror" "$mirror_port"
  DOCKER_HOST=unix://$socket "$here/fixtures.sh" "127.0.0.1:$mirror_port"
  tp7_log "test engine up in $((SECONDS - start)) s: DOCKER_HOST=unix://$socket"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) printf 'export DOCKER_HOST=unix://%s\nexport TP7_TEST_ENGINE=1\n' "$socket" ;;
  -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
