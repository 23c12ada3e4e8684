// Where a recorded run's script runs: a private mount, network and PID namespace (util-linux `unshare`, as the
// user: a user namespace, so no privilege is needed or kept) in which no Docker engine can be reached, whatever
// the script calls. The shim on its PATH only pretends what changes state; this is what makes the pretence hold
// against a script that goes around it (a docker CLI by its full path without DOCKER_HOST, curl --unix-socket,
// python, perl or nc on a socket, a TCP engine). Inside:
// - every socket the machine listens on when the run starts (/proc/net/unix: the engines, containerd, ssh
//   masters and agents, wherever they are) is covered, by an empty tmpfs over /run, /var/run, /tmp, /var/tmp
//   and /dev/shm, and by /dev/null bound over those elsewhere; the scratch folder alone is put back;
// - no network but an unconfigured loopback: no TCP engine, no ssh:// context, no abstract socket;
// - a fresh /proc of the new PID namespace: no /proc/<pid>/root of a process outside leads back to a socket;
// - every other file system read-only (as far as the kernel lets a user namespace make it so): the script writes
//   in its scratch folder and the empty temporary folders only, never the engine's data (rm -rf /var/lib/docker);
// - no capability and no_new_privs (setpriv), so the script can neither undo a mount nor gain one with sudo.
// The only socket left is the one tp7 serves in the scratch folder (read-proxy.ts), which answers the reads the
// shim forwards and nothing else. The same POSIX sh runs on this machine and on a student's over SSH.
import { both, type LocalizedText } from '../lab/lang.js';

/** The first line a sandbox that holds writes on stderr, right before the script starts: nothing else writes it first. */
const READY = 'tp7-sandbox-ready';
/** What a sandbox that cannot be made says instead (the script did not run). */
const UNAVAILABLE = 'tp7-sandbox-unavailable: ';

/** Inside the namespaces, as the user namespace's root: hide, cover, put the scratch folder back, drop everything. */
const INNER = `
scratch=$1; shift
fail() { printf '${UNAVAILABLE}%s %s\\n' "$1" "\${2:-}" >&2; exit 70; }
covered() { case $1 in /run/*|/var/run/*|/tmp/*|/var/tmp/*|/dev/shm/*|"$scratch"/*) return 0 ;; esac; return 1; }
exec 9<"$scratch" || fail scratch
while IFS= read -r sock; do
  covered "$sock" && continue
  [ -S "$sock" ] || continue
  mount --bind /dev/null "$sock" 2>/dev/null || [ ! -w "$sock" ] || fail hide "$sock"
done <"$scratch/sockets"
for dir in /run /var/run /tmp /var/tmp /dev/shm; do
  [ -d "$dir" ] && [ ! -L "$dir" ] || continue
  mount -t tmpfs -o mode=1777,size=64m tp7-sandbox "$dir" || fail cover "$dir"
done
mkdir -p "$scratch" && mount --no-canonicalize --bind /proc/self/fd/9 "$scratch" || fail scratch
exec 9<&-
awk '{ print $5 }' /proc/self/mountinfo | while IFS= read -r point; do
  point=$(printf '%b' "$point")
  case $point in /run|/var/run|/tmp|/var/tmp|/dev/shm|"$scratch"|/proc|/proc/*) continue ;; esac
  covered "$point" || mount -o remount,bind,ro "$point" 2>/dev/null || true
done
mount -t proc proc /proc || fail proc
while IFS= read -r sock; do
  case $sock in "$scratch"/*) continue ;; esac
  if [ -S "$sock" ] && [ -w "$sock" ]; then fail reachable "$sock"; fi
done <"$scratch/sockets"
# The working folder was entered through the mounts of before (read-only now): enter it again through the new ones.
cd -- "$PWD" 2>/dev/null || true
printf '${READY}\\n' >&2
exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all -- "$@"
`;

