// Student scripts run on the student's machine over SSH, with the local runner's rules: a time limit and an
// abort kill the script's whole process group (sshd starts each command in a session of its own, so the
// remote shell's pid is its group), and what the script leaves in the background is ended when it returns.
import { posix } from 'node:path';
import { CheckError } from '../errors.js';
import { sharedLimit } from '../runner/pool.js';
import type { ProcessResult, ProcessRunner, RunOptions } from '../processes/types.js';
import type { SshConnection } from './connection.js';
import { explainSsh, SshError, sshReason } from './errors.js';

const MAX_OUTPUT_BYTES = 1 << 20;
/**
 * Commands at once on one connection. sshd allows MaxSessions (10 by default) sessions per connection, and a
 * refused one fails outright: 4 commands + 3 engine streams (engine-agent.ts) + 1 SFTP session leave two for
 * the kill of a timed-out group, which never waits for a turn.
 */
export const MAX_COMMAND_SESSIONS = 4;
/**
 * The remote login shell's start (rc files) before the command itself starts: not counted in the command's time
 * limit, which starts when the wrapper reports its process group; this bounds that start.
 */
const LOGIN_ALLOWANCE_MS = 15_000;
const KILL_GRACE_MS = 1000;
/** The first line the remote wrapper writes on stderr: the process group to kill. */
const GROUP_MARK = /^tp7-pgid (\d+)\n/;

/**
 * POSIX sh, whatever the user's login shell: say the group, wait for tp7's "go" (a run stopped while the login
 * shell loaded never starts), go to the folder, run the command with the added variables, then end what it left
 * running in its group (the wrapper itself ignores that TERM).
 */
const WRAPPER = `printf 'tp7-pgid %s\\n' "$$" >&2; IFS= read -r go; [ "$go" = go ] || exit 125; cd -- "$1" || exit 126; shift; "$@"; code=$?; trap '' TERM; kill -TERM 0 2>/dev/null; exit $code`;

function appendCapped(current: string, chunk: Buffer): string {
  return current.length >= MAX_OUTPUT_BYTES ? current : (current + chunk.toString('utf8')).slice(0, MAX_OUTPUT_BYTES);
}

const stripFinalNewline = (text: string) => text.replace(/\r?\n$/, '');

const NOT_STARTED: ProcessResult = { exitCode: null, stdout: '', stderr: '', timedOut: true };

/** One turn keeper per connection: every runner of one connection (several workdirs, the remote's facts) shares it. */
const turns = new WeakMap<SshConnection, ReturnType<typeof sharedLimit>>();

/** The turns of one connection's commands: a runner's, and the shell's stand-in for SFTP (shell-files.ts). */
export function connectionTurns(connection: SshConnection): ReturnType<typeof sharedLimit> {
  let turn = turns.get(connection);
  if (!turn) {
    turn = sharedLimit(MAX_COMMAND_SESSIONS);
    turns.set(connection, turn);
  }
  return turn;
}

export function sshRunner(connection: SshConnection, workdir: string): ProcessRunner {
  /**
   * TERM, then KILL after the grace time, in one session (sshd counts each against MaxSessions). `kill -SIG -PGID`:
   * dash's kill takes neither `--` nor `-s SIG -PGID`.
   */
  const endGroup = (group: string) => {
    const grace = String(KILL_GRACE_MS / 1000);
    const child = connection.exec(['sh', '-c', 'kill -TERM -"$1" 2>/dev/null && sleep "$2" && kill -KILL -"$1" 2>/dev/null; exit 0', 'sh', group, grace]);
    child.stdin?.end();
    child.on('error', () => undefined);
  };
  const turn = connectionTurns(connection);
  return {
    // Stopped while waiting for its turn: nothing is started on the remote.
    run: (command, args, options: RunOptions) => turn(() => (options.signal?.aborted ? Promise.resolve(NOT_STARTED) : runOnce(command, args, options))),
  };

  async function runOnce(command: string, args: string[], options: RunOptions): Promise<ProcessResult> {
    const cwd = posix.resolve(workdir, options.cwd ?? '.');
    const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
    const child = connection.exec(['sh', '-c', WRAPPER, 'sh', cwd, ...(env.length ? ['env', '--', ...env] : []), command, ...args]);
    let stdout = '';
    let stderr = '';
    let group: string | undefined;
    child.stdout!.on('data', (chunk: Buffer) => (stdout = appendCapped(stdout, chunk)));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = appendCapped(stderr, chunk);
      const mark = group ? undefined : GROUP_MARK.exec(stderr);
      if (mark) {
        group = mark[1];
        stderr = stderr.slice(mark[0].length);
        // Stopped before the command said its group (a slow login shell): end the group now that it is known.
        // The wrapper waits for "go" once it has said its group: stopped meanwhile, it gets none and exits 125
        // without running the command. The command then reads an empty stdin, as a local run does.
        child.stdin!.end(timedOut ? undefined : 'go\n');
        if (timedOut) return;
        // The command runs from now: its own time limit starts here.
        clearTimeout(limit);
        limit = setTimeout(stop, options.timeoutMs);
      }
    });
    let timedOut = false;
    const grace: NodeJS.Timeout[] = [];
    const stop = () => {
      if (timedOut) return;
      timedOut = true;
      if (group) endGroup(group);
      // Before the group is known, ssh stays until the wrapper says it (it then gets no "go", above), or the
      // login allowance is over.
      grace.push(setTimeout(() => child.kill('SIGKILL'), group ? KILL_GRACE_MS : LOGIN_ALLOWANCE_MS));
    };
    let limit = setTimeout(stop, options.timeoutMs + LOGIN_ALLOWANCE_MS);
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
      });
      // 255 before the wrapper spoke: ssh itself failed (refused key, host gone), not the script.
      if (!group && !timedOut && code === 255) throw new CheckError(explainSsh(new SshError(sshReason(stderr, 'ssh exited with 255'), 255), connection.address));
      // As execa gives them locally: without the final newline.
      return { exitCode: signal ? null : code, stdout: stripFinalNewline(stdout), stderr: stripFinalNewline(stderr), timedOut };
    } finally {
      clearTimeout(limit);
      grace.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', stop);
    }
  }
}
