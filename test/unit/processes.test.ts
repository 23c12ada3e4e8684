import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { withSignal } from '../../src/processes/types.js';
import { tempDir } from '../tmp.js';

describe('running a student script', () => {
  const runner = execaRunner(tempDir('scripts-'));

  it('returns its output and exit code', async () => {
    const result = await runner.run('bash', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 });
    expect(result).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err', timedOut: false });
  });

  it('stops the whole script at the time limit, children included', async () => {
    const started = Date.now();
    const result = await runner.run('bash', ['-c', 'sleep 30 & sleep 30; echo never'], { timeoutMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).not.toContain('never');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('leaves nothing running behind a script that exits', async () => {
    const marker = `tp7-orphan-${process.pid}`;
    await runner.run('bash', ['-c', `exec -a ${marker} sleep 30 & disown; echo done`], { timeoutMs: 5000 });
    const { execa } = await import('execa');
    const left = await execa('pgrep', ['-f', marker], { reject: false });
    expect(left.stdout).toBe('');
  });

  it('stops the whole process group when its signal aborts, well before its own time limit', async () => {
    const marker = `tp7-aborted-${process.pid}`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await withSignal(runner, controller.signal).run('bash', ['-c', `exec -a ${marker} sleep 30 & sleep 30; echo never`], { timeoutMs: 20_000 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).not.toContain('never');
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { execa } = await import('execa');
    expect((await execa('pgrep', ['-f', marker], { reject: false })).stdout).toBe('');
  });

  it('does not start work whose signal is already aborted', async () => {
    const result = await runner.run('bash', ['-c', 'sleep 5; echo late'], { timeoutMs: 20_000, signal: AbortSignal.abort() });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).toBe('');
  });
});
