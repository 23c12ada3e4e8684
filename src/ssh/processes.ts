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
 * POSIX sh, whatever the user's login shell: say the group, go to the folder, run the command with the added
 * variables, then end what it left running in its group (the wrapper itself ignores that TERM).
 */
const WRAPPER = `printf 'tp7-pgid %s\\n' "$$" >&2; cd -- "$1" || exit 126; shift; "$@"; code=$?; trap '' TERM; kill -TERM 0 2>/dev/null; exit $code`;

function appendCapped(current: string, chunk: Buffer): string {
  return current.length >= MAX_OUTPUT_BYTES ? current : (current + chunk.toString('utf8')).slice(0, MAX_OUTPUT_BYTES);
}

const stripFinalNewline = (text: string) => text.replace(/\r?\n$/, '');

export function sshRunner(connection: SshConnection, workdir: string): ProcessRunner {
  const signalGroup = (group: string, signal: 'TERM' | 'KILL') => {
    const child = connection.exec(['kill', `-${signal}`, '--', `-${group}`]);
    child.stdin?.end();
    child.on('error', () => undefined);
  };
  const turn = sharedLimit(MAX_COMMAND_SESSIONS);
  return {
    run: (command, args, options: RunOptions) => turn(() => runOnce(command, args, options)),
  };

  async function runOnce(command: string, args: string[], options: RunOptions): Promise<ProcessResult> {
    const cwd = posix.resolve(workdir, options.cwd ?? '.');
    const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
    const child = connection.exec(['sh', '-c', WRAPPER, 'sh', cwd, ...(env.length ? ['env', '--', ...env] : []), command, ...args]);
    child.stdin!.end();
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
      if (group) signalGroup(group, 'TERM');
      grace.push(setTimeout(() => {
        if (group) signalGroup(group, 'KILL');
        child.kill('SIGKILL');
      }, KILL_GRACE_MS));
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
