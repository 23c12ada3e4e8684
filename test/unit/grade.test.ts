import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineUnreachableError, type UsageError } from '../../src/errors.js';
import { workdirFiles } from '../../src/files/workdir.js';
import { compareWithSubmitted } from '../../src/grade/compare.js';
import { parseCsv } from '../../src/grade/csv.js';
import { gradeRoster, type GradeOptions, type GradeRow } from '../../src/grade/grade.js';
import { gradeDocument, renderGradeCsv, renderGradeJunit, renderMarkdown, renderTable } from '../../src/grade/render.js';
import { readRoster, rosterFromCsv, rosterFromYaml, type RosterEntry } from '../../src/grade/roster.js';
import type { Exercise } from '../../src/lab/schema.js';
import { pick } from '../../src/lab/lang.js';
import { execaRunner } from '../../src/processes/execa-runner.js';
import type { Report } from '../../src/report/json.js';
import type { Target, TargetSession } from '../../src/target/types.js';
import { tempDir } from '../tmp.js';
import { fakeEngine, ID_A, ID_B, noRegistry, type FakeEngine } from './fake-engine.js';

const en = (problems: Array<{ en: string }>) => problems.map((problem) => problem.en);

describe('roster', () => {
  it('reads a spreadsheet CSV: quoted cells, CRLF, a byte-order mark, columns in any order', () => {
    const text = '\uFEFFworkdir,Student,DOCKER_HOST,registry\r\n/home/a/tp7,"Dupont, Anne",unix:///var/run/docker.sock,\r\n\r\n/w,"Li ""Bo""",tcp://10.0.0.5:2376,10.0.0.5:5000\r\n';
    const { entries, problems } = rosterFromCsv(text, '/r');
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { student: 'Dupont, Anne', engine: { host: 'unix:///var/run/docker.sock' }, workdir: '/home/a/tp7' },
      { student: 'Li "Bo"', engine: { host: 'tcp://10.0.0.5:2376' }, workdir: '/w', registry: '10.0.0.5:5000' },
    ]);
  });

  it('reports every problem at once, each with its line and field', () => {
    const text = 'student,engine,workdir,colour\nann,http://x,relative,blue\nann,unix:///s,/w\n,unix:///y\nbob,ssh://bob@lab1,/home/bob,,extra\n';
    const { problems } = rosterFromCsv(text, '/r');
    expect(en(problems)).toEqual([
      'line 1: unknown field(s) "colour": the fields are student, engine, workdir, registry, tls_verify, cert_path',
      'line 5: more cells than header columns (4)',
      'line 2: engine: "http://x" is no engine address; accepted forms: unix:///path, tcp://host:port, ssh://user@host',
      'line 2: workdir: "relative": an absolute path on the student\'s machine is expected',
      'line 3: student: "ann" is listed already (line 2)',
      'line 4: student: missing required field (expected string)',
      'line 4: workdir: missing required field (expected string)',
    ]);
  });

  it('counts lines across a quoted line break', () => {
    const { problems } = rosterFromCsv('student,engine,workdir\n"two\nlines",unix:///s,/w\nx,bad,/w\n', '/r');
    expect(en(problems)).toEqual([expect.stringMatching(/^line 4: engine: /)]);
  });

  it('reads YAML, as a list or under students:, camelCase or snake_case, TLS files beside the roster', () => {
    const yaml = 'students:\n  - student: ann\n    engine: tcp://lab1:2376\n    tlsVerify: true\n    certPath: certs/ann\n    workdir: /home/ann/tp7\n  - {student: bob, engine: "ssh://bob@lab2:2222", workdir: /home/bob/tp7}\n';
    const { entries, problems } = rosterFromYaml(yaml, '/srv/class');
    expect(problems).toEqual([]);
    expect(entries[0]).toEqual({ student: 'ann', engine: { host: 'tcp://lab1:2376', tlsVerify: true, certPath: '/srv/class/certs/ann' }, workdir: '/home/ann/tp7' });
    expect(entries[1]!.engine.host).toBe('ssh://bob@lab2:2222');
    expect(rosterFromYaml('- {student: c, engine: "unix:///s", workdir: /w}\n', '/').entries).toHaveLength(1);
  });

  it('says where in the YAML each problem is, and refuses TLS on a non-tcp engine', () => {
    const { problems } = rosterFromYaml('students:\n  - {student: ann, engine: "unix:///s", workdir: /w, tls_verify: maybe, shell: zsh}\n  - {student: bob, engine: "unix:///s", workdir: /w, cert_path: /c}\n', '/');
    expect(en(problems)).toEqual([
      'students[0]: unknown field(s) "shell": the fields are student, engine, workdir, registry, tls_verify, cert_path',
      expect.stringMatching(/^students\[0\]\.tls_verify: /),
      'students[1].tls_verify: TLS applies to tcp:// engines only',
    ]);
    expect(en(rosterFromYaml('students: 3\n', '/').problems)).toEqual(['a list of students is expected (or "students:" holding that list)']);
    expect(en(rosterFromYaml('[]', '/').problems)).toEqual(['no student in the roster']);
  });

  it('parses CSV as RFC 4180 says', () => {
    expect(parseCsv('a,"b,c",d\n"e""f",,\n')).toEqual({ delimiter: ',', rows: [{ line: 1, cells: ['a', 'b,c', 'd'] }, { line: 2, cells: ['e"f', '', ''] }] });
  });
});

