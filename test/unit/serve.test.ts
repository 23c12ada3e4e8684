import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/context.js';
import { Tp7Error, UsageError } from '../../src/errors.js';
import { loadLab } from '../../src/lab/loader.js';
import { gradebook, renderCsv } from '../../src/report/gradebook.js';
import { buildReport, type Report } from '../../src/report/json.js';
import type { CheckResult, ExerciseResult } from '../../src/runner/types.js';
import { scoreSkills } from '../../src/runner/score.js';
import { buildServer, type ServeOptions } from '../../src/serve/app.js';
import { courseOutline } from '../../src/serve/outline.js';
import type { CourseOutline } from '../../src/serve/rows.js';
import { serveSettings } from '../../src/serve/settings.js';
import { ClassStore } from '../../src/serve/store.js';
import { nameKey } from '../../src/serve/names.js';
import { sameCode } from '../../src/serve/secrets.js';
import { tempDir } from '../tmp.js';

// tp7 serve's API (BOARD-API.md) through fastify's inject, and through a real socket on 127.0.0.1 for the event
// stream. Students are the attackers: each refusal is asked for the way a student would cause it.

let outline: CourseOutline;
let skills: Awaited<ReturnType<typeof loadLab>>['skills'];
beforeAll(async () => {
  const lab = await loadLab();
  outline = courseOutline(lab);
  skills = lab.skills;
});

const ENGINE = { version: '27.0', apiVersion: '1.47', os: 'linux', arch: 'amd64' };
const check = (id: string, status: CheckResult['status'], points = 1): CheckResult => ({
  id, title: `title of ${id}`, kind: 'image-exists', status, points, earned: status === 'pass' ? points : 0,
  expected: 'x', actual: 'y', message: `message of ${id}`, durationMs: 5,
});
const exercise = (id: string, checks: CheckResult[]): ExerciseResult => {
  const counted = checks.filter((c) => c.status !== 'skip');
  return { id, title: `Exercise ${id}`, checks, earned: counted.reduce((s, c) => s + c.earned, 0), possible: counted.reduce((s, c) => s + c.points, 0) };
};

/** A report as `tp7 check --json --submit` makes it: `passing` checks of ex1 pass, the rest fail. */
function reportOf(student: string, options: { passing?: number; at?: string; engine?: string } = {}): Report & { integrity?: { engine: string } } {
  const passing = options.passing ?? 1;
  const results = [exercise('ex1', [0, 1, 2].map((i) => check(`check-${i}`, i < passing ? 'pass' : 'fail')))];
  const report = buildReport('unix:///var/run/docker.sock', ENGINE, results, scoreSkills(skills, results, 'en'), student, { environment: {} });
  if (options.at) report.generatedAt = options.at;
  return options.engine ? { ...report, integrity: { engine: options.engine } } : report;
}

interface Harness {
  app: FastifyInstance;
  store: ClassStore;
  dir: string;
  key: string;
  code: string;
  logs: string[];
}

const open: Harness[] = [];
afterEach(async () => {
  for (const harness of open.splice(0)) {
    await harness.app.close();
    await harness.store.close();
  }
});

async function serve(dir = tempDir('serve-'), extra: Partial<ServeOptions> = {}): Promise<Harness> {
  const store = await ClassStore.open(dir);
  const logs: string[] = [];
  const app = await buildServer({ store, outline, log: (line) => logs.push(line.en), ...extra });
  const harness = { app, store, dir, key: store.secrets.key, code: store.secrets.code, logs };
  open.push(harness);
  return harness;
}

