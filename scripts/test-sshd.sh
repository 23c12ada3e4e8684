#!/usr/bin/env bash
# scripts/test-sshd.sh - a private SSH remote for the tests: Debian's sshd on 127.0.0.1 (a free port), its own
# host key and pid file, a throwaway key pair, and an ssh config file naming it as an instructor's would
# (Host alias, HostName, Port, User, IdentityFile), used through an `ssh` wrapper that passes `-F` to the real
# one: the real ~/.ssh is never read nor changed. The remote's `docker` reaches the engine of DOCKER_HOST.
#
# Usage: scripts/test-sshd.sh up|down|env
#   up     start sshd (state in TP7_TEST_SSH_DIR, default /tmp/tp7-test-sshd), write keys, config, wrapper
#   down   stop that sshd (by its pid file) and the test ssh-agent, remove the folder with its keys
#   env    print the export lines for eval: eval "$(scripts/test-sshd.sh env)"
# Aliases in the config: tp7-remote (key file only, no agent), tp7-agent (key in the agent only),
# tp7-wrongkey (a key the remote refuses), tp7-unknown (host key not in known_hosts), tp7-dead (closed port),
# tp7-noforward (a second port where sshd refuses stream-local forwarding), tp7-nosftp (a second sshd, on a third
# port, whose config has no `Subsystem sftp` line: the students' files are then read over its shell).
set -euo pipefail

dir=${TP7_TEST_SSH_DIR:-/tmp/tp7-test-sshd}

log() { printf 'tp7: %s\n' "$*" >&2; }

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

down() {
  local pid
  for pid in sshd.pid sshd-nosftp.pid; do
    if [[ -s $dir/$pid ]]; then kill "$(cat "$dir/$pid")" 2>/dev/null || true; fi
  done
  if [[ -s $dir/agent.pid ]]; then kill "$(cat "$dir/agent.pid")" 2>/dev/null || true; fi
  # Only our own folder, whatever is in it (keys included).
  [[ -d $dir ]] && rm -rf --one-file-system "$dir"
  return 0
}

# One Host block of the config: alias, port, key file, agent socket ("none": no agent), then extra lines.
host_block() {
  local alias=$1 port=$2 key=$3 agent=$4
  shift 4
  printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n  User root\n  IdentityFile %s\n' "$alias" "$port" "$dir/keys/$key"
  if [[ $agent == none ]]; then printf '  IdentitiesOnly yes\n  IdentityAgent none\n'; else printf '  IdentityAgent %s\n' "$agent"; fi
  local line
  for line in "$@"; do printf '  %s\n' "$line"; done
}

write_config() {
  local port=$1 dead=$2 noforward=$3 nosftp=$4
  {
    echo "# Written by scripts/test-sshd.sh: what an instructor's ~/.ssh/config would hold."
    host_block tp7-remote "$port" id_ed25519 none
    host_block tp7-agent "$port" no-such-key "$dir/agent.sock"
    host_block tp7-wrongkey "$port" wrong_ed25519 none
    host_block tp7-unknown "$port" id_ed25519 none "UserKnownHostsFile $dir/empty_known_hosts"
    host_block tp7-dead "$dead" id_ed25519 none "ConnectTimeout 5"
    host_block tp7-noforward "$noforward" id_ed25519 none
    host_block tp7-nosftp "$nosftp" id_ed25519 none
    cat <<EOF
Host 127.0.0.1
  IdentityFile $dir/keys/id_ed25519
  IdentitiesOnly yes
  IdentityAgent none
Host *
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
EOF
  } >"$dir/config"
}

up() {
  [[ -n ${DOCKER_HOST:-} ]] || { log "DOCKER_HOST must name the engine the remote's docker reaches"; return 1; }
  command -v /usr/sbin/sshd >/dev/null || { log "sshd is missing: apt-get install -y --no-install-recommends openssh-server"; return 1; }
  down
  mkdir -p "$dir/keys" "$dir/bin" /run/sshd
  chmod 700 "$dir" "$dir/keys"
  ssh-keygen -q -t ed25519 -N '' -C tp7-test-host -f "$dir/keys/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C tp7-test-client -f "$dir/keys/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C tp7-test-agent -f "$dir/keys/agent_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C tp7-test-wrong -f "$dir/keys/wrong_ed25519"
  cat "$dir/keys/id_ed25519.pub" "$dir/keys/agent_ed25519.pub" >"$dir/authorized_keys"
  local port dead noforward nosftp
  port=$(free_port)
  dead=$(free_port)
  noforward=$(free_port)
  nosftp=$(free_port)
  # MaxSessions is sshd's default, written out: tp7 keeps within it (src/ssh/processes.ts). The second port
  # refuses stream-local forwarding, as a hardened sshd does: tp7 falls back to docker system dial-stdio there.
  cat >"$dir/sshd_config" <<EOF
Port $port
Port $noforward
ListenAddress 127.0.0.1
HostKey $dir/keys/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
SetEnv DOCKER_HOST=$DOCKER_HOST
MaxSessions 10
LogLevel ERROR
Match LocalPort $noforward
  AllowStreamLocalForwarding no
EOF
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  # A hardened image's sshd: no SFTP subsystem at all. OpenSSH 9.2 takes no Subsystem in a Match block, so it is
  # a second sshd with the same keys, on a port of its own.
  sed -e "/^Port /d" -e "/^Subsystem /d" -e "/^PidFile /d" -e "/^Match /,\$d" "$dir/sshd_config" >"$dir/sshd_nosftp_config"
  printf 'Port %s\nPidFile %s\n' "$nosftp" "$dir/sshd-nosftp.pid" >>"$dir/sshd_nosftp_config"
  /usr/sbin/sshd -f "$dir/sshd_nosftp_config" -E "$dir/sshd-nosftp.log"
  local each
  for each in "$port" "$noforward" "$nosftp"; do
    printf '[127.0.0.1]:%s %s\n' "$each" "$(cut -d' ' -f1,2 "$dir/keys/host_ed25519.pub")"
  done >"$dir/known_hosts"
  : >"$dir/empty_known_hosts"
  write_config "$port" "$dead" "$noforward" "$nosftp"
  printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$dir/config" >"$dir/bin/ssh"
  chmod 755 "$dir/bin/ssh"
  ssh-agent -a "$dir/agent.sock" -s | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' >"$dir/agent.pid"
  SSH_AUTH_SOCK=$dir/agent.sock ssh-add -q "$dir/keys/agent_ed25519"
  local i
  local alias
  for alias in tp7-remote tp7-nosftp; do
    for i in $(seq 50); do
      "$dir/bin/ssh" -o BatchMode=yes "$alias" true 2>/dev/null && break
      ((i == 50)) && { log "the test sshd ($alias) does not answer (see $dir/sshd*.log)"; return 1; }
      sleep 0.1
    done
  done
  log "test sshd up on 127.0.0.1:$port, without SFTP on $nosftp (ssh config $dir/config)"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) printf 'export TP7_TEST_SSH_DIR=%s\n' "$dir" ;;
  -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
