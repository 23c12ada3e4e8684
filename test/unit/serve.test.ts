import { readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
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

/** Stops a server and its store (a restart follows): its data folder stays. */
async function stopped(h: Harness): Promise<void> {
  await h.app.close();
  await h.store.close();
  open.splice(open.indexOf(h), 1);
}

/** A server listening on a free port of 127.0.0.1, for what inject cannot show (sockets, time limits, races). */
async function listening(extra: Partial<ServeOptions> = {}): Promise<Harness & { port: number; url: string }> {
  const h = await serve(undefined, extra);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = h.app.server.address() as { port: number };
  return { ...h, port, url: `http://127.0.0.1:${port}` };
}

/** A class folder left by a stopped server: `name` joined and sent one report. */
async function folderWithReport(prefix: string, name: string): Promise<{ dir: string; token: string }> {
  const dir = tempDir(prefix);
  const first = await serve(dir);
  const token = await joined(first, name);
  await submit(first, token, reportOf(name));
  await stopped(first);
  return { dir, token };
}

/** The instructor's event stream (GET /api/events) on a real socket. */
function eventStream(port: number, key: string): Promise<import('node:http').IncomingMessage> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { authorization: `Bearer ${key}` } }, resolve).on('error', reject).end();
  });
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

  it('joins names that read the same as one student: NFKC, every space folded to one, case folded', async () => {
    const h = await serve(undefined, { joinsPerMinute: 1000 });
    const first = await joinClass(h, '  Marc\u00a0\u00a0Dupont ');
    expect([first.statusCode, first.json().student]).toEqual([201, 'Marc Dupont']);
    const same = ['Marc Dupont', '\uff2darc Dupont', '\uff2d\uff41\uff52\uff43\u3000\uff24\uff55\uff50\uff4f\uff4e\uff54', 'Marc\u2003Dupont', 'Marc\u2009Dupont', 'Marc\u202fDupont', 'Marc  Dupont', ' MARC DUPONT ', 'Marc\u2028Dupont', 'Marc\u2029Dupont', 'Marc\u1680Dupont'];
    for (const name of same) {
      const response = await joinClass(h, name);
      expect([response.statusCode, response.json().error], JSON.stringify(name)).toEqual([409, 'name-taken']);
    }
    expect(nameKey('\uff2darc')).toBe(nameKey('marc'));
    expect(nameKey('ﬁlou')).toBe(nameKey('FILOU'));
    // A report spelled another way that reads the same is the same student's.
    const token = (await joined(h, 'Zoé Martin'));
    expect((await submit(h, token, reportOf('Ｚoé\u00a0Martin'))).statusCode).toBe(202);
    expect((await asInstructor(h, '/api/board')).json().students.map((row: { name: string }) => row.name)).toEqual(['Marc Dupont', 'Zoé Martin']);
  });

  it('refuses a name with an invisible or default-ignorable character (400, naming it, in both languages)', async () => {
    const h = await serve(undefined, { joinsPerMinute: 1000 });
    await joined(h, 'Marc');
    const invisible: Array<[string, string]> = [
      ['Marc\u034f', 'U+034F'], ['Marc\ufe0f', 'U+FE0F'], ['\u3164Marc', 'U+3164'], ['Ma\u115frc', 'U+115F'], ['Marc\u2800', 'U+2800'],
      ['Ma\u200brc', 'U+200B'], ['Ma\u00adrc', 'U+00AD'], ['Marc\u2060', 'U+2060'], ['\ufeffMarc', 'U+FEFF'], ['\u3164', 'U+3164'], ['\u2800\u2800', 'U+2800'],
    ];
    for (const [name, point] of invisible) {
      const response = await joinClass(h, name);
      expect([response.statusCode, response.json().error], point).toEqual([400, 'invalid']);
      expect(response.json().message, point).toEqual({ fr: expect.stringContaining(`caractère invisible (${point},`), en: expect.stringContaining(`invisible character (${point},`) });
      expect(response.json().problems, point).toEqual([expect.stringMatching(new RegExp(`^name: .*${point.replace('+', '\\+')}`))]);
    }
    for (const [name, point] of [['Marc\tDupont', 'U+0009'], ['Marc\nDupont', 'U+000A'], ['Marc\u0085', 'U+0085']] as const) {
      const response = await joinClass(h, name);
      expect([response.statusCode, response.json().message.en], point).toEqual([400, expect.stringContaining(`control character (${point},`)]);
    }
  });

  it('keeps one report file per student when names read the same under the new comparison, and says which token it kept', async () => {
    const { dir, token } = await folderWithReport('names-', 'Marc');
    // As an older board kept them: the report under another file name, a second name that now reads the same.
    const [file] = readdirSync(join(dir, 'reports'));
    renameSync(join(dir, 'reports', file!), join(dir, 'reports', `${'0'.repeat(32)}.json`));
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8'));
    tokens.students.other = { ...tokens.students.marc, name: '\uff2darc', tokenSha256: 'f'.repeat(64) };
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify(tokens));
    const second = await serve(dir);
    expect(second.store.warnings.map((warning) => warning.text.en)).toEqual([expect.stringContaining('"Marc" and "\uff2darc" now read as one name')]);
    expect((await submit(second, token, reportOf('Marc', { passing: 2 }))).statusCode).toBe(202);
    expect(readdirSync(join(dir, 'reports'))).toHaveLength(1);
    expect((await asInstructor(second, '/api/students/marc')).json().row).toMatchObject({ name: 'Marc', earned: 2 });
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

// Issue 19, part 4 (the board, fuzzed). A valid report may carry fields tp7-report/1 does not define (the format
// allows them): they are kept, bounded in depth, count and size, and whatever a client sends gets 4xx, never 5xx.
describe('tp7 serve: unknown fields and what a client sends', () => {
  const deep = (depth: number, kind: 'array' | 'object') => (kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  /** The report as JSON text with `json` (never parsed here: it may be 100,000 deep) as the value at `path`. */
  function reportWith(student: string, path: Array<string | number>, json: string): string {
    const report = reportOf(student) as unknown as Record<string, any>;
    let at: Record<string, any> = report;
    for (const key of path.slice(0, -1)) at = at[key];
    at[path.at(-1)!] = '@@FIELD@@';
    return JSON.stringify(report).replace('"@@FIELD@@"', () => json);
  }
  const submitText = (h: Harness, token: string, text: string) => h.app.inject({ method: 'POST', url: '/api/submit', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: text });

  it('accepts a report with an unknown field nested 100,000 deep, anywhere, and keeps it bounded', async () => {
    const h = await serve(undefined, { submitsPerMinute: 1000 });
    const token = await joined(h, 'Alice');
    const places: Array<Array<string | number>> = [['junk'], ['engine', 'junk'], ['score', 'junk'], ['exercises', 0, 'junk'], ['exercises', 0, 'checks', 1, 'junk'], ['checklist', 0, 'junk'], ['integrity']];
    for (const path of places) {
      for (const kind of ['array', 'object'] as const) {
        const at = path[0] === 'integrity' ? ['integrity', 'junk'] : path;
        const text = path[0] === 'integrity' ? reportWith('Alice', ['integrity'], `{"junk":${deep(100_000, kind)}}`) : reportWith('Alice', path, deep(100_000, kind));
        const response = await submitText(h, token, text);
        expect(response.statusCode, `${at.join('.')} ${kind}: ${response.body.slice(0, 200)}`).toBe(202);
        expect(response.json().ignored, at.join('.')).toEqual([at.map((key) => (typeof key === 'number' ? `[${key}]` : key)).join('.').replace(/\.\[/g, '[')]);
        const detail = await asInstructor(h, '/api/students/alice');
        expect(detail.statusCode).toBe(200);
        expect(JSON.stringify(detail.json().report)).not.toContain('[[[[[[[[[[');
      }
    }
    for (const file of ['export.csv', 'export.json', 'export.junit.xml']) expect((await asInstructor(h, `/api/${file}`)).statusCode, file).toBe(200);
  });

  it('keeps small unknown fields as they came: the format may gain fields', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const report = reportOf('Alice') as unknown as Record<string, any>;
    report.future = { added: [1, 'two', { three: true }] };
    report.exercises[0].checks[0].hint = 'a later version says more';
    const response = await submit(h, token, report);
    expect([response.statusCode, response.json().ignored]).toEqual([202, undefined]);
    const kept = (await asInstructor(h, '/api/students/alice')).json().report;
    expect(kept.future).toEqual({ added: [1, 'two', { three: true }] });
    expect(kept.exercises[0].checks[0].hint).toBe('a later version says more');
  });

  it('keeps no more than a bounded amount of unknown fields from a megabyte of junk keys', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const report = reportOf('Alice') as unknown as Record<string, any>;
    const known = JSON.stringify(report).length;
    const junk = (prefix: string, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));
    Object.assign(report, junk('k', 44_000));
    Object.assign(report.exercises[0].checks[0], junk('c', 22_000));
    const text = JSON.stringify(report);
    expect(text.length).toBeGreaterThan(900 * 1024);
    expect(text.length).toBeLessThan(1024 * 1024);
    const response = await submitText(h, token, text);
    expect(response.statusCode, response.body.slice(0, 200)).toBe(202);
    expect(response.json().ignored.length).toBeLessThanOrEqual(20);
    const stored = readdirSync(join(h.dir, 'reports'));
    expect(statSync(join(h.dir, 'reports', stored[0]!)).size).toBeLessThan(known + 40 * 1024);
    expect(JSON.stringify(h.store.find('Alice')!.report).length).toBeLessThan(known + 40 * 1024);
  });

  it('answers 400, never 5xx, to a body nested 100,000 deep where the report has a known field, or as a whole', async () => {
    const h = await serve(undefined, { submitsPerMinute: 1000 });
    const token = await joined(h, 'Alice');
    for (const kind of ['array', 'object'] as const) {
      for (const [path, problem] of [[['exercises'], /^exercises(\[0\])?: /], [['exercises', 0, 'checks'], /^exercises\[0\]\.checks(\[0\])?: /], [['environment'], /^environment[.:]/], [['student'], /^student: /]] as const) {
        const response = await submitText(h, token, reportWith('Alice', [...path], deep(100_000, kind)));
        expect([response.statusCode, response.json().error], `${path.join('.')} ${kind}`).toEqual([400, 'invalid']);
        expect(response.json().problems, path.join('.')).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
      }
      const whole = await submitText(h, token, deep(100_000, kind));
      expect([whole.statusCode, whole.json().error], kind).toEqual([400, 'invalid']);
      // A "__proto__" key makes the JSON reader walk the whole tree: its deepest one, so every level is walked.
      const withProto = await submitText(h, token, `${'{"a":'.repeat(100_000)}{"__proto__":1}${'}'.repeat(100_000)}`);
      expect([withProto.statusCode, withProto.json().error], kind).toEqual([400, 'invalid']);
      const join = await h.app.inject({ method: 'POST', url: '/api/join', headers: { 'content-type': 'application/json' }, payload: `{"name":${deep(500, kind)},"code":"x"}` });
      expect([join.statusCode, join.json().error]).toEqual([400, 'invalid']);
    }
  });

  it('refuses a report that lists more environment variables than any tp7 run sets', async () => {
    const h = await serve();
    const token = await joined(h, 'Alice');
    const report = { ...reportOf('Alice'), environment: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`TP7_X${i}`, 'v'])) };
    const response = await submit(h, token, report);
    expect([response.statusCode, response.json().problems]).toEqual([400, [expect.stringMatching(/^environment: .*100/)]]);
  });
});

