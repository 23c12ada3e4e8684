import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ownerId, ownerOf } from '../../src/engine/probe-owner.js';
import { describe, expect, it } from 'vitest';
import { fillOptionalValues } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { boardOrigin, classCode, readJoinedBoard, writeJoinedBoard } from '../../src/submit/board-file.js';
import { engineHash } from '../../src/submit/engine-hash.js';
import { lockFile, lockHolder, releaseLock, takeLock } from '../../src/submit/lock.js';
import { enqueue, listQueued, outboxDir, removeQueued } from '../../src/submit/outbox.js';
import { completeReport } from '../../src/report/merge.js';
import type { Report } from '../../src/report/json.js';
import type { ExerciseResult } from '../../src/runner/types.js';
import { FakeEngine } from './fake-engine.js';
import { tempDir } from '../tmp.js';

const BOARD = 'http://127.0.0.1:7070';

function item(generatedAt: string, url = BOARD, student = 'Ana') {
  return { url, student, generatedAt, report: { schema: 'tp7-report/1', student, generatedAt } };
}

describe('the outbox', () => {
  it('queues each report as its own private file, listed oldest first', () => {
    const workdir = tempDir();
    const first = enqueue(workdir, item('2026-12-06T10:00:00.000Z', 'http://a:1'), new Date(1_000));
    const second = enqueue(workdir, item('2026-12-06T09:00:00.000Z', 'http://b:1'), new Date(2_000));
    expect(listQueued(workdir).map((entry) => entry.file)).toEqual([first.file, second.file]);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    // No temporary file is left beside them (written whole, then renamed).
    expect(readdirSync(outboxDir(workdir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a newer report for the same board and student supersedes the queued ones', () => {
    const workdir = tempDir();
    enqueue(workdir, item('2026-12-06T10:00:00.000Z'));
    enqueue(workdir, item('2026-12-06T10:01:00.000Z', 'http://other:7070'));
    enqueue(workdir, item('2026-12-06T10:00:00.000Z', BOARD, 'Bob'));
    const newest = enqueue(workdir, item('2026-12-06T10:05:00.000Z'));
    expect(newest.superseded).toBe(1);
    const left = listQueued(workdir).map(({ item }) => `${item.url} ${item.student} ${item.generatedAt}`);
    expect(left.sort()).toEqual([`${BOARD} Ana 2026-12-06T10:05:00.000Z`, `${BOARD} Bob 2026-12-06T10:00:00.000Z`, 'http://other:7070 Ana 2026-12-06T10:01:00.000Z']);
  });

  it('a report older than one already queued is the one superseded (two tp7 at once)', () => {
    const workdir = tempDir();
    enqueue(workdir, item('2026-12-06T10:05:00.000Z'));
    const late = enqueue(workdir, item('2026-12-06T10:00:00.000Z'));
    expect(late.superseded).toBe(1);
    expect(listQueued(workdir).map(({ item }) => item.generatedAt)).toEqual(['2026-12-06T10:05:00.000Z']);
  });

  it('sets a damaged file aside instead of deleting it, and removing twice is harmless', () => {
    const workdir = tempDir();
    const { file } = enqueue(workdir, item('2026-12-06T10:00:00.000Z'));
    const broken = join(outboxDir(workdir), '000000000000001-1-0.json');
    writeFileSync(broken, '{"half":');
    expect(listQueued(workdir).map((entry) => entry.file)).toEqual([file]);
    expect(readdirSync(join(outboxDir(workdir), 'refused'))).toEqual(['000000000000001-1-0.unreadable.json']);
    removeQueued(file);
    removeQueued(file);
    expect(listQueued(workdir)).toEqual([]);
  });
});

describe('the sender lock', () => {
  it('lets one sender run per workdir and takes over a dead one', () => {
    const dir = tempDir();
    expect(takeLock(dir, 60_000)).toBe(true);
    expect(lockHolder(dir, 60_000)).toBe(process.pid);
    expect(takeLock(dir, 60_000)).toBe(false);
    releaseLock(dir);
    expect(lockHolder(dir, 60_000)).toBeUndefined();
    // A process that is gone: the lock is free to take.
    writeFileSync(lockFile(dir), `${hostname()}/${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/2147483646/1\n`);
    expect(lockHolder(dir, 60_000)).toBeUndefined();
    expect(takeLock(dir, 60_000)).toBe(true);
    expect(readFileSync(lockFile(dir), 'utf8').trim()).toBe(ownerId());
  });

  it('never releases another sender’s lock, and a lock older than any sender is no lock', () => {
    const dir = tempDir();
    const init = ownerOf(1)!;
    writeFileSync(lockFile(dir), `${init}\n`);
    releaseLock(dir);
    expect(readFileSync(lockFile(dir), 'utf8')).toBe(`${init}\n`);
    expect(lockHolder(dir, 60_000)).toBe(1);
    expect(lockHolder(dir, -1)).toBeUndefined();
    // pid 1 with another start time: the pid was reused, the holder is gone.
    writeFileSync(lockFile(dir), `${init.replace(/\/\d+$/, '/999999999')}\n`);
    expect(lockHolder(dir, 60_000)).toBeUndefined();
  });
});

describe('the engine mark', () => {
  it('is the hex sha256 of CODE:ID', () => {
    // printf 'K7P-Q2M:7TRN:…:XONH' | sha256sum
    expect(engineHash('K7P-Q2M', '7TRN:IPZB:QYBB:VPBQ:UWYJ:KHAF:ZEJK:XMXT:4NL5:4BTE:ZKKN:XONH')).toBe('b05a50cc2bbef283544d67cfa340f043b86feb34851bd68b7d566e5c04ad63fb');
  });

  it('is the same for one engine and one class, different for another engine or class', async () => {
    const one = new FakeEngine();
    const other = new FakeEngine();
    const mark = engineHash('K7P-Q2M', await one.engineId());
    expect(engineHash('K7P-Q2M', await one.engineId())).toBe(mark);
    expect(engineHash('K7P-Q2M', await other.engineId())).not.toBe(mark);
    expect(engineHash('ABC-DEF', await one.engineId())).not.toBe(mark);
    expect(mark).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the joined board', () => {
  it('reads every usual spelling of the board address as its origin', () => {
    for (const typed of ['192.168.1.20:7070', 'http://192.168.1.20:7070', 'http://192.168.1.20:7070/', ' 192.168.1.20:7070/board ', 'HTTP://192.168.1.20:7070/board?key=x']) {
      expect(boardOrigin(typed), typed).toBe('http://192.168.1.20:7070');
    }
    expect(boardOrigin('https://board.example')).toBe('https://board.example');
    expect(() => boardOrigin('ftp://host:21')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => boardOrigin('http://')).toThrow(/expected e.g. http/);
  });

  it('reads every usual spelling of the class code in the board’s form', () => {
    for (const typed of ['K7P-Q2M', 'k7p-q2m', 'k7pq2m', ' K7P Q2M ']) expect(classCode(typed), typed).toBe('K7P-Q2M');
    expect(classCode('longer-code')).toBe('LONGER-CODE');
  });

  it('is private to the student (0600) and read back as written', () => {
    const workdir = tempDir();
    const board = { url: BOARD, name: 'Ana', code: 'K7P-Q2M', token: 'secret', joinedAt: '2026-12-06T10:00:00.000Z' };
    writeJoinedBoard(workdir, board);
    expect(statSync(join(workdir, '.tp7', 'board.json')).mode & 0o777).toBe(0o600);
    expect(readJoinedBoard(workdir)).toEqual(board);
    writeFileSync(join(workdir, '.tp7', 'board.json'), '{');
    expect(readJoinedBoard(workdir)).toBeUndefined();
  });
});

describe('a report of some exercises, completed for the board', () => {
  const exercise = (id: string, earned: number): ExerciseResult => ({
    id,
    title: id,
    earned,
    possible: 2,
    checks: [{ id: 'c', title: 'c', kind: 'image-exists', status: earned === 2 ? 'pass' : 'fail', points: 2, earned, expected: '', actual: '', message: '', durationMs: 1 }],
  });
  const report = (student: string, exercises: ExerciseResult[]): Report => ({
    schema: 'tp7-report/1', lab: 'tp7', student, generatedAt: new Date().toISOString(), engine: { host: 'x', version: '1', apiVersion: '1' },
    exercises, checklist: [], score: { earned: 0, possible: 0, percent: 0, skipped: 0 }, strict: false, environment: {},
  });
  const skills = [{ id: 'tags', label: { fr: 'Tags', en: 'Tags' }, exercises: ['ex1', 'ex2'] }];

  it('keeps the other exercises of the previous report, the new results winning, scores computed again', () => {
    const merged = completeReport(report('Ana', [exercise('ex1', 2), exercise('ex2', 0), exercise('gone', 2)]), report('Ana', [exercise('ex2', 2)]), ['ex1', 'ex2', 'ex3'], skills as never, 'en');
    expect(merged.exercises.map((e) => [e.id, e.earned])).toEqual([['ex1', 2], ['ex2', 2]]);
    expect(merged.score).toMatchObject({ earned: 4, possible: 4, percent: 100 });
    expect(merged.checklist[0]).toMatchObject({ id: 'tags', status: 'pass', earned: 4, possible: 4 });
  });

  it('ignores a previous report of another student', () => {
    const next = report('Ana', [exercise('ex2', 2)]);
    expect(completeReport(report('Bob', [exercise('ex1', 2)]), next, ['ex1', 'ex2'], skills as never, 'en')).toBe(next);
  });
});

describe('--submit [URL] on the command line', () => {
  const options = Object.assign({}, ...COMMANDS.map((command) => command.options ?? {}));
  it('takes a URL or HOST:PORT after it as its value, and nothing else', () => {
    expect(fillOptionalValues(['check', '--submit'], options)).toEqual(['check', '--submit=']);
    expect(fillOptionalValues(['check', '--submit', 'ex1'], options)).toEqual(['check', '--submit=', 'ex1']);
    expect(fillOptionalValues(['check', '--submit', 'http://h:7070', 'ex1'], options)).toEqual(['check', '--submit=http://h:7070', 'ex1']);
    expect(fillOptionalValues(['check', '--submit', '10.0.0.5:7070'], options)).toEqual(['check', '--submit=10.0.0.5:7070']);
    expect(fillOptionalValues(['check', '--submit=http://h:1'], options)).toEqual(['check', '--submit=http://h:1']);
    expect(fillOptionalValues(['answer', 'ex1', 'q', '--', '--submit'], options)).toEqual(['answer', 'ex1', 'q', '--', '--submit']);
  });
});
