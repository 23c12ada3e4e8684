#!/usr/bin/env bash
# scripts/test-engines.sh - N extra Docker engines beside the test engine, for tests and benchmarks that grade
# several students' machines at once (tp7 grade). Run it inside the test-engine lock, through
# scripts/with-test-engine.sh: the extra engines pull through the same registry mirror (127.0.0.1:5001).
#
# Usage: scripts/test-engines.sh up N | down | env
#   up N   start N dockerds (N <= 9), each with its own data root, exec root, pid file, unix socket and bridge
#   down   stop them, remove their bridges and folders (and nothing else)
#   env    print TP7_TEST_ENGINES="unix:///... unix:///..." for eval
#
# Each engine gets its OWN bridge (tp7brN, 10.20N.0.1/24), never --bridge none (which deletes docker0), and
# --iptables=false: a second dockerd rewriting the DOCKER chains would drop the test engine's port mappings.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/engine.sh source-path=SCRIPTDIR/..
source "$here/lib/engine.sh"

# Short paths: containerd's sockets under the exec root must fit in a unix socket address (108 bytes).
root=${TP7_TEST_ENGINES_DIR:-/tmp/tp7e}
mirror=${TP7_TEST_MIRROR:-http://127.0.0.1:5001}
max=9

bridge_of() { echo "tp7br$1"; }

add_bridge() {
  local name=$1 n=$2
  ip link show "$name" >/dev/null 2>&1 || ip link add "$name" type bridge
  ip addr replace "10.20$n.0.1/24" dev "$name"
  ip link set "$name" up
}

# Only bridges this script made (named tp7brN, recorded in the engine's folder).
remove_bridge() {
  local name=$1
  [[ $name =~ ^tp7br[0-9]$ ]] || return 0
  ip link show "$name" >/dev/null 2>&1 && ip link delete "$name" type bridge 2>/dev/null || true
}

unmount_under() {
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

start_one() {
  local n=$1 dir=$root/$1 name
  name=$(bridge_of "$n")
  mkdir -p "$dir/data" "$dir/exec"
  echo "$name" >"$dir/bridge"
  add_bridge "$name" "$n"
  echo '{}' >"$dir/daemon.json"
  setsid dockerd --config-file "$dir/daemon.json" \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" --bridge "$name" --iptables=false --ip-masq=false \
    --registry-mirror "$mirror" >>"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/launcher.pid"
}

down() {
  local dir
  [[ -d $root ]] || return 0
  for dir in "$root"/[0-9]; do
    [[ -d $dir ]] || continue
    tp7__stop_pidfile "$dir/dockerd.pid" "$dir/dockerd.pid" 30
    [[ -f $dir/bridge ]] && remove_bridge "$(cat "$dir/bridge")"
    unmount_under "$dir"
  done
  rm -rf --one-file-system "$root"
}

up() {
  local count=${1:?usage: scripts/test-engines.sh up N} n failed=0 start=$SECONDS
  [[ $count =~ ^[1-9]$ ]] || { tp7_log "up N: N from 1 to $max, not '$count'"; return 2; }
  down
  mkdir -p "$root"
  # Whatever fails half-way, nothing is left running and no bridge stays behind.
  trap 'down' ERR INT TERM
  for ((n = 1; n <= count; n++)); do start_one "$n"; done
  for ((n = 1; n <= count; n++)); do
    tp7__wait_engine "$root/$n/docker.sock" "$(cat "$root/$n/launcher.pid")" "$root/$n/dockerd.log" 30 || failed=1
  done
  if ((failed)); then down; return 1; fi
  trap - ERR INT TERM
  tp7_log "$count extra engine(s) up in $((SECONDS - start)) s under $root"
}

env_lines() {
  local dir hosts=()
  for dir in "$root"/[0-9]; do [[ -S $dir/docker.sock ]] && hosts+=("unix://$dir/docker.sock"); done
  printf 'export TP7_TEST_ENGINES="%s"\n' "${hosts[*]:-}"
}

case ${1:-} in
  up) up "${2:-}" ;;
  down) down ;;
  env) env_lines ;;
  -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
