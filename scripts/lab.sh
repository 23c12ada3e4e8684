#!/usr/bin/env bash
# scripts/lab.sh - start the TP7 lab on a fresh Debian machine: install what is missing, make sure
# a Docker engine answers (starting the machine's dockerd with an offline Docker Hub mirror of
# stand-in images if none does), build, then hand over to the lab runner.
#
# Usage: scripts/lab.sh [TP7 ARGS...]     (every argument goes to `node bin/tp7.js`; see its --help)
#        scripts/lab.sh --stop-engine     stop the dockerd and mirror this script started (and nothing else)
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source scripts/lib/engine.sh

if [[ ${1:-} == --stop-engine ]]; then
  tp7__stop_pidfile /var/lib/tp7-lab/dockerd.pid dockerd 30
  tp7_stop_mirror /var/lib/tp7-lab/mirror
  exit 0
fi

state=/var/lib/tp7-lab
mirror_port=5001
mirror_url=http://127.0.0.1:$mirror_port

engine_answers() { docker info >/dev/null 2>&1; }

# Packages: as root install what is missing; without root, go on if an engine already answers
# (a student's own Docker), since only the offline mirror needs the other packages.
if [[ $(id -u) -eq 0 ]]; then
  tp7_install_packages
  # Exercise 7 runs arm64 and arm/v7 images: qemu, registered with the kernel (lost at reboot).
  tp7_enable_emulation || tp7_log "exercise 7 cannot run arm images on this machine; its other checks still work"
elif [[ -n $(tp7_missing_packages) ]] && ! engine_answers; then
  tp7_install_packages || exit 1
fi

# True when the engine pulls through our mirror (this script started it so, or daemon.json says so).
mirror_needed() { docker info --format '{{json .RegistryConfig.Mirrors}}' 2>/dev/null | grep -qF "127.0.0.1:$mirror_port"; }
mirror_empty() { [[ $(curl -fsS "$mirror_url/v2/_catalog" | jq '.repositories | length') == 0 ]]; }
# True when the mirror's nginx:stable is a stand-in from an older scripts/fixtures.sh, made before the stand-ins
# declared what the ex1 pull checks read (PKG_RELEASE). A real image, or a manifest list, is never "outdated".
mirror_outdated() {
  local config
  config=$(curl -fsS "$mirror_url/v2/library/nginx/manifests/stable" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' 2>/dev/null | jq -r '.config.digest // empty') || return 1
  [[ -n $config ]] || return 1
  curl -fsS "$mirror_url/v2/library/nginx/blobs/$config" 2>/dev/null |
    jq -e '.config.Labels["org.tp7-lab.standin"] == "true" and ((.config.Env // []) | any(startswith("PKG_RELEASE=")) | not)' >/dev/null
}
# A mirror filled before exercise 7 existed holds a single-platform alpine: fixtures.sh makes it a list.
mirror_single_platform() {
  ! curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "$mirror_url/v2/library/alpine/manifests/latest" 2>/dev/null | jq -e '.manifests' >/dev/null
}

if ! engine_answers; then
  if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != "unix://$TP7_SYSTEM_SOCKET" ]]; then
    tp7_log "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST: start it, or unset DOCKER_HOST"
    exit 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    tp7_log "no Docker engine answers at $TP7_SYSTEM_SOCKET: start Docker (or run scripts/lab.sh as root)"
    exit 1
  fi
  tp7_start_system_dockerd "$state/dockerd.log" "$mirror_url"
fi
# The mirror runs whenever the engine uses it: also after a reboot, when dockerd comes back and
# the mirror does not. Fixtures are built into an empty mirror, one holding outdated stand-ins, or one
# without the multi-platform lists.
if [[ $(id -u) -eq 0 ]] && mirror_needed; then
  mkdir -p "$state/mirror"
  tp7_start_mirror "$state/mirror" "$mirror_port"
  # The lists are tried once only: a real alpine there, or no way to download the arm busybox, would not change.
  if mirror_empty || mirror_outdated || { mirror_single_platform && [[ ! -e $state/mirror/multiarch-tried ]]; }; then
    scripts/fixtures.sh "127.0.0.1:$mirror_port"
    touch "$state/mirror/multiarch-tried"
  fi
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
# Build when nothing is built yet or a source is newer than the last build.
if [[ ! -f dist/.tp7-built ]] || [[ -n $(find src tsconfig.json package-lock.json -newer dist/.tp7-built 2>/dev/null | head -n 1) ]]; then
  npm run build
  touch dist/.tp7-built
fi

if [[ ! -f bin/tp7.js ]]; then
  tp7_log "bin/tp7.js is missing: is this a complete checkout?"
  exit 1
fi
exec node bin/tp7.js "$@"