async function joinClass(h: Harness, name: string, code = h.code) {
  return h.app.inject({ method: 'POST', url: '/api/join', payload: { name, code } });
}
async function joined(h: Harness, name: string): Promise<string> {
  const response = await joinClass(h, name);
  expect(response.statusCode, response.body).toBe(201);
  return response.json().token as string;
}
async function submit(h: Harness, token: string | undefined, body: unknown) {
  return h.app.inject({ method: 'POST', url: '/api/submit', headers: token ? { authorization: `Bearer ${token}` } : {}, payload: body as object });
}
async function asInstructor(h: Harness, url: string, method: 'GET' | 'POST' = 'GET') {
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${h.key}` } });
}

describe('tp7 serve: joining', () => {
  it('health answers the schema the student side checks', async () => {
    const h = await serve();
    const response = await h.app.inject('/api/health');
    expect(response.json()).toEqual({ ok: true, schema: 'tp7-board/1' });
  });

  it('gives a token for the right code, typed any usual way', async () => {
    const h = await serve();
    expect(h.code).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    const response = await joinClass(h, 'Alice', h.code.toLowerCase().replace('-', ' '));
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ student: 'Alice', token: expect.stringMatching(/^[\w-]{43}$/) });
    expect(sameCode('K7P-Q2M', 'K7PQ2M')).toBe(true);
  });

  it('refuses a wrong code (403 bad-code) with a message in both languages', async () => {
    const h = await serve();
    const response = await joinClass(h, 'Alice', 'AAA-AAA');
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: 'bad-code', message: { fr: expect.stringContaining('code'), en: expect.stringContaining('code') } });
  });

  it('refuses a name already joined, by Unicode NFC and case (409 name-taken)', async () => {
    const h = await serve();
    await joined(h, 'Éloïse');
    for (const same of ['éloïse', 'E\u0301loi\u0308se', 'ÉLOÏSE', ' Éloïse ']) {
      const response = await joinClass(h, same);
      expect(response.statusCode, same).toBe(409);
      expect(response.json().error).toBe('name-taken');
    }
    expect(nameKey('Straße')).toBe(nameKey('STRASSE'));
  });

  it('refuses a name with control characters, an empty or a too long one, every problem as path: message', async () => {
    const h = await serve();
    for (const name of ['', '   ', 'a'.repeat(65), 'evil\u001b[2J', 'bidi\u202eevil']) {
      const response = await joinClass(h, name);
      expect(response.statusCode, name).toBe(400);
      expect(response.json()).toMatchObject({ error: 'invalid', problems: [expect.stringMatching(/^name: /)] });
    }
    const missing = await h.app.inject({ method: 'POST', url: '/api/join', payload: { extra: 1 } });
    expect(missing.json().problems).toEqual(expect.arrayContaining([expect.stringMatching(/^name: /), expect.stringMatching(/^code: /), expect.stringMatching(/^\(top level\): /)]));
    const notJson = await h.app.inject({ method: 'POST', url: '/api/join', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toBe('invalid');
  });
});

describe('tp7 serve: submitting', () => {
  it('accepts a joined student\'s report (202 with a sequence) and keeps it where tp7 class reads it', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const first = await submit(h, token, reportOf('Alice'));
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ accepted: true, sequence: 1, receivedAt: expect.any(String) });
    expect((await submit(h, token, reportOf('alice', { passing: 2 }))).json().sequence).toBe(2);
    const files = readdirSync(join(h.dir, 'reports'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.json$/);
    const stored = JSON.parse(readFileSync(join(h.dir, 'reports', files[0]!), 'utf8'));
    expect(stored).toMatchObject({ student: 'Alice', score: { earned: 2 } });
    const history = readFileSync(join(h.dir, 'history.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(history.map((line) => [line.sequence, line.student, line.percent])).toEqual([[1, 'Alice', 33.3], [2, 'Alice', 66.7]]);
  });

  it('refuses without a token (401 no-token), with an unknown one (401 bad-token), and the token of another name (403 wrong-student)', async () => {
    const h = await serve();
    const alice = await joined(h, 'Alice');
    await joined(h, 'Bob');
    expect((await submit(h, undefined, reportOf('Alice'))).json()).toMatchObject({ error: 'no-token' });
    const bad = await submit(h, 'x'.repeat(43), reportOf('Alice'));
    expect([bad.statusCode, bad.json().error]).toEqual([401, 'bad-token']);
    const wrong = await submit(h, alice, reportOf('Bob'));
    expect([wrong.statusCode, wrong.json().error]).toEqual([403, 'wrong-student']);
    expect(readdirSync(join(h.dir, 'reports'))).toEqual([]);
  });

  it('refuses what is not a tp7-report/1, naming every problem as path: message', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const report = reportOf('Alice') as unknown as Record<string, any>;
    const broken = { ...report, generatedAt: 'yesterday', score: { ...report.score, percent: 'all' }, exercises: [{ ...report.exercises[0], checks: [{ id: 'x', status: 'green' }] }] };
    const response = await submit(h, token, broken);
    expect(response.statusCode).toBe(400);
    const problems: string[] = response.json().problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^generatedAt: /),
      expect.stringMatching(/^score\.percent: /),
      expect.stringMatching(/^exercises\[0\]\.checks\[0\]\.status: /),
      expect.stringMatching(/^exercises\[0\]\.checks\[0\]\.title: /),
    ]));
    expect((await submit(h, token, { schema: 'tp7-report/2' })).json().problems).toContain('schema: Invalid input: expected "tp7-report/1"');
    expect((await submit(h, token, [])).statusCode).toBe(400);
    const poisoned = await h.app.inject({ method: 'POST', url: '/api/submit', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"__proto__": {"admin": true}}' });
    expect([poisoned.statusCode, poisoned.json().error]).toEqual([400, 'invalid']);
    const text = await h.app.inject({ method: 'POST', url: '/api/submit', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, payload: 'hello' });
    expect([text.statusCode, text.json().error, text.json().problems[0]]).toEqual([400, 'invalid', expect.stringMatching(/^\(top level\): /)]);
  });

  it('refuses a body over 1 MiB (413 too-large), and reads no body at all without a valid token', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const huge = { ...reportOf('Alice'), padding: 'x'.repeat(1024 * 1024) };
    const response = await submit(h, token, huge);
    expect([response.statusCode, response.json().error]).toEqual([413, 'too-large']);
    expect((await submit(h, 'stranger', huge)).json().error).toBe('bad-token');
    expect((await h.app.inject({ method: 'POST', url: '/api/join', payload: { name: 'a', code: 'x'.repeat(5000) } })).json().error).toBe('too-large');
  });

  it('rate-limits each token on its own (429 rate-limited with Retry-After)', async () => {
    const h = await serve(undefined, { submitsPerMinute: 3 });
    const alice = await joined(h, 'Alice');
    const bob = await joined(h, 'Bob');
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await submit(h, alice, reportOf('Alice'))).statusCode);
    expect(codes).toEqual([202, 202, 202, 429]);
    const limited = await submit(h, alice, reportOf('Alice'));
    expect(limited.json()).toMatchObject({ error: 'rate-limited', message: { fr: expect.any(String), en: expect.any(String) } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await submit(h, bob, reportOf('Bob'))).statusCode).toBe(202);
  });

  it('refuses a report older than the last accepted one (409 stale) and flags it on the board', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    expect((await submit(h, token, reportOf('Alice', { at: '2020-01-01T10:00:00.000Z' }))).statusCode).toBe(202);
    const stale = await submit(h, token, reportOf('Alice', { at: '2020-01-01T10:59:00.000+01:00' }));
    expect([stale.statusCode, stale.json().error]).toEqual([409, 'stale']);
    const row = (await asInstructor(h, '/api/students/alice')).json().row;
    expect(row.flags).toEqual([{ kind: 'stale', detail: expect.objectContaining({ en: expect.stringContaining('older than') }) }]);
    expect(row.submissions).toBe(1);
    expect((await submit(h, token, reportOf('Alice', { at: '2020-01-01T10:00:00.000Z' }))).statusCode).toBe(202);
  });

  it('does not lock out a student whose clock ran ahead and was then set right', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect((await submit(h, token, reportOf('Alice', { at: inAnHour }))).statusCode).toBe(202);
    expect((await submit(h, token, reportOf('Alice', { at: new Date().toISOString() }))).statusCode).toBe(202);
    expect((await submit(h, token, reportOf('Alice', { at: '2026-01-01T00:00:00.000Z' }))).json().error).toBe('stale');
  });
});

describe('tp7 serve: storage', () => {
  it('never turns a name into a path, never stores a token, keeps class.json private', async () => {
    const h = await serve();
    const names = ['../../class', '/etc/passwd', 'a/../../b', 'CON', '.hidden'];
    const tokens = await Promise.all(names.map((name) => joined(h, name)));
    for (const [i, name] of names.entries()) expect((await submit(h, tokens[i], reportOf(name))).statusCode).toBe(202);
    expect(readdirSync(h.dir).sort()).toEqual(['class.json', 'history.jsonl', 'reports', 'tokens.json']);
    expect(readdirSync(join(h.dir, 'reports')).every((file) => /^[0-9a-f]{32}\.json$/.test(file))).toBe(true);
    const tokenFile = readFileSync(join(h.dir, 'tokens.json'), 'utf8');
    for (const token of tokens) expect(tokenFile).not.toContain(token);
    expect(statSync(join(h.dir, 'class.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(h.dir, 'tokens.json')).mode & 0o777).toBe(0o600);
  });

  it('loses nothing on a restart: code, key, tokens, reports, counts and the sequence', async () => {
    const dir = tempDir('restart-');
    const first = await serve(dir);
    const token = await joined(first, 'Alice');
    await submit(first, token, reportOf('Alice'));
    await submit(first, token, reportOf('Alice', { passing: 3 }));
    await first.app.close();
    await first.store.close();
    open.splice(open.indexOf(first), 1);
    const second = await serve(dir);
    expect([second.code, second.key]).toEqual([first.code, first.key]);
    const board = (await asInstructor(second, '/api/board')).json();
    expect(board.students).toEqual([expect.objectContaining({ name: 'Alice', percent: 100, submissions: 2 })]);
    expect((await joinClass(second, 'alice')).statusCode).toBe(409);
    const again = await submit(second, token, reportOf('Alice'));
    expect([again.statusCode, again.json().sequence]).toEqual([202, 3]);
  });

  it('reads a history whose last line a crash cut short, and starts the next line on its own', async () => {
    const dir = tempDir('cut-');
    const first = await serve(dir);
    const token = await joined(first, 'Alice');
    await submit(first, token, reportOf('Alice'));
    await first.app.close();
    await first.store.close();
    open.splice(open.indexOf(first), 1);
    writeFileSync(join(dir, 'history.jsonl'), `${readFileSync(join(dir, 'history.jsonl'), 'utf8')}{"sequence":2,"rece`);
    const second = await serve(dir);
    expect((await submit(second, token, reportOf('Alice'))).json().sequence).toBe(2);
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(lines[2]!)).toMatchObject({ sequence: 2, student: 'Alice' });
  });

  it('stops at a damaged class.json rather than making a new class over it', async () => {
    const dir = tempDir('broken-');
    writeFileSync(join(dir, 'class.json'), '{"code":');
    await expect(ClassStore.open(dir)).rejects.toThrow(Tp7Error);
    expect(readFileSync(join(dir, 'class.json'), 'utf8')).toBe('{"code":');
    await expect(ClassStore.open(join(dir, 'class.json'))).rejects.toThrow(/cannot make the class folder .*class\.json \(ENOTDIR\): choose another with --data/);
  });
});

