#!/usr/bin/env bash
# scripts/lib/engine.sh - helpers to install and run a Docker engine and a local registry mirror
# without Docker Hub, on a Debian machine where nothing is running yet.
#
# Usage: source scripts/lib/engine.sh, then call:
#   tp7_install_packages                          install the Debian packages when a command is missing
#   tp7_prepare_tests                             root, packages, qemu, npm ci, build: what a test run needs first
#   tp7_start_mirror DIR PORT                     registry on 127.0.0.1:PORT, state in DIR
#   tp7_stop_mirror DIR                           stop the mirror started with that DIR
#   tp7_start_dockerd DIR SOCKET MIRROR_URL       private dockerd (own data/exec roots in DIR)
#   tp7_stop_dockerd DIR                          stop the dockerd started with that DIR
#   tp7_start_system_dockerd LOG [MIRROR_URL]     the machine's dockerd (default socket and data root)
#   tp7_enable_emulation                          qemu for linux/arm64 and linux/arm/v7 images (binfmt_misc)
#   tp7_cache_dir                                 prints where downloads are kept (TP7_CACHE_DIR)
#   tp7_modern_engine                             fetch Docker 28.5 (Debian unstable) once; prints its bin folder
#   tp7_buildx_plugin                             the docker-buildx plugin that goes with TP7_ENGINE (none for 20.10)
#
# TP7_ENGINE chooses the engine tp7_start_dockerd runs: `20.10` (Debian 12's docker.io, the default),
# `28-classic` (Docker 28.5, classic image store) or `28-containerd` (Docker 28.5, containerd image store:
# what fresh installs of Engine 29 and Docker Desktop use). The 28.5 binaries run from a private folder,
# never installed machine-wide.
# Or run it: scripts/lib/engine.sh FUNCTION ARGS...   (e.g. scripts/lib/engine.sh tp7_stop_dockerd /tmp/x)
#
# Callers run with `set -euo pipefail`; every function returns non-zero with one clear line on failure.

TP7_SYSTEM_SOCKET=/var/run/docker.sock
TP7_ENGINES=(20.10 28-classic 28-containerd)

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

