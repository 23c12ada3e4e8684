#!/usr/bin/env bash
# scripts/lib/engine.sh - helpers to install and run a Docker engine and a local registry mirror
# without Docker Hub, on a Debian machine where nothing is running yet.
#
# Usage: source scripts/lib/engine.sh, then call:
#   tp7_install_packages                          install the Debian packages when a command is missing
#   tp7_start_mirror DIR PORT                     registry on 127.0.0.1:PORT, state in DIR
#   tp7_stop_mirror DIR                           stop the mirror started with that DIR
#   tp7_start_dockerd DIR SOCKET MIRROR_URL       private dockerd (own data/exec roots in DIR)
#   tp7_stop_dockerd DIR                          stop the dockerd started with that DIR
#   tp7_start_system_dockerd LOG [MIRROR_URL]     the machine's dockerd (default socket and data root)
#   tp7_enable_emulation                          qemu for linux/arm64 and linux/arm/v7 images (binfmt_misc)
# Or run it: scripts/lib/engine.sh FUNCTION ARGS...   (e.g. scripts/lib/engine.sh tp7_stop_dockerd /tmp/x)
#
# Callers run with `set -euo pipefail`; every function returns non-zero with one clear line on failure.

TP7_SYSTEM_SOCKET=/var/run/docker.sock

tp7_log() { printf 'tp7: %s\n' "$*" >&2; }