// Rosters as instructors have them: saved by Excel or LibreOffice in a French locale. Real bytes, read from a file.
describe('roster files from French spreadsheets', () => {
  const file = (name: string, bytes: Buffer) => {
    const path = join(tempDir('roster-'), name);
    writeFileSync(path, bytes);
    return path;
  };
  /** Windows-1252: what Excel writes for "CSV (séparateur : point-virgule)". É is 0xC9, è 0xE8, ï 0xEF. */
  const cp1252 = (text: string) => Buffer.from([...text].map((char) => ({ É: 0xc9, è: 0xe8, ï: 0xef, é: 0xe9 })[char] ?? char.charCodeAt(0)));
  const usage = (path: string) => {
    try {
      readRoster(path);
    } catch (error) {
      return (error as UsageError).details.map((detail) => detail.en);
    }
    throw new Error('no usage error');
  };

  it('reads Excel\'s `;` CSV in Windows-1252 with CRLF, a quoted cell holding `;`, and empty rows under the table', () => {
    const text = 'Student;Engine;Workdir;Registry\r\nÉlodie Lefèvre;ssh://elodie@lab-03;/home/élodie/tp7;\r\n"Anaïs; groupe B";unix:///var/run/docker.sock;/srv/anaïs;10.0.0.5:5000\r\n;;;\r\n;;;\r\n';
    expect(readRoster(file('classe.csv', cp1252(text)))).toEqual([
      { student: 'Élodie Lefèvre', engine: { host: 'ssh://elodie@lab-03' }, workdir: '/home/élodie/tp7' },
      { student: 'Anaïs; groupe B', engine: { host: 'unix:///var/run/docker.sock' }, workdir: '/srv/anaïs', registry: '10.0.0.5:5000' },
    ]);
  });

  it('reads UTF-8 with a byte-order mark (Excel\'s "CSV UTF-8"), UTF-16 with one (tabs), and Excel\'s sep= line', () => {
    const rows = 'student;engine;workdir\r\nÉlodie Lefèvre;unix:///s;/w\r\n';
    const expected = [{ student: 'Élodie Lefèvre', engine: { host: 'unix:///s' }, workdir: '/w' }];
    expect(readRoster(file('utf8.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows)])))).toEqual(expected);
    expect(readRoster(file('plain.csv', Buffer.from(rows)))).toEqual(expected);
    const tabs = rows.replaceAll(';', '\t');
    expect(readRoster(file('utf16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabs, 'utf16le')])))).toEqual(expected);
    expect(readRoster(file('utf16be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(tabs, 'utf16le').swap16()])))).toEqual(expected);
    expect(readRoster(file('sep.csv', cp1252(`sep=,\r\nstudent,engine,workdir\r\n"Élodie; Lefèvre",unix:///s,/w\r\n`)))).toEqual([{ ...expected[0], student: 'Élodie; Lefèvre' }]);
  });

  it('keeps `line N: column: message` in a `;` file, lines counted across quoted line breaks and blank lines', () => {
    const text = 'student;engine;workdir\r\n"Élodie\r\nLefèvre";unix:///s;/w\r\n\r\nBo;http://x;/w\r\nCé;unix:///s;relatif\r\n';
    expect(usage(file('errors.csv', cp1252(text)))).toEqual([
      'line 5: engine: "http://x" is no engine address; accepted forms: unix:///path, tcp://host:port, ssh://user@host',
      'line 6: workdir: "relatif": an absolute path on the student\'s machine is expected',
    ]);
    expect(usage(file('quote.csv', Buffer.from('student;engine;workdir\nBo;unix:///s;/w\n\n"Cé;unix:///s;/w\nDan;unix:///s;/w\n')))).toEqual(['line 4: a quote opened here is never closed']);
  });
});

/** An exercise of two plain checks and one that runs the student's script (a check with side effects). */
function exercise(): Exercise {
  return {
    id: 'exG',
    title: { fr: 'G', en: 'G' },
    checks: [
      { id: 'has-a', title: { fr: 'a', en: 'a' }, points: 1, hints: [], probe: { kind: 'image-exists', ref: 'a:1', present: true } },
      { id: 'has-b', title: { fr: 'b', en: 'b' }, points: 1, hints: [], probe: { kind: 'image-exists', ref: 'b:1', present: true } },
      { id: 'script', title: { fr: 's', en: 's' }, points: 1, hints: [], probe: { kind: 'compare-script', script: 'compare.sh', refs: ['a:1', 'b:1'], figures: ['size'], timeoutSeconds: 10, unforeseen: false } },
    ],
    questions: [],
  } as unknown as Exercise;
}

/** A student machine: its own fake engine and a real workdir with a script that counts its runs. */
function machine(images: Record<string, { Id: string }>): { engine: FakeEngine; workdir: string } {
  const workdir = tempDir('student-');
  writeFileSync(join(workdir, 'compare.sh'), 'echo run >> runs.log\necho "$1 $2"\n');
  return { engine: Object.assign(fakeEngine(images), { imageHistory: async () => [] }), workdir };
}

function options(machines: Map<string, { engine: FakeEngine; workdir: string } | 'dead' | 'slow'>, more: Partial<GradeOptions> = {}): GradeOptions & { peak: () => number } {
  let open = 0;
  let peak = 0;
  const openTarget = async (target: Target): Promise<TargetSession> => {
    const found = machines.get(target.engine.host)!;
    if (found === 'dead') throw new EngineUnreachableError(target.engine.host, 'ECONNREFUSED');
    open++;
    peak = Math.max(peak, open);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (found === 'slow') await new Promise((resolve) => setTimeout(resolve, 5000));
    const { engine, workdir } = found as { engine: FakeEngine; workdir: string };
    return {
      clients: { engine, registry: noRegistry, workdir, files: workdirFiles(workdir), processes: execaRunner(workdir) },
      close: async () => void open--,
    };
  };
  return { exercises: [exercise()], skills: [], lang: 'en', strict: false, jobs: 2, timeoutMs: 2000, open: openTarget, peak: () => peak, ...more };
}

const entry = (student: string, host: string, workdir = '/w'): RosterEntry => ({ student, engine: { host }, workdir });

describe('grading a roster', () => {
  it('grades each machine apart, a dead or slow one is its own row, at most --jobs at once', async () => {
    const both = { 'a:1': { Id: ID_A }, 'b:1': { Id: ID_B } };
    const ann = machine(both);
    const bob = machine(both);
    const cid = machine({ 'a:1': { Id: ID_A } });
    const machines = new Map<string, any>([['unix:///ann', ann], ['unix:///bob', bob], ['unix:///cid', cid], ['tcp://dead:2375', 'dead'], ['tcp://slow:2375', 'slow']]);
    const opts = options(machines);
    const rows = await gradeRoster(
      [entry('ann', 'unix:///ann', ann.workdir), entry('bob', 'unix:///bob', bob.workdir), entry('cid', 'unix:///cid', cid.workdir), entry('dan', 'tcp://dead:2375'), entry('eve', 'tcp://slow:2375')],
      opts,
    );
    expect(rows.map((row) => [row.student, row.status])).toEqual([['ann', 'graded'], ['bob', 'graded'], ['cid', 'graded'], ['dan', 'error'], ['eve', 'error']]);
    const graded = rows.filter((row): row is Extract<GradeRow, { status: 'graded' }> => row.status === 'graded');
    expect(graded.map((row) => row.report.exercises[0]!.checks.map((check) => check.status))).toEqual([['pass', 'pass', 'fail'], ['pass', 'pass', 'fail'], ['pass', 'fail', 'fail']]);
    expect(graded[0]!.report.student).toBe('ann');
    expect(pick((rows[3] as Extract<GradeRow, { status: 'error' }>).error, 'en')).toBe('engine unreachable (ECONNREFUSED)');
    expect(pick((rows[4] as Extract<GradeRow, { status: 'error' }>).error, 'fr')).toBe('notation interrompue après 2 s (TP7_GRADE_TIMEOUT_MS)');
    expect(opts.peak()).toBeLessThanOrEqual(2);
  });

  it('runs every script again for each student, trusting no verdict stored in the workdir and writing none', async () => {
    const images = { 'a:1': { Id: ID_A }, 'b:1': { Id: ID_B } };
    const ann = machine(images);
    const bob = machine(images);
    // A verdict planted where tp7 watch keeps its own: grading never reads it.
    const planted = { state: 'x', outcome: { status: 'pass', expected: '', actual: '', message: { fr: 'ok', en: 'ok' } } };
    await import('node:fs').then(({ mkdirSync }) => mkdirSync(join(bob.workdir, '.tp7')));
    writeFileSync(join(bob.workdir, '.tp7', 'side-effects.json'), JSON.stringify({ 'exG/script': planted }));
    const machines = new Map<string, any>([['unix:///ann', ann], ['unix:///bob', bob]]);
    for (let round = 0; round < 2; round++) {
      const rows = await gradeRoster([entry('ann', 'unix:///ann', ann.workdir), entry('bob', 'unix:///bob', bob.workdir)], options(machines));
      const scripts = rows.map((row) => (row.status === 'graded' ? row.report.exercises[0]!.checks[2]!.status : row.status));
      // The script prints no figure: a fail for both, the planted pass notwithstanding.
      expect(scripts).toEqual(['fail', 'fail']);
    }
    expect(readFileSync(join(ann.workdir, 'runs.log'), 'utf8')).toBe('run\nrun\n');
    expect(existsSync(join(ann.workdir, '.tp7'))).toBe(false);
    expect(JSON.parse(readFileSync(join(bob.workdir, '.tp7', 'side-effects.json'), 'utf8'))).toEqual({ 'exG/script': planted });
  });

  it('a progress file that is a FIFO, or a link out of the workdir, is that row\'s one-line reason at once', async () => {
    const images = { 'a:1': { Id: ID_A }, 'b:1': { Id: ID_B } };
    const fifo = machine(images);
    const link = machine(images);
    const ann = machine(images);
    mkdirSync(join(fifo.workdir, '.tp7'));
    expect(spawnSync('mkfifo', [join(fifo.workdir, '.tp7/progress.json')]).status).toBe(0);
    mkdirSync(join(link.workdir, '.tp7'));
    symlinkSync('/etc/passwd', join(link.workdir, '.tp7/progress.json'));
    const machines = new Map<string, any>([['unix:///fifo', fifo], ['unix:///link', link], ['unix:///ann', ann]]);
    const started = performance.now();
    const rows = await gradeRoster([entry('fifo', 'unix:///fifo', fifo.workdir), entry('link', 'unix:///link', link.workdir), entry('ann', 'unix:///ann', ann.workdir)], options(machines, { timeoutMs: 10_000 }));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(rows.map((row) => [row.student, row.status, row.status === 'error' ? pick(row.error, 'en') : ''])).toEqual([
      ['fifo', 'error', '.tp7/progress.json is not a regular file'],
      ['link', 'error', '.tp7/progress.json is outside the working directory'],
      ['ann', 'graded', ''],
    ]);
  });

  it('says when the workdir is not on the student machine', async () => {
    const ghost = { engine: fakeEngine({}), workdir: join(tempDir('student-'), 'gone') };
    const [row] = await gradeRoster([entry('ann', 'unix:///ann', '/nowhere')], options(new Map<string, any>([['unix:///ann', ghost]])));
    expect(row!.status).toBe('error');
    expect(pick((row as Extract<GradeRow, { status: 'error' }>).error, 'en')).toBe("working directory /nowhere not found on the student's machine");
  });
});

function report(student: string, checks: Array<[string, 'pass' | 'fail']>, engine = { host: 'unix:///s', version: '20.10', apiVersion: '1.41' }): Report {
  const list = checks.map(([id, status]) => ({ id, title: id, kind: 'image-exists', status, points: 1, earned: status === 'pass' ? 1 : 0, expected: '', actual: '', message: '', durationMs: 1 }));
  const earned = list.reduce((sum, check) => sum + check.earned, 0);
  return {
    schema: 'tp7-report/1', lab: 'tp7', student, generatedAt: '2026-01-01T00:00:00.000Z', engine,
    exercises: [{ id: 'ex1', title: 'one', earned, possible: list.length, checks: list }],
    checklist: [], score: { earned, possible: list.length, percent: Math.round((100 * earned) / list.length), skipped: 0 }, strict: false, environment: {},
  };
}

const graded = (student: string, live: Report): GradeRow => ({ student, engine: 'unix:///s', workdir: '/w', status: 'graded', report: live, durationMs: 5 });

describe('--compare', () => {
  it('finds a report edited by hand: a fail turned into a pass, and the points raised to match', () => {
    const live = report('ann', [['c1', 'pass'], ['c2', 'fail']]);
    const tampered = report('ann', [['c1', 'pass'], ['c2', 'pass']]);
    const found = compareWithSubmitted([graded('ann', live)], [{ student: 'ann', report: tampered }]);
    expect(found).toEqual([{ student: 'ann', kind: 'status', exercise: 'ex1', check: 'c2', submitted: 'pass', live: 'fail' }]);
  });

  it('finds figures that do not add up, a missing report, a stranger, another engine, a machine not graded', () => {
    const live = report('ann', [['c1', 'fail']]);
    const edited = report('ann', [['c1', 'fail']], { host: 'unix:///s', version: '27.0', apiVersion: '1.41' });
    edited.exercises[0]!.earned = 1;
    edited.score.earned = 1;
    const rows: GradeRow[] = [graded('ann', live), graded('bob', report('bob', [])), { student: 'cid', engine: 'tcp://x:2375', workdir: '/w', status: 'error', error: { fr: 'x', en: 'x' }, durationMs: 1 }];
    const found = compareWithSubmitted(rows, [{ student: 'ann', report: edited }, { student: 'cid', report: report('cid', []) }, { student: 'zoe', report: report('zoe', []) }]);
    expect(found.map((item) => [item.student, item.kind, item.check ?? ''])).toEqual([
      ['ann', 'inconsistent', ''],
      ['ann', 'engine', 'version'],
      ['bob', 'no-report', ''],
      ['cid', 'not-graded', ''],
      ['zoe', 'not-on-roster', ''],
    ]);
  });

  it('agrees with an honest report', () => {
    const live = report('ann', [['c1', 'pass'], ['c2', 'fail']]);
    expect(compareWithSubmitted([graded('ann', live)], [{ student: 'ann', report: structuredClone(live) }])).toEqual([]);
  });
});

describe('outputs escape what comes from students', () => {
  const hostile = '=HYPERLINK("x")\u001b[2J|*<b>&';
  const message = 'bad \u001b]0;title\u0007 <script>';
  const live = report(hostile, [['c1', 'fail']]);
  live.exercises[0]!.checks[0]!.message = message;
  const rows: GradeRow[] = [graded(hostile, live), { student: 'dan', engine: 'tcp://x:2375', workdir: '/w', status: 'error', error: { fr: 'moteur injoignable (\u001b[31m)', en: 'engine unreachable (\u001b[31m)' }, durationMs: 1 }];

  it('CSV: formulas neutralised, controls shown, status and error columns', () => {
    const csv = renderGradeCsv(rows, 'en', '2026-01-01T00:00:00Z');
    const [header, first, second] = csv.trimEnd().split('\n');
    expect(header).toMatch(/,checked_at,status,error$/);
    expect(first!.startsWith(`"'=HYPERLINK(""x"")\\u001b[2J|*<b>&"`)).toBe(true);
    expect(first).toMatch(/,graded,$/);
    expect(second).toBe('dan,,,,,,,2026-01-01T00:00:00Z,error,engine unreachable (\\u001b[31m)');
    expect(csv).not.toContain('\u001b');
  });

  it('Markdown, JUnit, table and JSON: no raw control, no markup', () => {
    const markdown = renderMarkdown(rows, 'en', 'now');
    expect(markdown).not.toMatch(/\u001b|<b>|<script>/);
    expect(markdown).toContain('\\|\\*\\<b\\>\\&');
    expect(markdown).toContain('- **dan** (tcp://x:2375): engine unreachable');
    const junit = renderGradeJunit(rows, 'en', 'now');
    expect(junit).not.toMatch(/\u001b|<b>|<script>/);
    expect(junit).toContain('<testcase name="grading" classname="tp7.dan"');
    expect(renderTable(rows, 'en')).not.toContain('\u001b[2J');
    const document = gradeDocument(rows, 'fr', 'now') as { students: Array<{ status: string; error?: string; report?: Report }> };
    expect(document.students.map((student) => student.status)).toEqual(['graded', 'error']);
    expect(document.students[1]!.error).toBe('moteur injoignable (\u001b[31m)');
  });
});
