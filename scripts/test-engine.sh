#!/usr/bin/env bash
# scripts/test-engine.sh - a dedicated, clean Docker engine for the test suite: a registry mirror on
# 127.0.0.1:5001 preloaded with the stand-in images, and a dockerd with its own state and socket.
#
# Usage: scripts/test-engine.sh up|down|env
#   up     wipe TP7_TEST_ENGINE_DIR (default /tmp/tp7-test-engine), start mirror + dockerd, load fixtures
#   down   stop the dockerd and the mirror started by `up` (and nothing else)
#   env    print the export lines for eval: eval "$(scripts/test-engine.sh env)"
#
# TP7_ENGINE picks the engine (20.10, 28-classic, 28-containerd: see scripts/lib/engine.sh); the 28.5 ones come with
# their buildx plugin, so that `docker build` is BuildKit's there, as on a student's modern install. The mirror stands
# for Docker Hub, which is the same whatever engine a student runs: its storage (TP7_TEST_MIRROR_DIR, default
# /tmp/tp7-test-mirror) is kept between runs and engines, and rebuilt only when scripts/fixtures.sh changes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source "$here/lib/engine.sh"

dir=${TP7_TEST_ENGINE_DIR:-/tmp/tp7-test-engine}
socket=$dir/docker.sock
mirror_port=5001
mirror=${TP7_TEST_MIRROR_DIR:-/tmp/tp7-test-mirror}

down() {
  tp7_stop_dockerd "$dir/fixtures-engine"
  tp7_stop_dockerd "$dir"
  tp7_stop_mirror "$mirror"
  # Where earlier versions of this script kept the mirror: one still running would hold the port.
  tp7_stop_mirror "$dir/mirror"
}

# Containers left mounted by a dockerd that was killed: unmount them before deleting the folder.
unmount_under() {
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# Starts the mirror; the one made by this very fixtures.sh is kept, any other is made again from nothing. The
# stand-ins are always built by Debian's Docker 20.10 (a dockerd of their own, gone once they are pushed): Docker
# Hub serves the same images whatever engine pulls them, and the legacy builder of the containerd image store
# writes no variant in an arm/v7 image's config.
fill_mirror() {
  local stamp builder=$dir/fixtures-engine
  stamp=$(sha256sum "$here/fixtures.sh" | cut -d' ' -f1)
  if [[ $(cat "$mirror/fixtures.sha256" 2>/dev/null) != "$stamp" ]]; then rm -rf --one-file-system "$mirror"; fi
  mkdir -p "$mirror"
  tp7_start_mirror "$mirror" "$mirror_port"
  [[ -f $mirror/fixtures.sha256 ]] && return 0
  mkdir -p "$builder"
  TP7_ENGINE=20.10 tp7_start_dockerd "$builder" "$builder/docker.sock" "http://127.0.0.1:$mirror_port"
  DOCKER_HOST=unix://$builder/docker.sock "$here/fixtures.sh" "127.0.0.1:$mirror_port" || { tp7_stop_dockerd "$builder"; return 1; }
  tp7_stop_dockerd "$builder"
  unmount_under "$builder"
  rm -rf --one-file-system "$builder"
  echo "$stamp" >"$mirror/fixtures.sha256"
}

up() {
  local start=$SECONDS buildx
  down
  unmount_under "$dir"
  rm -rf --one-file-system "$dir"
  mkdir -p "$dir"
  # The mirror first (a dockerd that builds the stand-ins may need to come and go before the test engine starts).
  fill_mirror
  tp7_start_dockerd "$dir" "$socket" "http://127.0.0.1:$mirror_port"
  # The docker CLI of a modern install builds with BuildKit: its buildx plugin in a DOCKER_CONFIG of the engine's.
  buildx=$(tp7_buildx_plugin)
  if [[ -n $buildx ]]; then
    mkdir -p "$dir/docker-config/cli-plugins"
    ln -sf "$buildx" "$dir/docker-config/cli-plugins/docker-buildx"
  fi
  tp7_log "test engine ${TP7_ENGINE:-20.10} up in $((SECONDS - start)) s: DOCKER_HOST=unix://$socket"
}

# DOCKER_HOST and the engine's kind; with buildx, the DOCKER_CONFIG holding it and TP7_TEST_BUILDX (its path, for
# tests that make a DOCKER_CONFIG of their own).
env_lines() {
  printf 'export DOCKER_HOST=unix://%s\nexport TP7_TEST_ENGINE=1\nexport TP7_ENGINE=%s\n' "$socket" "${TP7_ENGINE:-20.10}"
  if [[ -L $dir/docker-config/cli-plugins/docker-buildx ]]; then
    printf 'export DOCKER_CONFIG=%s\nexport TP7_TEST_BUILDX=%s\n' "$dir/docker-config" "$(readlink "$dir/docker-config/cli-plugins/docker-buildx")"
  fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) env_lines ;;
  -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