# Debian package for every command we rely on (docker.io brings containerd and runc).
tp7_missing_packages() {
  local -a missing=()
  command -v docker >/dev/null || missing+=(docker.io)
  command -v dockerd >/dev/null || missing+=(docker.io)
  [[ -x /usr/bin/docker-registry ]] || missing+=(docker-registry)
  # The images are built from /bin/busybox: it must be the static one (busybox-static),
  # a dynamically linked busybox would not run inside an image without its libraries.
  if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then missing+=(busybox-static); fi
  command -v iptables >/dev/null || missing+=(iptables)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v tmux >/dev/null || missing+=(tmux)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  # A recorded run's sandbox (src/scripts/sandbox.ts) is util-linux's unshare and setpriv; its tests go around the
  # shim with nc (and curl, python3, perl, ctr) the way a student's script could.
  command -v unshare >/dev/null && command -v setpriv >/dev/null || missing+=(util-linux)
  command -v nc >/dev/null || missing+=(netcat-openbsd)
  [[ -x /usr/bin/python3 ]] || missing+=(python3-minimal)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v bzip2 >/dev/null || missing+=(bzip2)
  command -v zstd >/dev/null || missing+=(zstd)
  # The board page's browser test (test/integration/board-browser.test.ts) drives Debian's Chromium.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # A real SSH remote for the ssh:// tests (scripts/test-sshd.sh), and the ssh client tp7 runs for ssh:// engines.
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh >/dev/null || missing+=(openssh-client)
  ((${#missing[@]})) && printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' '
  return 0
}

tp7_install_packages() {
  local missing
  missing=$(tp7_missing_packages)
  [[ -z $missing ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    tp7_log "missing packages; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing% }"
    return 1
  fi
  tp7_log "installing ${missing% } ..."
  # shellcheck disable=SC2086  # word splitting of the package list is wanted
  if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
    tp7_log "apt-get install failed for: ${missing% }"
    return 1
  fi
}

# --- small helpers ---------------------------------------------------------------------------

# True while PID runs (a zombie waiting for its parent to reap it has stopped).
tp7__running() { [[ -r /proc/$1/stat ]] && [[ $(sed "s/.*) //" "/proc/$1/stat" 2>/dev/null | cut -d" " -f1) != Z ]]; }

# True when PID is alive and its command line contains NEEDLE: a pid file can be stale and its
# number reused by an unrelated process, which we must never signal.
tp7__pid_is() {
  local pid=$1 needle=$2
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle"
}

# Stop the process of PIDFILE if its command line contains NEEDLE; TERM first, KILL after WAIT s.
tp7__stop_pidfile() {
  local pidfile=$1 needle=$2 wait=$3 pid i
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if tp7__pid_is "$pid" "$needle"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do
      tp7__running "$pid" || break
      sleep 0.1
    done
    if tp7__running "$pid"; then
      tp7_log "pid $pid did not stop in ${wait}s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

tp7__engine_answers() { DOCKER_HOST="unix://$1" docker info >/dev/null 2>&1; }

# Wait until the engine on SOCKET answers; fail early if process PID died. Prints LOG's tail on failure.
tp7__wait_engine() {
  local socket=$1 pid=$2 log=$3 timeout=$4 i
  for ((i = 0; i < timeout * 5; i++)); do
    tp7__engine_answers "$socket" && return 0
    tp7__running "$pid" || break
    sleep 0.2
  done
  tp7_log "dockerd did not answer on $socket (see $log); last lines:"
  tail -n 15 "$log" >&2 || true
  return 1
}

# --- the registry mirror -----------------------------------------------------------------------

tp7_start_mirror() {
  local dir=${1:?usage: tp7_start_mirror DIR PORT} port=${2:?usage: tp7_start_mirror DIR PORT}
  local url="http://127.0.0.1:$port" i
  if curl -fsS -o /dev/null "$url/v2/" 2>/dev/null; then
    tp7_log "mirror already answers at $url"
    return 0
  fi
  mkdir -p "$dir/storage"
  # Our own config: the Debian package's /etc/docker/registry/config.yml enables htpasswd auth.
  # Delete is enabled so tests and fixtures can remove stand-ins from the mirror.
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: tp7-mirror
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  # setsid: own session, so Ctrl-C or the end of the calling script does not stop it.
  # The inner shell writes its own pid before exec, whatever job control does with $!.
  # shellcheck disable=SC2016  # $$ and $1 belong to the inner shell
  setsid bash -c 'echo $$ >"$1"; exec /usr/bin/docker-registry serve "$2"' _ \
    "$dir/mirror.pid" "$dir/config.yml" >>"$dir/mirror.log" 2>&1 </dev/null &
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "$url/v2/" 2>/dev/null && return 0
    if ((i > 5)) && ! tp7__pid_is "$(cat "$dir/mirror.pid" 2>/dev/null)" "$dir/config.yml"; then break; fi
    sleep 0.2
  done
  tp7_log "mirror did not answer at $url/v2/ (see $dir/mirror.log); last lines:"
  tail -n 15 "$dir/mirror.log" >&2 || true
  return 1
}

tp7_stop_mirror() {
  local dir=${1:?usage: tp7_stop_mirror DIR}
  tp7__stop_pidfile "$dir/mirror.pid" "$dir/config.yml" 10
}

# --- dockerd -----------------------------------------------------------------------------------

# Prints the pid of a running dockerd that is not ours (not in OUR_PIDFILE). Two daemons on one
# machine share docker0 and iptables: on start the second deletes and recreates the DOCKER chains
# (the first one's port mappings go) and hands out the same container IPs (seen on 20.10).
# So we refuse to start a second one rather than break the first.
tp7__other_dockerd() {
  local our_pidfile=$1 ours="" pid
  [[ -f $our_pidfile ]] && ours=$(cat "$our_pidfile")
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    [[ $pid == "$ours" ]] || ! tp7__running "$pid" || { echo "$pid"; return 0; }
  done
  return 1
}

tp7_start_dockerd() {
  local usage="usage: tp7_start_dockerd DIR SOCKET MIRROR_URL"
  local dir=${1:?$usage} socket=${2:?$usage} mirror=${3:?$usage} other pid
  if tp7__engine_answers "$socket"; then
    tp7_log "dockerd already answers on $socket"
    return 0
  fi
  if other=$(tp7__other_dockerd "$dir/dockerd.pid"); then
    tp7_log "another dockerd (pid $other) runs on this machine: a second one would reset its iptables rules and reuse its container IPs on docker0; stop it first (scripts/lab.sh --stop-engine stops the lab's own)"
    return 1
  fi
  mkdir -p "$dir/data" "$dir/exec"
  # An empty config file: dockerd would otherwise read /etc/docker/daemon.json, and a key there that
  # is also a flag here (registry-mirrors, hosts, data-root...) makes dockerd refuse to start.
  echo '{}' >"$dir/daemon.json"
  # No --insecure-registry: dockerd trusts 127.0.0.0/8 over plain HTTP by default (the mirror on
  # 127.0.0.1 and the students' localhost:5000 registry).
  setsid dockerd --config-file "$dir/daemon.json" \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$socket" --registry-mirror "$mirror" \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
  pid=$!
  tp7__wait_engine "$socket" "$pid" "$dir/dockerd.log" 30
}

tp7_stop_dockerd() {
  local dir=${1:?usage: tp7_stop_dockerd DIR}
  # dockerd gives running containers up to 15 s to stop before it exits.
  tp7__stop_pidfile "$dir/dockerd.pid" "$dir/dockerd.pid" 30
}

# The machine's own dockerd: default socket, data root and /etc/docker/daemon.json, as a student's
# machine would run it. The mirror flag is added only when daemon.json does not set one (dockerd
# refuses a setting given both as a flag and in the file).
tp7_start_system_dockerd() {
  local log=${1:?usage: tp7_start_system_dockerd LOG [MIRROR_URL]} mirror=${2:-} pid
  local -a args=()
  if tp7__engine_answers "$TP7_SYSTEM_SOCKET"; then return 0; fi
  if pid=$(tp7__other_dockerd /var/run/docker.pid); then
    tp7_log "another dockerd (pid $pid) runs on this machine: a second one would reset its iptables rules and reuse its container IPs on docker0; stop it first"
    return 1
  fi
  if [[ -n $mirror ]] && ! jq -e '."registry-mirrors" // empty' /etc/docker/daemon.json >/dev/null 2>&1; then
    args+=(--registry-mirror "$mirror")
  fi
  mkdir -p "$(dirname "$log")"
  setsid dockerd "${args[@]}" >>"$log" 2>&1 </dev/null &
  pid=$!
  # Remembered so that `scripts/lab.sh --stop-engine` stops this dockerd, and never one it did not start.
  echo "$pid" >"$(dirname "$log")/dockerd.pid"
  tp7__wait_engine "$TP7_SYSTEM_SOCKET" "$pid" "$log" 30
}

# --- emulation of foreign platforms (exercise 7) ------------------------------------------------

# The qemu interpreters exercise 7 needs, by the name they take in /proc/sys/fs/binfmt_misc.
TP7_EMULATED=(qemu-aarch64 qemu-arm)
TP7_BINFMT=/proc/sys/fs/binfmt_misc

tp7__emulation_missing() {
  local name
  for name in "${TP7_EMULATED[@]}"; do [[ -e $TP7_BINFMT/$name ]] || echo "$name"; done
}

# Lets the engine run linux/arm64 and linux/arm/v7 images: installs qemu-user-static and registers its
# interpreters with the kernel (binfmt_misc), as systemd-binfmt would at boot (systemd is often not PID 1
# here). Registration is machine-wide and lost at reboot; interpreters already registered are left alone.
# Without root it only says what to run. Fails (one line) when emulation stays unavailable.
tp7_enable_emulation() {
  local name missing
  missing=$(tp7__emulation_missing)
  [[ -z $missing ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    tp7_log "no emulation for arm64/arm images ($(echo $missing)); as root run: apt-get install -y qemu-user-static, then mount -t binfmt_misc binfmt_misc $TP7_BINFMT and /lib/systemd/systemd-binfmt (on a machine with systemd, a reboot does it)"
    return 1
  fi
  if [[ ! -e /usr/lib/binfmt.d/qemu-aarch64.conf ]]; then
    if ! command -v apt-get >/dev/null; then
      tp7_log "no emulation for arm64/arm images and no apt-get: install qemu-user-static and its binfmt_misc entries"
      return 1
    fi
    tp7_log "installing qemu-user-static (emulation of arm64/arm images) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends qemu-user-static >/dev/null ||
      { tp7_log "apt-get install qemu-user-static failed"; return 1; }
  fi
  if [[ ! -e $TP7_BINFMT/register ]] && ! mount -t binfmt_misc binfmt_misc "$TP7_BINFMT" 2>/dev/null; then
    tp7_log "cannot mount binfmt_misc on $TP7_BINFMT (a container without that right?): arm64/arm images will not run here"
    return 1
  fi
  for name in $(tp7__emulation_missing); do
    # Each .conf line is the registration string itself (what systemd-binfmt writes to the register file).
    grep -v '^#' "/usr/lib/binfmt.d/$name.conf" | grep . >"$TP7_BINFMT/register" 2>/dev/null ||
      { tp7_log "the kernel refused the binfmt_misc entry of $name"; return 1; }
  done
}

# Run directly: scripts/lib/engine.sh FUNCTION ARGS...
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
    tp7_*) "$@" ;;
    *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; [[ ${1:-} == -h || ${1:-} == --help ]] ;;
  esac
fi