describe('tp7 serve: the instructor', () => {
  it('asks for the key: 401 without it, a cookie from /board?key=KEY then a 303 to /board', async () => {
    const h = await serve();
    expect((await h.app.inject('/api/board')).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/board', headers: { authorization: 'Bearer wrong' } })).json().error).toBe('unauthorized');
    expect((await h.app.inject(`/board?key=wrong`)).statusCode).toBe(401);
    const visit = await h.app.inject(`/board?key=${h.key}`);
    expect(visit.statusCode).toBe(303);
    expect(visit.headers.location).toBe('/board');
    expect(visit.headers['set-cookie']).toBe(`tp7_board=${h.key}; HttpOnly; SameSite=Strict; Path=/`);
    const withCookie = await h.app.inject({ url: '/api/board', headers: { cookie: `other=1; tp7_board=${h.key}` } });
    expect(withCookie.statusCode).toBe(200);
  });

  it('serves the board page with a strict CSP and nosniff, and nothing outside board/', async () => {
    const boardDir = tempDir('board-');
    writeFileSync(join(boardDir, 'index.html'), '<!doctype html><title>b</title>');
    writeFileSync(join(boardDir, 'app.js'), 'export {};');
    writeFileSync(join(boardDir, 'board.css'), 'body{}');
    const h = await serve(undefined, { boardDir });
    const page = await h.app.inject('/board');
    expect([page.statusCode, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await h.app.inject('/board/app.js')).headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect((await h.app.inject('/board/board.css')).headers['content-type']).toMatch(/^text\/css/);
    for (const url of ['/board/../class.json', '/board/%2e%2e/class.json', '/board/..%2fclass.json', '/class.json']) {
      const response = await h.app.inject(url);
      expect([400, 404], url).toContain(response.statusCode);
      expect(response.body).not.toContain(h.key);
    }
  });

  it('shows each student with their grid, skills and submissions; a student detail; 404 for an unknown one', async () => {
    const h = await serve();
    const token = await joined(h, 'Élodie');
    await joined(h, 'Bob');
    await submit(h, token, reportOf('Élodie', { passing: 3 }));
    const board = (await asInstructor(h, '/api/board')).json();
    expect(board).toMatchObject({ schema: 'tp7-board/1', class: { code: h.code }, exercises: outline.exercises, skills: outline.skills.map((s) => s.id) });
    expect(board.students.map((row: { name: string }) => row.name)).toEqual(['Bob', 'Élodie']);
    const elodie = board.students[1];
    expect(elodie).toMatchObject({ percent: 100, earned: 3, possible: 3, submissions: 1, flags: [] });
    expect(elodie.exercises.ex1).toEqual({ earned: 3, possible: 3, status: 'pass' });
    expect(elodie.exercises.ex2).toEqual({ earned: 0, possible: 0, status: 'none' });
    expect(elodie.skills.tags).toBe('pass');
    const detail = await asInstructor(h, `/api/students/${encodeURIComponent('E\u0301LODIE')}`);
    expect(detail.json()).toMatchObject({ row: { name: 'Élodie' }, report: { student: 'Élodie', score: { percent: 100 } } });
    expect((await asInstructor(h, '/api/students/nobody')).statusCode).toBe(404);
  });

  it('lists where the room is stuck: the checks failing for the most students', async () => {
    const h = await serve();
    for (const [name, passing] of [['A', 0], ['B', 1], ['C', 2]] as const) {
      await submit(h, await joined(h, name), reportOf(name, { passing }));
    }
    const { stuck } = (await asInstructor(h, '/api/board')).json();
    expect(stuck).toEqual([
      { exercise: 'ex1', check: 'check-2', failing: 3, of: 3 },
      { exercise: 'ex1', check: 'check-1', failing: 2, of: 3 },
      { exercise: 'ex1', check: 'check-0', failing: 1, of: 3 },
    ]);
  });

  it('releases a name: 204, its token stops working, the name may join again, its data stays', async () => {
    const h = await serve();
    const old = await joined(h, 'Alice');
    await submit(h, old, reportOf('Alice'));
    const released = await asInstructor(h, '/api/students/alice/release', 'POST');
    expect(released.statusCode).toBe(204);
    expect((await submit(h, old, reportOf('Alice'))).json().error).toBe('bad-token');
    expect((await asInstructor(h, '/api/students/Alice')).json()).toMatchObject({ row: { submissions: 1, released: true }, report: { student: 'Alice' } });
    const fresh = await joined(h, 'alice');
    expect((await submit(h, fresh, reportOf('alice'))).statusCode).toBe(202);
    expect((await h.app.inject({ method: 'POST', url: '/api/students/alice/release' })).statusCode).toBe(401);
  });
});

describe('tp7 serve: integrity flags', () => {
  it('flags two students on one engine, both of them', async () => {
    const h = await serve();
    const engine = 'a'.repeat(64);
    await submit(h, await joined(h, 'Alice'), reportOf('Alice', { engine }));
    await submit(h, await joined(h, 'Bob'), reportOf('Bob', { engine }));
    await submit(h, await joined(h, 'Carol'), reportOf('Carol', { engine: 'b'.repeat(64) }));
    const rows = (await asInstructor(h, '/api/board')).json().students;
    const kinds = Object.fromEntries(rows.map((row: { name: string; flags: Array<{ kind: string }> }) => [row.name, row.flags.map((flag) => flag.kind)]));
    expect(kinds).toEqual({ Alice: ['same-engine'], Bob: ['same-engine'], Carol: [] });
    expect(rows[0].flags[0].detail.en).toBe('same Docker engine as "Bob"');
  });

  it('flags a report that contradicts itself: a passed skill over a failed check, sums that do not add up', async () => {
    const h = await serve();
    const token = await joined(h, 'Mallory');
    const forged = reportOf('Mallory', { passing: 1 }) as unknown as Record<string, any>;
    forged.checklist = forged.checklist.map((skill: { id: string }) => (skill.id === 'tags' ? { ...skill, status: 'pass' } : skill));
    forged.score = { ...forged.score, earned: 3, percent: 100 };
    expect((await submit(h, token, forged)).statusCode).toBe(202);
    const [row] = (await asInstructor(h, '/api/board')).json().students;
    expect(row.flags).toHaveLength(1);
    expect(row.flags[0].kind).toBe('contradiction');
    expect(row.flags[0].detail.en).toContain('skill "tags" passed while ex1/check-1, ex1/check-2 failed');
    expect(row.flags[0].detail.en).toContain('total score 3/3 (100 %), but the exercises add up to 1/3');
    const honest = await joined(h, 'Honest');
    await submit(h, honest, reportOf('Honest', { passing: 2 }));
    expect((await asInstructor(h, '/api/students/honest')).json().row.flags).toEqual([]);
  });
});

describe('tp7 serve: exports', () => {
  const HOSTILE = ['=cmd|\' /C calc\'!A0', '<img src=x onerror=alert(1)>'];

  it('CSV is exactly what `tp7 class --csv` prints of DIR/reports; names are neutralised in CSV and JUnit', async () => {
    const h = await serve();
    for (const name of [...HOSTILE, 'Zoé']) await submit(h, await joined(h, name), reportOf(name));
    const csv = await asInstructor(h, '/api/export.csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="tp7-class\.csv"$/);
    const out: string[] = [];
    const context = { args: [join(h.dir, 'reports')], options: { csv: true }, lang: 'en', workdir: h.dir, registry: 'x', json: false, interactive: false, out: (t: string) => out.push(t), err: (t: string) => out.push(t) } as CommandContext;
    const { run } = await import('../../src/commands/class/index.js');
    expect(await run(context)).toBe(0);
    expect(csv.body).toBe(`${out.join('\n')}\n`);
    out.length = 0;
    expect(await run({ ...context, args: [h.dir] })).toBe(0);
    expect(csv.body).toBe(`${out.join('\n')}\n`);
    expect(csv.body).toContain("\n'=cmd|' /C calc'!A0,");
    const junit = (await asInstructor(h, '/api/export.junit.xml')).body;
    expect(junit).toContain('&#60;img src=x onerror=alert(1)&#62; · ex1 Exercise ex1');
    expect(junit).not.toContain('<img');
    const json = (await asInstructor(h, '/api/export.json')).json();
    const entries = json.map((row: { student: string }) => row.student);
    expect(entries).toEqual(gradebook(HOSTILE.concat('Zoé').map((name) => ({ student: name, report: reportOf(name) }))).map((row) => row.student));
    expect(renderCsv([])).toBe('student,percent,earned,possible,skipped,strict,checked_at\n');
  });

  it('CSV export takes a delimiter for a French spreadsheet (`;` or tab) and refuses any other', async () => {
    const h = await serve();
    for (const name of ['Lefèvre; Élodie', 'Bo']) await submit(h, await joined(h, name), reportOf(name));
    const entries = ['Lefèvre; Élodie', 'Bo'].map((name) => ({ student: name, report: reportOf(name) }));
    const semicolon = await asInstructor(h, '/api/export.csv?delimiter=%3B');
    expect(semicolon.statusCode).toBe(200);
    expect(semicolon.body.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')).toBe(renderCsv(gradebook(entries), [], ';').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T'));
    expect(semicolon.body).toContain('\n"Lefèvre; Élodie";33,3;');
    expect((await asInstructor(h, '/api/export.csv?delimiter=tab')).body.split('\n')[0]).toMatch(/^student\tpercent\t/);
    const bad = await asInstructor(h, '/api/export.csv?delimiter=%7C');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid', problems: ['delimiter: `,`, `;` or `tab` expected, not "|"'] });
  });

  it('never logs a control character: such a name is refused at the door, the others are logged as text', async () => {
    const h = await serve();
    await joined(h, '<b>Zoé</b>');
    for (const name of ['evil\u009b2J', 'x\u001b]0;pwned\u0007']) expect((await joinClass(h, name)).statusCode).toBe(400);
    expect(h.logs).toEqual(['"<b>Zoé</b>" joined the class']);
  });
});

describe('tp7 serve: live events', () => {
  it('sends each accepted submission to an open board within a second', async () => {
    const h = await serve(undefined, { pingMs: 200 });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as { port: number };
    const token = await joined(h, 'Alice');
    const received: string[] = [];
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { authorization: `Bearer ${h.key}` } }, resolve).on('error', reject).end();
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['content-security-policy']).toMatch(/default-src 'none'/);
    stream.setEncoding('utf8');
    const event = new Promise<number>((resolve) => stream.on('data', (chunk: string) => {
      received.push(chunk);
      if (received.join('').includes('event: student\ndata: {"name":"Alice","percent":33.3')) resolve(performance.now());
    }));
    const sent = performance.now();
    expect((await submit(h, token, reportOf('Alice'))).statusCode).toBe(202);
    expect((await event) - sent).toBeLessThan(1000);
    await asInstructor(h, '/api/students/alice/release', 'POST');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const text = received.join('');
    expect(text).toContain('event: released\ndata: {"name":"Alice"}\n\n');
    expect(text).toContain(': ping\n\n');
    stream.destroy();
  });

  it('refuses the event stream without the key', async () => {
    const h = await serve();
    expect((await h.app.inject('/api/events')).statusCode).toBe(401);
  });
});