/** Before the namespaces: the tools, and the sockets of this machine (listed here: inside, the network is another). */
const OUTER = `
inner=$1; scratch=$2; shift 2
fail() { printf '${UNAVAILABLE}%s %s\\n' "$1" "\${2:-}" >&2; exit 70; }
system=$(uname -s)
[ "$system" = Linux ] || fail system "$system"
for tool in unshare setpriv mount awk; do command -v "$tool" >/dev/null 2>&1 || fail missing "$tool"; done
# BusyBox has an unshare and a setpriv too, without the options the sandbox needs: util-linux's are.
unshare --help 2>&1 | grep -q -- --kill-child || fail missing unshare
setpriv --help 2>&1 | grep -q -- --bounding-set || fail missing setpriv
awk 'NR > 1 && $4 == "00010000" && substr($8, 1, 1) == "/" { print $8 }' /proc/net/unix >"$scratch/sockets" 2>/dev/null || fail sockets
exec unshare --user --map-root-user --mount --net --pid --fork --kill-child sh -c "$inner" sh "$scratch" "$@"
`;

/** The command and arguments that run `command args...` in the sandbox, with `scratch` (absolute) kept inside. */
export function sandboxed(scratch: string, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: 'sh', args: ['-c', OUTER, 'sh', INNER, scratch, command, ...args] };
}

export type SandboxOutcome<T extends { stderr: string }> =
  | { isolated: true; result: T }
  /** The sandbox could not be made: the script did not start. */
  | { isolated: false; reason: LocalizedText };

/** Why the sandbox could not be made, from the word the sh above said it with (and what it was about). */
function unavailableReason(code: string, detail: string): LocalizedText {
  switch (code) {
    case 'system':
      return both(`pas d'espaces de noms Linux sur ${detail}`, `no Linux namespaces on ${detail}`);
    case 'missing':
      return both(`la commande ${detail} manque (paquet util-linux)`, `the ${detail} command is missing (util-linux package)`);
    case 'sockets':
      return both('/proc/net/unix est illisible', '/proc/net/unix cannot be read');
    case 'hide':
      return both(`le socket ${detail} n'a pas pu être masqué`, `socket ${detail} could not be hidden`);
    case 'cover':
      return both(`${detail} n'a pas pu être recouvert`, `${detail} could not be covered`);
    case 'reachable':
      return both(`le socket ${detail} restait joignable`, `socket ${detail} could still be reached`);
    case 'proc':
      return both("un /proc privé n'a pas pu être monté", 'a private /proc could not be mounted');
    default:
      return both("le dossier temporaire n'a pas pu être gardé", 'the scratch folder could not be kept');
  }
}

/**
 * What a sandboxed run's output says: the script ran isolated (its stderr without the ready line), or it never
 * started because the sandbox could not be made. Only the sandbox writes before the ready line, so a script
 * cannot make its run pass for one that did not start (which would be run again outside).
 */
export function sandboxOutcome<T extends { stderr: string; exitCode: number | null; timedOut: boolean }>(result: T): SandboxOutcome<T> {
  const [first = '', ...rest] = result.stderr.split('\n');
  if (first === READY) return { isolated: true, result: { ...result, stderr: rest.join('\n') } };
  if (result.timedOut) return { isolated: true, result }; // stopped before it started: nothing ran, nothing to run again
  if (first.startsWith(UNAVAILABLE)) {
    const [code = '', ...detail] = first.slice(UNAVAILABLE.length).split(' ');
    return { isolated: false, reason: unavailableReason(code, detail.join(' ').trim()) };
  }
  // unshare's own refusal (user namespaces disabled, or denied by the kernel's policy): its words, quoted.
  const said = result.stderr.trim().split('\n').at(-1) || `exit ${result.exitCode}`;
  return { isolated: false, reason: both(`« ${said} »`, `"${said}"`) };
}

/** How the notes name the local host. */
export const THIS_MACHINE = both('cette machine', 'this machine');

/** Why the host's recorded runs cannot get tp7's read socket: the shim then reads the engine itself. */
export const NO_READ_SOCKET = both('tp7 ne peut pas y servir les lectures du moteur (transfert de socket refusé par sshd)', 'tp7 cannot serve the engine reads there (socket forwarding refused by sshd)');

/** The integrity note of runs that could not be isolated (the report and `tp7 doctor` say it). */
export function notIsolatedNote(host: string, reason: LocalizedText): LocalizedText {
  return both(
    `les scripts lancés en simulation sur ${host} n'ont pas pu être isolés du moteur (${reason.fr}) : leurs modes destructifs sont jugés sur ce que le faux docker a vu, et un script qui le contourne aurait pu atteindre le moteur`,
    `recorded runs on ${host} could not be isolated from the engine (${reason.en}): their destructive modes are judged from what the docker shim saw, and a script going around it could have reached the engine`,
  );
}
