import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../src/ssh/connection.js';
import { MAX_COMMAND_SESSIONS, sshRunner } from '../../src/ssh/processes.js';

// The SSH runner's own rules, with ssh replaced by this machine's sh: `exec(words)` runs the words here, after
// `loginMs` of delay standing for the remote login shell's rc files (a pyenv .bashrc took 0.55 s alone, 4.9 s
// for eight at once), in a process group of its own as sshd gives each session. The real remote:
// test/integration/ssh.test.ts.
const folder = mkdtempSync(join(tmpdir(), 'tp7-ssh-runner-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function localConnection(loginMs: number): SshConnection {
  const exec = (words: readonly string[]) => spawn('sh', ['-c', `sleep ${loginMs / 1000}; exec "$@"`, 'login', ...words], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  return { address: 'ssh://fake', exec } as unknown as SshConnection;
}

describe('commands over ssh', () => {
  it("start their time limit when the command starts, not while the remote's login shell loads", { timeout: 15_000 }, async () => {
    const runner = sshRunner(localConnection(600), '/');
    const run = await runner.run('sh', ['-c', 'sleep 0.2; echo done'], { cwd: '/', timeoutMs: 400 });
    expect({ timedOut: run.timedOut, exitCode: run.exitCode, stdout: run.stdout }).toEqual({ timedOut: false, exitCode: 0, stdout: 'done' });
    // The command's own time still counts from its start, and its whole group is ended at the limit.
    const marker = join(folder, 'ran-past-limit');
    const slow = await runner.run('sh', ['-c', `sleep 1; touch ${marker}`], { cwd: '/', timeoutMs: 300 });
    expect(slow.timedOut).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(existsSync(marker)).toBe(false);
  });

  it('stopped while the login shell loads: the command is ended as soon as it starts, and nothing it would do happens', async () => {
    const runner = sshRunner(localConnection(700), '/');
    const marker = join(folder, 'ran-after-stop');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const run = await runner.run('sh', ['-c', `sleep 0.5; touch ${marker}`], { cwd: '/', timeoutMs: 10_000, signal: controller.signal });
    expect(run.timedOut).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(existsSync(marker)).toBe(false);
  });

  it('stopped while waiting for its turn: nothing is started', async () => {
    const runner = sshRunner(localConnection(0), '/');
    const marker = join(folder, 'queued');
    const busy = Array.from({ length: MAX_COMMAND_SESSIONS }, () => runner.run('sleep', ['0.3'], { cwd: '/', timeoutMs: 10_000 }));
    const controller = new AbortController();
    const queued = runner.run('touch', [marker], { cwd: '/', timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await Promise.all(busy);
    expect((await queued).timedOut).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it(`keep at most ${MAX_COMMAND_SESSIONS} at once on one connection (sshd's MaxSessions is 10 by default)`, async () => {
    const runner = sshRunner(localConnection(0), '/');
    const log = join(folder, 'sessions.log');
    // Each command appends "+" when it starts and "-" when it ends: the running count never exceeds the limit.
    const task = () => runner.run('sh', ['-c', `echo + >> ${log}; sleep 0.15; echo - >> ${log}`], { cwd: '/', timeoutMs: 10_000 });
    await Promise.all(Array.from({ length: 3 * MAX_COMMAND_SESSIONS }, task));
    let open = 0;
    let most = 0;
    for (const mark of readFileSync(log, 'utf8').trim().split('\n')) {
      open += mark === '+' ? 1 : -1;
      most = Math.max(most, open);
    }
    expect(most).toBe(MAX_COMMAND_SESSIONS);
  });
});