describe('tp7 serve: settings and tp7 class', () => {
  it('checks the port, host and data folder once, as one-line usage errors', () => {
    expect(serveSettings({}, '/x')).toEqual({ host: '127.0.0.1', port: 7070, dataDir: '/x/tp7-class' });
    expect(serveSettings({ port: '0', host: '0.0.0.0', data: 'c' }, '/x')).toEqual({ host: '0.0.0.0', port: 0, dataDir: '/x/c' });
    for (const port of ['70000', 'abc', '-1', '80.5', '']) expect(() => serveSettings({ port }), port).toThrow(UsageError);
    expect(() => serveSettings({ port: 'abc' })).toThrow('--port takes a port number from 0 (any free one) to 65535, not "abc"');
    for (const host of ['a b', 'http://x', '-x', '']) expect(() => serveSettings({ host }), host).toThrow(UsageError);
  });

  it('tp7 class on folders with no report says so in one line, with exit code 1', async () => {
    const empty = tempDir('empty-');
    mkdirSync(join(empty, 'reports'));
    const { run } = await import('../../src/commands/class/index.js');
    const context = { args: [join(empty, 'reports')], options: {}, lang: 'en', workdir: empty, registry: 'x', json: false, interactive: false, out: () => undefined, err: () => undefined } as unknown as CommandContext;
    const error = await run(context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Tp7Error);
    expect((error as Tp7Error).exitCode).toBe(1);
    expect((error as Tp7Error).text.en).toBe(`${join(empty, 'reports')}: no report in this folder (files from \`tp7 check --json\`, or the reports/ folder of \`tp7 serve\`)`);
  });
});