// A body over the limit is refused with 413, and the client reads that answer: the server reads (and drops) the
// rest of the body before closing, so a client that writes its whole body first gets the 413, not a reset (EPIPE).
// The clients run in processes of their own: in the test's event loop the race a student sees does not happen.
describe('tp7 serve: a body too large, from a client in another process', { timeout: 60_000 }, () => {
  async function withStudent(): Promise<Harness & { url: string; token: string }> {
    const h = await listening({ submitsPerMinute: 1000 });
    return { ...h, token: await joined(h, 'Alice') };
  }

  /** A plain node:http client that writes its whole body, then reads: the status (or the error) of each try. */
  const PLAIN_CLIENT = `
    const { request } = require('node:http');
    const [url, token, bytes, times] = process.argv.slice(1);
    const body = Buffer.alloc(Number(bytes), 'x');
    (async () => {
      const seen = [];
      for (let i = 0; i < Number(times); i++) {
        seen.push(await new Promise((resolve) => {
          const req = request(url + '/api/submit', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token, 'content-length': body.length } }, (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve(res.statusCode + ' ' + (JSON.parse(text).error ?? '')));
          });
          req.on('error', (error) => resolve(error.code));
          req.end(body);
        }));
      }
      console.log(JSON.stringify(seen));
    })();`;

  it('answers 413 to a client that writes its whole oversized body before reading, every time', async () => {
    const h = await withStudent();
    const { execa } = await import('execa');
    const run = await execa(process.execPath, ['-e', PLAIN_CLIENT, h.url, h.token, String(4 * 1024 * 1024), '20'], { timeout: 50_000 });
    expect(JSON.parse(run.stdout)).toEqual(Array(20).fill('413 too-large'));
    const stranger = await execa(process.execPath, ['-e', PLAIN_CLIENT, h.url, 'not-a-token', String(4 * 1024 * 1024), '5'], { timeout: 50_000 });
    expect(JSON.parse(stranger.stdout)).toEqual(Array(5).fill('401 bad-token'));
  });

  it("the student's sender reads the 413 of an oversized report from the real server, every time", async () => {
    const h = await withStudent();
    const { build } = await import('esbuild');
    const child = join(tempDir('submit-child-'), 'submit-child.mjs');
    await build({ entryPoints: [join(import.meta.dirname, '../fixtures/submit-child.ts')], outfile: child, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
    const { execa } = await import('execa');
    const run = await execa(process.execPath, [child, h.url, h.token, String(4 * 1024 * 1024), '10'], { timeout: 50_000 });
    expect(JSON.parse(run.stdout)).toEqual(Array(10).fill('413 too-large'));
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
    await stopped(first);
    const second = await serve(dir);
    expect([second.code, second.key]).toEqual([first.code, first.key]);
    const board = (await asInstructor(second, '/api/board')).json();
    expect(board.students).toEqual([expect.objectContaining({ name: 'Alice', percent: 100, submissions: 2 })]);
    expect((await joinClass(second, 'alice')).statusCode).toBe(409);
    const again = await submit(second, token, reportOf('Alice'));
    expect([again.statusCode, again.json().sequence]).toEqual([202, 3]);
  });

  it('reads a history whose last line a crash cut short, and starts the next line on its own', async () => {
    const { dir, token } = await folderWithReport('cut-', 'Alice');
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

  it("serves the board page in the class's language: the server says it on the page, the exports follow", async () => {
    const asked = await serve(undefined, { pageLanguage: { lang: 'fr', asked: true } });
    const page = await asked.app.inject({ url: '/board', headers: { cookie: `tp7_board=${asked.key}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<html lang="fr" data-class-lang="fr" data-class-lang-asked="true">/);
    expect(page.body).toContain('<script type="module" src="/board/board.js"></script>');
    // The page is served one way only: never the file as it lies on disk, without the class's language.
    expect([404, 303, 302, 301]).toContain((await asked.app.inject('/board/index.html')).statusCode);
    const plain = await serve(undefined, { pageLanguage: { lang: 'en', asked: false } });
    expect((await plain.app.inject('/board')).body).toMatch(/<html lang="en" data-class-lang="en" data-class-lang-asked="false">/);
    expect((await (await serve()).app.inject('/board')).body).toMatch(/data-class-lang="fr" data-class-lang-asked="false"/);
    await submit(asked, await joined(asked, 'Alice'), reportOf('Alice'));
    expect((await asInstructor(asked, '/api/export.junit.xml?lang=fr')).body).toContain('attendu : x\nobtenu : y');
    expect((await asInstructor(asked, '/api/export.junit.xml?lang=en')).body).toContain('expected: x\nactual: y');
    expect((await asInstructor(asked, '/api/export.junit.xml')).body).toContain('attendu : x');
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
    // The page asks in its language: in English, cells apart by `,` as `tp7 class --csv` writes them in English.
    const csv = await asInstructor(h, '/api/export.csv?lang=en');
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
    // A French class's export, asked with no language, opens in columns in a French spreadsheet.
    expect((await asInstructor(h, '/api/export.csv')).body.split('\n')[0]).toMatch(/^student;percent;/);
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
    const h = await listening({ pingMs: 200 });
    const { port } = h;
    const token = await joined(h, 'Alice');
    const received: string[] = [];
    const stream = await eventStream(port, h.key);
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

// Issue 19, part 4: slow requests, many connections, a flood of joins. Real sockets on 127.0.0.1, short limits.
describe('tp7 serve: slow clients, many connections, a flood of joins', { timeout: 20_000 }, () => {
  /** A raw connection that writes `head`, then one byte of `trickle` every 100 ms: when (ms) and how it ended. */
  function slowloris(port: number, head: string, trickle: string): Promise<{ ms: number; answer: string }> {
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      let at = 0;
      const timer = setInterval(() => socket.writable && socket.write(trickle[at++ % trickle.length]!), 100);
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ ms: performance.now() - started, answer: answer.split('\r\n')[0]! });
      });
      socket.write(head);
      setTimeout(() => socket.destroy(), 8_000);
    });
  }

  it('cuts a body or headers that trickle in at the time limit (30 s by default, here 1.5 s), not a minute later', async () => {
    const h = await listening({ requestTimeoutMs: 1500 });
    const body = await slowloris(h.port, `POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"name":"`, 'a');
    expect(body.ms).toBeGreaterThan(1400);
    expect(body.ms).toBeLessThan(3000);
    expect(body.answer).toBe('HTTP/1.1 408 Request Timeout');
    const headers = await slowloris(h.port, 'GET /api/health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: a\r\n');
    expect([headers.ms > 1400, headers.ms < 3000]).toEqual([true, true]);
    const defaults = await serve();
    expect([defaults.app.server.requestTimeout, defaults.app.server.headersTimeout]).toEqual([30_000, 30_000]);
  });

  /** A connection that is open (the server has it) and sends nothing. */
  async function idleSocket(port: number): Promise<import('node:net').Socket> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  /** One request on a connection of its own: the status line, the JSON body, and whether the server closed it. */
  function rawGet(port: number, path: string, headers = ''): Promise<{ status: string; body: any; closed: boolean; retryAfter?: string }> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      const done = (closed: boolean) => {
        const [head = '', body = ''] = text.split('\r\n\r\n');
        let json;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        socket.destroy();
        resolve({ status: head.split('\r\n')[0]!, body: json, closed, retryAfter: /\r\nretry-after: (\d+)/i.exec(head)?.[1] });
      };
      const timer = setTimeout(() => done(false), 1_500);
      socket.on('data', (chunk) => (text += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        done(true);
      });
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
    });
  }

  it('answers 429 to a connection past the limit per address, in both languages, and takes new ones once some close', async () => {
    const h = await listening({ connectionsPerAddress: 4 });
    const held = [await idleSocket(h.port), await idleSocket(h.port), await idleSocket(h.port)];
    // An instructor's event stream is one of them: it holds a connection like any other.
    const stream = await eventStream(h.port, h.key);
    const over = await rawGet(h.port, '/api/health');
    expect(over).toMatchObject({ status: 'HTTP/1.1 429 Too Many Requests', closed: true, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(over.body).toEqual({ error: 'too-many-connections', message: { fr: expect.stringContaining('connexions'), en: expect.stringContaining('connections') } });
    // A connection past the limit that says nothing is not kept either.
    const started = performance.now();
    const silent = await idleSocket(h.port);
    await new Promise((resolve) => silent.once('close', resolve));
    expect(performance.now() - started).toBeLessThan(5_000);
    held[0]!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await rawGet(h.port, '/api/health')).status).toBe('HTTP/1.1 200 OK');
    for (const socket of held) socket.destroy();
    stream.destroy();
  });

  it('rate-limits joins per address (30 a minute) and bounds the class (500 by default), in both languages', async () => {
    const h = await serve(undefined, { maxStudents: 3 });
    for (const name of ['Ana', 'Bob', 'Cy']) await joined(h, name);
    const full = await joinClass(h, 'Dee');
    expect([full.statusCode, full.json().error]).toEqual([403, 'class-full']);
    expect(full.json().message).toEqual({ fr: expect.stringContaining('complète'), en: expect.stringContaining('full') });
    expect((await joinClass(h, 'ana')).json().error).toBe('name-taken');
    await asInstructor(h, '/api/students/ana/release', 'POST');
    expect((await joinClass(h, 'Dee')).statusCode).toBe(201);
    const flood = await serve();
    const codes: number[] = [];
    for (let i = 0; i < 31; i++) codes.push((await joinClass(flood, `Student ${i}`, 'WRONG-1')).statusCode);
    expect(codes.slice(0, 30).every((code) => code === 403)).toBe(true);
    expect(codes[30]).toBe(429);
  });

  it('never cuts an open event stream: it is an answer, not a request', async () => {
    const h = await listening({ requestTimeoutMs: 1000, pingMs: 200 });
    const stream = await eventStream(h.port, h.key);
    let text = '';
    stream.on('data', (chunk) => (text += chunk));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(stream.destroyed).toBe(false);
    const pings = text.split(': ping').length - 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(text.split(': ping').length - 1).toBeGreaterThan(pings);
    stream.destroy();
  });
});

describe('tp7 serve: settings and tp7 class', () => {
  it('checks the port, host and data folder once, as one-line usage errors', () => {
    expect(serveSettings({}, '/x')).toEqual({ host: '127.0.0.1', port: 7070, dataDir: '/x/tp7-class', maxStudents: 500 });
    expect(serveSettings({ port: '0', host: '0.0.0.0', data: 'c', 'max-students': '40' }, '/x')).toEqual({ host: '0.0.0.0', port: 0, dataDir: '/x/c', maxStudents: 40 });
    for (const max of ['0', 'lots', '-3', '2.5', '100001']) expect(() => serveSettings({ 'max-students': max }), max).toThrow(UsageError);
    expect(() => serveSettings({ 'max-students': '0' })).toThrow('--max-students takes a whole number of students from 1 to 100000, not "0"');
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
