import { resolve } from 'node:path';
import { onStop } from '../stop.js';
import type { ProcessRunner } from './types.js';

/** Output kept per stream: a runaway script must not fill the memory of the checker. */
const MAX_OUTPUT_BYTES = 1 << 20;
/** After SIGTERM, how long the script's processes get before SIGKILL. */
const KILL_GRACE_MS = 1000;

/** Signals every process of a group; a group already gone is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Process groups of the scripts running now: killed if the user stops tp7 (execa's cleanup kills only the leader). */
const running = new Set<number>();
/** Set once the stop handler knows about this module (on the first probe container or script). */
let stopHook: (() => void) | undefined;

/**
 * Runs a student's script in a process group of its own, so that a time limit stops all of it: killing only
 * `bash` would leave its `curl` or `sleep` running, holding the output open until they end by themselves.
 * `baseEnv` is set for every script (a graded student's DOCKER_HOST: one process grades several engines).
 */
export function execaRunner(workdir: string, baseEnv: Record<string, string> = {}): ProcessRunner {
  return {
    async run(command, args, options) {
      const { execa } = await import('execa');
      const child = execa(command, args, {
        cwd: resolve(workdir, options.cwd ?? '.'),
        reject: false,
        stdin: 'ignore',
        maxBuffer: MAX_OUTPUT_BYTES,
        env: { ...baseEnv, ...options.env },
        detached: true,
        cleanup: true,
      });
      const pid = child.pid;
      if (pid) running.add(pid);
      stopHook ??= onStop(() => running.forEach((group) => killGroup(group, 'SIGKILL')));
      // When the script itself ends, whatever it left in the background (holding its output open) ends too.
      child.once('exit', () => {
        killGroup(pid, 'SIGKILL');
        if (pid) running.delete(pid);
      });
      let timedOut = false;
      const grace: NodeJS.Timeout[] = [];
      const stop = () => {
        if (timedOut) return;
        timedOut = true;
        killGroup(pid, 'SIGTERM');
        grace.push(setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS));
      };
      const limit = setTimeout(stop, options.timeoutMs);
      // The check's own time limit (or tp7 stopping) ends the script as its own limit would.
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        const result = await child;
        return { exitCode: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr, timedOut };
      } finally {
        clearTimeout(limit);
        grace.forEach(clearTimeout);
        options.signal?.removeEventListener('abort', stop);
      }
    },
  };
}
