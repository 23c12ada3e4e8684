import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * `tp7 ARGV` run in this process through the one exit point, as a shell would see it: exit code, stdout, stderr.
 * `env` is set for that run only.
 */
export async function runTp7(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    await main(argv);
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out: out.join(''), err: err.join('') };
}
