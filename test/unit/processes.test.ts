import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
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
});
