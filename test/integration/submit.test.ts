import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StandInBoard } from '../stand-in-board.js';
import { cleanupExercise, docker, newWorkdir, ok, TP7_BIN, tp7 } from './harness.js';

// The student side of the classroom board, end to end: the built `tp7` against the real engine, sending to a
// stand-in board on 127.0.0.1 (test/stand-in-board.ts answers as BOARD-API.md says). The background sender is
// a real detached process; the board goes down, hangs, rate-limits and comes back.

/** Short waits so a board back up is asked again within a fraction of a second. */
const ENV = { TP7_SUBMIT_BACKOFF_MS: '200', TP7_SUBMIT_RETRY_FOR_MS: '60000' };
const workdirs: string[] = [];

async function until(what: string, ready: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function queued(workdir: string): string[] {
  try {
    return readdirSync(join(workdir, '.tp7', 'outbox')).filter((name) => /^\d{15}-.*\.json$/.test(name));
  } catch {
    return [];
  }
}

function senderPid(workdir: string): number | undefined {
  try {
    // The lock names its holder `host/boot-id/pid/start-ticks`.
    return Number(readFileSync(join(workdir, '.tp7', 'outbox', 'sender.lock'), 'utf8').split('/')[2]) || undefined;
  } catch {
    return undefined;
  }
}

async function joinedWorkdir(board: StandInBoard, name: string): Promise<string> {
  const workdir = newWorkdir();
  workdirs.push(workdir);
  await ok(tp7(['join', board.url, '--name', name, '--code', board.code], { workdir }));
  return workdir;
}

describe('tp7 check --submit and tp7 watch --submit', () => {
  let board: StandInBoard;
  let engineId: string;
  beforeAll(async () => {
    await cleanupExercise('ex1');
    engineId = (await ok(docker('info', '--format', '{{.ID}}'))).stdout.trim();
  });
  afterEach(() => board?.stop());
  afterAll(async () => {
    // Background senders these tests started, if one is still trying: ended by their own lock's process ID.
    for (const workdir of workdirs) {
      const pid = senderPid(workdir);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await cleanupExercise('ex1');
  });

  it('with the board down, the check ends as it does without --submit; the report waits, then reaches the board', async () => {
    board = await new StandInBoard().start();
    const workdir = await joinedWorkdir(board, 'Ana');
    const plain = await tp7(['check', 'ex1'], { workdir, env: ENV });
    await board.stop();
    const submitted = await tp7(['check', 'ex1', '--submit'], { workdir, env: ENV });
    // The same checklist and exit code: the board being down changed nothing for the student but one line.
    expect(submitted.exitCode).toBe(plain.exitCode);
    expect(submitted.stdout).toBe(plain.stdout);
    expect(submitted.stderr.trim().split('\n')).toEqual([`tp7: report queued for the board at ${board.url}, sent in the background (\`tp7 submit --status\`)`]);
    expect(queued(workdir)).toHaveLength(1);
    const status = join(workdir, '.tp7', 'submit-status.json');
    await until('the sender to find the board down', () => existsSync(status) && readFileSync(status, 'utf8').includes('connection refused'));
    await board.start();
    await until('the report to reach the board', () => board.accepted.length === 1);
    const { report } = board.accepted[0]!;
    expect(report).toMatchObject({ schema: 'tp7-report/1', student: 'Ana', exercises: [expect.objectContaining({ id: 'ex1' })] });
    expect(report.integrity).toEqual({ engine: createHash('sha256').update(`${board.code}:${engineId}`).digest('hex') });
    await until('the outbox to empty and the sender to end', () => queued(workdir).length === 0 && senderPid(workdir) === undefined);
    const shown = JSON.parse((await ok(tp7(['submit', '--status', '--json'], { workdir }))).stdout);
    expect(shown).toMatchObject({ queued: [], lastSent: { url: board.url, student: 'Ana', sequence: 1 }, lastError: null, sender: { running: false } });
  });

  it('a board that never answers never holds the check; a sender killed mid-send leaves the report queued', async () => {
    board = await new StandInBoard().start();
    const workdir = await joinedWorkdir(board, 'Bea');
    board.troubles.push({ kind: 'hang' });
    // Requests may wait two minutes for an answer: a check that waited for the board would not end before then.
    const submitted = await tp7(['check', 'ex1', '--submit'], { workdir, env: { ...ENV, TP7_BOARD_TIMEOUT_MS: '120000' } });
    expect(submitted.exitCode).toBe(1);
    // The check is over while the board still holds the request carrying its report open: it never waited for it.
    await until('the sender to send', () => board.hangingCount === 1);
    expect(board.accepted).toEqual([]);
    const pid = senderPid(workdir);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await until('the sender to die', () => {
      try {
        process.kill(pid!, 0);
        return false;
      } catch {
        return true;
      }
    });
    expect(queued(workdir)).toHaveLength(1);
    await until('the killed sender’s connection to close with it', () => board.hangingCount === 0);
    // `tp7 submit` starts a sender again (the dead one's lock is taken over) and the report goes.
    const again = await ok(tp7(['submit'], { workdir, env: ENV }));
    expect(again.stdout).toContain('Sending again in the background.');
    await until('the report to reach the board', () => board.accepted.length === 1);
    await until('the outbox to empty', () => queued(workdir).length === 0);
  });

  it('waits as a 429 says, and a check of one exercise keeps the others on the board', async () => {
    board = await new StandInBoard().start();
    const workdir = await joinedWorkdir(board, 'Chloé');
    await tp7(['check', 'ex2', '--submit'], { workdir, env: ENV });
    await until('the first report', () => board.accepted.length === 1);
    board.troubles.push({ kind: 'rate-limit', retryAfterS: 1 });
    await tp7(['check', 'ex1', '--submit'], { workdir, env: ENV });
    await until('the second report after the wait asked', () => board.accepted.length === 2);
    expect(board.requests.filter((request) => request === 'POST /api/submit')).toHaveLength(3);
    const last = board.accepted[1]!.report as { exercises: Array<{ id: string }>; student: string };
    expect(last.student).toBe('Chloé');
    expect(last.exercises.map((exercise) => exercise.id)).toEqual(['ex1', 'ex2']);
  });

  it('watch --submit sends the first round and each round whose result changed', async () => {
    board = await new StandInBoard().start();
    const workdir = await joinedWorkdir(board, 'Dan');
    const watch = execa('node', [TP7_BIN, 'watch', 'ex1', '--submit', '--workdir', workdir], { env: { TP7_LANG: 'en', NO_COLOR: '1', TP7_WATCH_POLL_MS: '600000', ...ENV }, reject: false });
    try {
      await until('the first round on the board', () => board.accepted.length === 1);
      const passed = (index: number) => (board.accepted[index]!.report as { score: { earned: number } }).score.earned;
      expect(passed(0)).toBe(0);
      await ok(docker('pull', 'nginx:alpine'));
      await until('the changed round on the board', () => board.accepted.length === 2);
      expect(passed(1)).toBeGreaterThan(0);
    } finally {
      watch.kill('SIGINT');
      await watch;
    }
  });
});

// In a real terminal (tmux), `--submit` before joining offers to join, asks name and code, then checks and sends.
describe('tp7 check --submit in a terminal, not joined yet', () => {
  const SESSION = `tp7-submit-${process.pid}`;
  const tmux = (...args: string[]) => execa('tmux', args).then((run) => run.stdout);
  const screen = () => tmux('capture-pane', '-p', '-S', '-100', '-t', SESSION);
  async function waitFor(text: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await screen()).includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; screen:\n${await screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  let board: StandInBoard;
  afterAll(async () => {
    await tmux('kill-session', '-t', SESSION).catch(() => undefined);
    await board?.stop();
  });

  it('offers to join, asks again for a refused code, then queues the report', async () => {
    board = await new StandInBoard().start();
    const workdir = newWorkdir();
    workdirs.push(workdir);
    const env = `TP7_LANG=en NO_COLOR=1 DOCKER_HOST=${process.env.DOCKER_HOST} TP7_SUBMIT_BACKOFF_MS=200`;
    await tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', `cd ${workdir} && ${env} node ${TP7_BIN} check ex1 --submit ${board.url}; echo "EXITED $?"; sleep 30`);
    await waitFor('Join the board at');
    await tmux('send-keys', '-t', SESSION, 'y', 'Enter');
    await waitFor('Your name');
    await tmux('send-keys', '-t', SESSION, '-l', 'Eve');
    await tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('The class code');
    await tmux('send-keys', '-t', SESSION, '-l', 'WRO-NG1');
    await tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('the board refused the class code');
    await tmux('send-keys', '-t', SESSION, '-l', 'k7pq2m');
    await tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('EXITED 1');
    expect(await screen()).toContain(`report queued for the board at ${board.url}`);
    await until('the report to reach the board', () => board.accepted.length === 1);
    expect(board.accepted[0]!.student).toBe('Eve');
  });
});