# What every test run needs before an engine starts: root (dockerd runs as root), the Debian packages, qemu for
# exercise 7's foreign images (their run checks are skipped without it), the npm packages, a fresh build.
tp7_prepare_tests() {
  # Once per run: scripts/test.sh prepares, then starts one engine after the other.
  [[ ${TP7_PREPARED:-} == 1 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    tp7_log "the test engine is a dockerd of its own and dockerd runs as root: run this as root"
    return 1
  fi
  tp7_install_packages
  tp7_enable_emulation || tp7_log "exercise 7's checks that run foreign images will be skipped"
  # npm ci when node_modules is missing or older than the lock file (npm writes node_modules/.package-lock.json).
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  fi
  npm run build
  export TP7_PREPARED=1
}

# --- downloads and the modern engine --------------------------------------------------------------

# Where downloaded packages are kept between runs (the arm busybox, Docker 28.5).
tp7_cache_dir() {
  if [[ $(id -u) -eq 0 ]]; then echo "${TP7_CACHE_DIR:-/var/cache/tp7-lab}"; else echo "${TP7_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tp7-lab}"; fi
}

# The Debian unstable packages of Docker 28.5, pinned: the archive moves, and what a test run proves must not
# change with it. When a pinned version has left the archive, the current one is taken (said once).
TP7_MODERN_DEBS=(docker.io=28.5.2+dfsg4-5 containerd=2.1.9+ds1-5 docker-buildx=0.29.1+ds1-4)

# Downloads the .debs of TP7_MODERN_DEBS into the cache once (a private apt state: the machine's sources, lists
# and installed packages are left alone), unpacks them, and prints the folder to put first on PATH for dockerd:
# dockerd, containerd, its shim and docker-proxy from unstable, with this machine's runc and docker-init (unstable's
# runc needs a newer glibc than Debian 12 has). buildx stays in x/usr/libexec/docker/cli-plugins beside it.
tp7_modern_engine() {
  local cache debs apt root uri spec name f
  cache=$(tp7_cache_dir)
  debs=$cache/debs/sid root=$cache/docker-28
  if [[ -x $root/bin/dockerd && -x $root/bin/containerd ]]; then echo "$root/bin"; return 0; fi
  mkdir -p "$debs"
  if [[ -z $(find "$debs" -name 'docker.io_*.deb') || -z $(find "$debs" -name 'containerd_*.deb') || -z $(find "$debs" -name 'docker-buildx_*.deb') ]]; then
    command -v apt-get >/dev/null || { tp7_log "no apt-get: cannot download Docker 28.5"; return 1; }
    apt=$(mktemp -d /tmp/tp7-sid.XXXXXX)
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null) || true
    mkdir -p "$apt/lists/partial"
    echo "deb ${uri:-http://deb.debian.org/debian} sid main" >"$apt/sources.list"
    local -a options=(-o APT::Architectures::=amd64 -o Dir::Etc::SourceList="$apt/sources.list"
      -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
      -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
    tp7_log "downloading Docker 28.5 from Debian unstable into $debs (once) ..."
    if ! apt-get "${options[@]}" -qq update >/dev/null 2>"$apt/err"; then
      tp7_log "apt-get update (unstable) failed: $(grep -m1 . "$apt/err")"; rm -rf "$apt"; return 1
    fi
    for spec in "${TP7_MODERN_DEBS[@]}"; do
      name=${spec%%=*}
      (cd "$debs" && apt-get "${options[@]}" -qq download "$spec" >/dev/null 2>>"$apt/err") && continue
      tp7_log "$spec has left Debian unstable: taking its current $name"
      (cd "$debs" && apt-get "${options[@]}" -qq download "$name" >/dev/null 2>>"$apt/err") ||
        { tp7_log "download of $name failed: $(grep -m1 . "$apt/err")"; rm -rf "$apt"; return 1; }
    done
    rm -rf "$apt"
  fi
  rm -rf "$root" && mkdir -p "$root/x" "$root/bin"
  for f in "$debs"/docker.io_*.deb "$debs"/containerd_*.deb "$debs"/docker-buildx_*.deb; do dpkg-deb -x "$f" "$root/x"; done
  ln -s "$root/x/usr/sbin/dockerd" "$root/x/usr/sbin/docker-proxy" "$root/x/usr/bin/containerd" \
    "$root/x/usr/bin/containerd-shim-runc-v2" "$root/bin/"
  ln -s "$(command -v runc)" "$(command -v docker-init)" "$root/bin/"
  "$root/bin/dockerd" --version >/dev/null 2>&1 || { tp7_log "the unpacked dockerd does not run here"; rm -rf "$root"; return 1; }
  echo "$root/bin"
}

# The buildx plugin of the modern engine (its builds are BuildKit's, as on every Docker 28/29 install), or nothing
# for Debian's 20.10, whose CLI builds with the legacy builder.
tp7_buildx_plugin() {
  case ${TP7_ENGINE:-20.10} in
    28-classic | 28-containerd) echo "$(dirname "$(tp7_modern_engine)")/x/usr/libexec/docker/cli-plugins/docker-buildx" ;;
  esac
}

# The dockerd command line for TP7_ENGINE, one word a line: PATH first, then dockerd and its store flag.
tp7__dockerd_command() {
  local bin
  case ${TP7_ENGINE:-20.10} in
    20.10) echo dockerd ;;
    28-classic | 28-containerd)
      bin=$(tp7_modern_engine) || return 1
      echo "$bin/dockerd"
      [[ $TP7_ENGINE == 28-containerd ]] && printf '%s\n' --feature containerd-snapshotter=true
      ;;
    *) tp7_log "TP7_ENGINE: one of ${TP7_ENGINES[*]}, not '$TP7_ENGINE'"; return 2 ;;
  esac
  return 0
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
  local lines path=$PATH
  local -a command
  if tp7__engine_answers "$socket"; then
    tp7_log "dockerd already answers on $socket"
    return 0
  fi
  if other=$(tp7__other_dockerd "$dir/dockerd.pid"); then
    tp7_log "another dockerd (pid $other) runs on this machine: a second one would reset its iptables rules and reuse its container IPs on docker0; stop it first (scripts/lab.sh --stop-engine stops the lab's own)"
    return 1
  fi
  lines=$(tp7__dockerd_command) || return 1
  mapfile -t command <<<"$lines"
  [[ ${command[0]} == /* ]] && path=$(dirname "${command[0]}"):$PATH
  mkdir -p "$dir/data" "$dir/exec"
  # An empty config file: dockerd would otherwise read /etc/docker/daemon.json, and a key there that
  # is also a flag here (registry-mirrors, hosts, data-root...) makes dockerd refuse to start.
  echo '{}' >"$dir/daemon.json"
  # No --insecure-registry: dockerd trusts 127.0.0.0/8 over plain HTTP by default (the mirror on
  # 127.0.0.1 and the students' localhost:5000 registry).
  # The engine's own folder first on PATH: a modern dockerd starts the containerd, shim and proxy beside it.
  PATH=$path setsid "${command[@]}" --config-file "$dir/daemon.json" \
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
