import { resolve } from 'node:path';
import type { ProcessRunner } from './types.js';

/** Output kept per stream: a runaway script must not fill the memory of the checker. */
const MAX_OUTPUT_BYTES = 1 << 20;

export function execaRunner(workdir: string): ProcessRunner {
  return {
    async run(command, args, options) {
      const { execa } = await import('execa');
      const result = await execa(command, args, {
        cwd: resolve(workdir, options.cwd ?? '.'),
        timeout: options.timeoutMs,
        reject: false,
        stdin: 'ignore',
        maxBuffer: MAX_OUTPUT_BYTES,
        env: options.env,
        forceKillAfterDelay: 1000,
      });
      return { exitCode: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr, timedOut: Boolean(result.timedOut) };
    },
  };
}
