import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRetryAfter, submitReport, type SubmitOutcome } from '../../src/submit/board-client.js';
import { writeJoinedBoard } from '../../src/submit/board-file.js';
import { enqueue, listQueued, outboxDir } from '../../src/submit/outbox.js';
import { backoffDelay, decide, DEFAULT_POLICY } from '../../src/submit/retry.js';
import { drainOutbox, type DrainOptions } from '../../src/submit/sender.js';
import { readStatus } from '../../src/submit/status.js';
import { StandInBoard } from '../stand-in-board.js';
import { tempDir } from '../tmp.js';

const policy = { baseMs: 1_000, capMs: 60_000, maxRetryAfterMs: 300_000, maxServerErrors: 3 };
const refused = (status: number, error: string, retryAfterMs?: number): SubmitOutcome => ({ kind: 'refused', status, error, problems: [], ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('retry policy (pure)', () => {
  it('doubles the wait from the base up to the cap, with jitter between half and all of it', () => {
    const low = () => 0;
    const high = () => 1;
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, policy, high))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, policy, low))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(backoffDelay(20, policy, high)).toBe(60_000);
    expect(backoffDelay(10_000, policy, high)).toBe(60_000);
  });

  it('decides from every answer of the board', () => {
    const random = () => 1;
    expect(decide({ kind: 'accepted', sequence: 3, receivedAt: 'x' }, 4, policy, random)).toEqual({ action: 'sent' });
    expect(decide(refused(409, 'stale'), 0, policy, random)).toEqual({ action: 'drop' });
    expect(decide(refused(409, 'name-taken'), 0, policy, random)).toEqual({ action: 'hold' });
    for (const [status, error] of [[401, 'bad-token'], [401, 'no-token'], [403, 'wrong-student']] as const) {
      expect(decide(refused(status, error), 0, policy, random), error).toEqual({ action: 'hold' });
    }
    expect(decide(refused(400, 'invalid'), 0, policy, random)).toEqual({ action: 'set-aside' });
    expect(decide(refused(413, 'too-large'), 0, policy, random)).toEqual({ action: 'set-aside' });
    expect(decide(refused(503, 'busy'), 2, policy, random)).toEqual({ action: 'retry', delayMs: 4_000 });
    expect(decide({ kind: 'unreachable', reason: 'refused', detail: 'ECONNREFUSED' }, 1, policy, random)).toEqual({ action: 'retry', delayMs: 2_000 });
    expect(decide({ kind: 'not-a-board', status: 502 }, 0, policy, random)).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide({ kind: 'not-a-board', status: 404 }, 0, policy, random)).toEqual({ action: 'hold' });
  });

  it('gives up on a report the board keeps failing on (500) after maxServerErrors answers; a gateway 502-504 is a board away', () => {
    const random = () => 1;
    expect(decide(refused(500, 'internal'), 0, policy, random, 0)).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide(refused(500, 'internal'), 1, policy, random, 1)).toEqual({ action: 'retry', delayMs: 2_000 });
    expect(decide(refused(500, 'internal'), 2, policy, random, 2)).toEqual({ action: 'set-aside' });
    expect(decide({ kind: 'not-a-board', status: 500 }, 2, policy, random, 2)).toEqual({ action: 'set-aside' });
    expect(decide({ kind: 'not-a-board', status: 507 }, 2, policy, random, 2)).toEqual({ action: 'set-aside' });
    for (const status of [502, 503, 504]) {
      expect(decide({ kind: 'not-a-board', status }, 1, policy, random, 9), String(status)).toEqual({ action: 'retry', delayMs: 2_000 });
      expect(decide(refused(status, 'unavailable'), 1, policy, random, 9), String(status)).toEqual({ action: 'retry', delayMs: 2_000 });
    }
    expect(DEFAULT_POLICY.maxServerErrors).toBeGreaterThan(1);
  });

  it('waits as long as a 429 Retry-After says, bounded, never less than the first backoff step', () => {
    expect(decide(refused(429, 'rate-limited', 7_000), 5, policy)).toEqual({ action: 'retry', delayMs: 7_000 });
    expect(decide(refused(429, 'rate-limited', 3_600_000), 0, policy)).toEqual({ action: 'retry', delayMs: 300_000 });
    expect(decide(refused(429, 'rate-limited', 0), 0, policy)).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide(refused(429, 'rate-limited'), 1, policy, () => 1)).toEqual({ action: 'retry', delayMs: 2_000 });
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

// The sender's loop in this process against a real HTTP board on 127.0.0.1 (the stand-in answers as BOARD-API.md
// says); only the waits are recorded instead of slept, so a Retry-After of minutes costs the test nothing.
describe('the background sender against a board', { timeout: 20_000 }, () => {
  let board: StandInBoard;
  afterEach(() => board?.stop());

  async function joined(name = 'Ana'): Promise<string> {
    const workdir = tempDir();
    const answer = await fetch(`${board.url}/api/join`, { method: 'POST', body: JSON.stringify({ name, code: board.code }) });
    const { token, student } = (await answer.json()) as { token: string; student: string };
    writeJoinedBoard(workdir, { url: board.url, name: student, code: board.code, token, joinedAt: new Date().toISOString() });
    return workdir;
  }

  function queue(workdir: string, generatedAt: string, student = 'Ana'): string {
    return enqueue(workdir, { url: board.url, student, generatedAt, report: { schema: 'tp7-report/1', student, generatedAt } }).file;
  }

  function options(waits: number[], lifetimeMs = 60_000): DrainOptions {
    return { lifetimeMs, policy: DEFAULT_POLICY, requestTimeoutMs: 2_000, random: () => 1, sleep: async (ms) => void waits.push(ms) };
  }

  it('sends the queue oldest first, empties it and records the last sent', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    queue(workdir, '2026-12-06T10:00:00.000Z');
    const result = await drainOutbox(workdir, options([]));
    expect(result).toMatchObject({ why: 'empty', sent: 1 });
    expect(listQueued(workdir)).toEqual([]);
    expect(board.accepted.map((entry) => entry.generatedAt)).toEqual(['2026-12-06T10:00:00.000Z']);
    expect(readStatus(workdir).lastSent).toMatchObject({ url: board.url, student: 'Ana', sequence: 1, generatedAt: '2026-12-06T10:00:00.000Z' });
  });

  it('waits as the 429 said, keeps the report, then sends it', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    queue(workdir, '2026-12-06T10:00:00.000Z');
    board.troubles.push({ kind: 'rate-limit', retryAfterS: 7 });
    const waits: number[] = [];
    expect(await drainOutbox(workdir, options(waits))).toMatchObject({ why: 'empty', sent: 1 });
    expect(waits).toEqual([7_000]);
    expect(board.accepted).toHaveLength(1);
  });

  it('backs off while the board is down, leaves the report queued when time is up, sends it once back', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    await board.stop();
    queue(workdir, '2026-12-06T10:00:00.000Z');
    const waits: number[] = [];
    // Three tries fit in the time given: 1 s + 2 s, and the third wait (4 s) would pass it.
    const down = await drainOutbox(workdir, options(waits, 3_500));
    expect(down.why).toBe('time-up');
    expect(waits).toEqual([1_000, 2_000]);
    expect(listQueued(workdir)).toHaveLength(1);
    expect(readStatus(workdir).lastError).toMatchObject({ next: 'retry', what: { en: expect.stringContaining('connection refused') } });
    await board.start();
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 1 });
    expect(readStatus(workdir).lastError).toBeUndefined();
  }, 20_000);

  it('drops a report the board calls stale, and goes on with the next', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    queue(workdir, '2026-12-06T10:05:00.000Z');
    await drainOutbox(workdir, options([]));
    // Queued from another board's point of view: the older report reaches the board after the newer one.
    queue(workdir, '2026-12-06T10:00:00.000Z');
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 0 });
    expect(listQueued(workdir)).toEqual([]);
    expect(board.accepted).toHaveLength(1);
    expect(readStatus(workdir).lastError).toMatchObject({ next: 'drop' });
  });

  it('keeps the report when the token is refused (name released) and says to join again', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    board.release('Ana');
    const file = queue(workdir, '2026-12-06T10:00:00.000Z');
    const result = await drainOutbox(workdir, options([]));
    expect(result.why).toBe('held');
    expect([...result.held]).toEqual([file]);
    expect(listQueued(workdir).map((entry) => entry.file)).toEqual([file]);
    expect(readStatus(workdir).lastError?.what.en).toContain(`tp7 join ${board.url}`);
  });

  it('keeps aside, not queued and not lost, a report the board refuses as invalid', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    enqueue(workdir, { url: board.url, student: 'Ana', generatedAt: '2026-12-06T10:00:00.000Z', report: { schema: 'other' } });
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 0 });
    expect(readdirSync(join(outboxDir(workdir), 'refused'))).toHaveLength(1);
    expect(readStatus(workdir).lastError?.what.en).toContain('schema: expected');
  });

  it('sets aside, kept, a report the board answers 500 to again and again, rather than retrying it forever', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    queue(workdir, '2026-12-06T10:00:00.000Z');
    for (let i = 0; i < 10; i++) board.troubles.push({ kind: 'error-500' });
    const waits: number[] = [];
    expect(await drainOutbox(workdir, options(waits))).toMatchObject({ why: 'empty', sent: 0 });
    expect(board.requests.filter((request) => request === 'POST /api/submit')).toHaveLength(DEFAULT_POLICY.maxServerErrors);
    expect(waits).toHaveLength(DEFAULT_POLICY.maxServerErrors - 1);
    expect(listQueued(workdir)).toEqual([]);
    expect(readdirSync(join(outboxDir(workdir), 'refused'))).toEqual([expect.stringMatching(/\.server-error\.json$/)]);
    expect(readStatus(workdir).lastError).toMatchObject({ next: 'aside', what: { en: expect.stringContaining(`failed ${DEFAULT_POLICY.maxServerErrors} times`) } });
    // The next report is tried afresh: the board may have been mended meanwhile.
    board.troubles.length = 0;
    queue(workdir, '2026-12-06T10:05:00.000Z');
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 1 });
  });

  it('sets aside, unsent, a report larger than a board takes (1 MiB), and never tries it again', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    enqueue(workdir, { url: board.url, student: 'Ana', generatedAt: '2026-12-06T10:00:00.000Z', report: { schema: 'tp7-report/1', student: 'Ana', generatedAt: '2026-12-06T10:00:00.000Z', padding: 'x'.repeat(1024 * 1024) } });
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 0 });
    expect(board.requests).toEqual(['POST /api/join']);
    expect(readdirSync(join(outboxDir(workdir), 'refused'))).toEqual([expect.stringMatching(/\.too-large\.json$/)]);
    expect(readStatus(workdir).lastError).toMatchObject({ next: 'aside', what: { en: expect.stringContaining('larger than a board takes (1 MiB)') } });
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'empty', sent: 0 });
    expect(board.requests).toEqual(['POST /api/join']);
  });

  it('reads a 413 without the board\'s body (a proxy\'s page) as too large: set aside, not held', async () => {
    const proxy = createServer((request, response) => {
      request.resume();
      response.writeHead(413, { 'content-type': 'text/html' }).end('<h1>413 Request Entity Too Large</h1>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await submitReport(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, 'token', '{"schema":"tp7-report/1"}', 2_000);
      expect(outcome).toEqual({ kind: 'refused', status: 413, error: 'too-large', problems: [] });
      expect(decide(outcome, 0, DEFAULT_POLICY)).toEqual({ action: 'set-aside' });
    } finally {
      proxy.close();
    }
  });

  it('holds a report queued for a board this folder no longer belongs to', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    enqueue(workdir, { url: 'http://127.0.0.1:9', student: 'Ana', generatedAt: '2026-12-06T10:00:00.000Z', report: {} });
    expect(await drainOutbox(workdir, options([]))).toMatchObject({ why: 'held' });
    expect(board.requests).toEqual(['POST /api/join']);
    expect(listQueued(workdir)).toHaveLength(1);
  });

  it('a crash mid-send keeps the report queued', async () => {
    board = await new StandInBoard().start();
    const workdir = await joined();
    queue(workdir, '2026-12-06T10:00:00.000Z');
    const crash = drainOutbox(workdir, { ...options([]), send: async () => Promise.reject(new Error('killed')) });
    await expect(crash).rejects.toThrow('killed');
    expect(listQueued(workdir)).toHaveLength(1);
  });
});
