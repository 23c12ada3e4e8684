import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkdir, ROOT, runSolution, tp7, type Run } from './harness.js';
import { tempDir } from '../tmp.js';

// tp7 grade against real engines: four extra dockerds (scripts/test-engines.sh, inside the test-engine lock),
// one student on each, plus a dead socket and an ssh:// machine (not supported until src/ssh lands: its row
// says so). Two students did some exercises with the reference solutions; the others did nothing or little.

const ENGINES = 4;
let hosts: string[] = [];

async function engines(...args: string[]): Promise<string> {
  const result = await execa(join(ROOT, 'scripts/test-engines.sh'), args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`test-engines.sh ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The docker CLI on one engine, for test setup and inspection only. */
async function dockerOn(host: string, ...args: string[]): Promise<string> {
  const result = await execa('docker', args, { env: { DOCKER_HOST: host }, reject: false });
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} on ${host}: ${result.stderr}`);
  return result.stdout;
}

/** What is on an engine: every image (ID and tags) and every container (ID, name, state). */
async function snapshot(host: string): Promise<string> {
  const images = await dockerOn(host, 'images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}');
  const containers = await dockerOn(host, 'ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}');
  return [...images.split('\n').sort(), '--', ...containers.split('\n').sort()].join('\n');
}

/** The files of a workdir, recursively, with their sizes: grading writes nothing there. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((entry) => join(entry.parentPath, entry.name)).sort();
}

const students = ['ann', 'bob', 'cid', 'dan'];
const workdirs: Record<string, string> = {};
let rosterFile = '';
let deadSocket = '';

beforeAll(async () => {
  await engines('up', String(ENGINES));
  hosts = /TP7_TEST_ENGINES="([^"]*)"/.exec(await engines('env'))![1]!.split(' ');
  expect(hosts).toHaveLength(ENGINES);
  students.forEach((student) => (workdirs[student] = newWorkdir()));
  // ann did ex1 and ex2, bob ex1, cid nothing, dan pulled one image.
  await runSolution('ex1', workdirs.ann!, { DOCKER_HOST: hosts[0]! });
  await runSolution('ex2', workdirs.ann!, { DOCKER_HOST: hosts[0]! });
  await runSolution('ex1', workdirs.bob!, { DOCKER_HOST: hosts[1]! });
  await dockerOn(hosts[3]!, 'pull', 'nginx:alpine');
  const dir = tempDir('roster-');
  deadSocket = join(dir, 'nobody-listens.sock');
  rosterFile = join(dir, 'roster.csv');
  const lines = students.map((student, index) => `${student},unix://${hosts[index]!.slice('unix://'.length)},${workdirs[student]}`);
  writeFileSync(rosterFile, ['student,engine,workdir', ...lines, `eve,unix://${deadSocket},/home/eve`, 'fay,ssh://fay@127.0.0.1:1,/home/fay', ''].join('\n'));
}, 300_000);

afterAll(async () => {
  await engines('down');
});

describe('tp7 grade on four engines', () => {
  let before: string[] = [];
  let files: Record<string, string[]> = {};
  let run: Run;

  beforeAll(async () => {
    before = await Promise.all(hosts.map(snapshot));
    files = Object.fromEntries(students.map((student) => [student, listing(workdirs[student]!)]));
    const out = tempDir('out-');
    run = await tp7(['grade', rosterFile, 'ex1', 'ex2', '--jobs', '4', '--csv', '--junit', join(out, 'grade.xml'), '--markdown', join(out, 'grade.md')]);
    writeFileSync(join(out, 'stdout.csv'), run.stdout);
    files.__out = [readFileSync(join(out, 'grade.md'), 'utf8'), readFileSync(join(out, 'grade.xml'), 'utf8')];
  }, 300_000);

  it('makes a gradebook with one row per student, exit 4 for the machines not graded', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(4);
    const [header, ...rows] = run.stdout.trim().split('\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 6)).toEqual(['student', 'percent', 'earned', 'possible', 'skipped', 'strict']);
    expect(columns.slice(-2)).toEqual(['status', 'error']);
    const cell = (student: string, column: string) => rows.find((row) => row.startsWith(`${student},`))!.split(',')[columns.indexOf(column)];
    expect(rows.map((row) => row.split(',')[0])).toEqual(['ann', 'bob', 'cid', 'dan', 'eve', 'fay']);
    const ex1 = (student: string) => cell(student, 'ex1')!.split('/').map(Number);
    // The reference solutions earn every point of what they solved; nothing done earns nothing.
    expect(ex1('ann')[0]).toBe(ex1('ann')[1]);
    expect(ex1('bob')[0]).toBe(ex1('bob')[1]);
    expect(cell('ann', 'ex2')!.split('/')[0]).toBe(cell('ann', 'ex2')!.split('/')[1]);
    // bob did not do ex2 (ex1 left nginx:alpine pulled, which ex2 also asks for: some points, not all).
    const [bobEx2, ex2Possible] = cell('bob', 'ex2')!.split('/').map(Number);
    expect(bobEx2).toBeLessThan(ex2Possible!);
    expect(ex1('cid')[0]).toBe(0);
    expect(ex1('dan')[0]! > 0 && ex1('dan')[0]! < ex1('dan')[1]!).toBe(true);
    for (const student of students) expect(cell(student, 'status')).toBe('graded');
    expect(cell('eve', 'status')).toBe('error');
    expect(cell('eve', 'error')).toBe('engine unreachable (ENOENT)');
    expect(cell('eve', 'percent')).toBe('');
    expect(cell('fay', 'status')).toBe('error');
  });

  it('changes nothing on any engine nor in any workdir', async () => {
    expect(await Promise.all(hosts.map(snapshot))).toEqual(before);
    for (const student of students) expect(listing(workdirs[student]!)).toEqual(files[student]);
  });

  it('writes the Markdown summary and JUnit beside it', () => {
    const [markdown, junit] = files.__out!;
    expect(markdown).toMatch(/^# TP7 grading/);
    expect(markdown).toContain('| ann | graded |');
    expect(markdown).toContain('- **eve** (unix://');
    expect(markdown).toMatch(/- \*\*cid\*\*: ex1 /);
    expect(junit).toContain('<testsuite name="ann · ex1');
    expect(junit).toContain('<testcase name="grading" classname="tp7.eve"');
  });
});

describe('tp7 grade --compare', () => {
  it('finds a tampered report, a missing one, and agrees with an honest one', async () => {
    const reports = tempDir('reports-');
    const honest = await tp7(['check', 'ex1', '--json', '--student', 'ann'], { workdir: workdirs.ann, env: { DOCKER_HOST: hosts[0]! } });
    writeFileSync(join(reports, 'ann.json'), honest.stdout);
    // cid did nothing, then edited his report: every check a pass, every figure raised to match.
    const cid = await tp7(['check', 'ex1', '--json', '--student', 'cid'], { workdir: workdirs.cid, env: { DOCKER_HOST: hosts[2]! } });
    const forged = JSON.parse(cid.stdout);
    for (const exercise of forged.exercises) {
      for (const check of exercise.checks) Object.assign(check, { status: 'pass', earned: check.points, message: '' });
      exercise.earned = exercise.possible;
    }
    forged.score.earned = forged.score.possible;
    forged.score.percent = 100;
    mkdirSync(join(reports, 'sub'), { recursive: true });
    writeFileSync(join(reports, 'cid.json'), JSON.stringify(forged));
    const roster = join(tempDir('roster-'), 'roster.yaml');
    writeFileSync(roster, `students:\n${['ann', 'bob', 'cid'].map((student, index) => `  - { student: ${student}, engine: "${hosts[index]}", workdir: "${workdirs[student]}" }`).join('\n')}\n`);
    const result = await tp7(['grade', roster, 'ex1', '--compare', reports, '--json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.schema).toBe('tp7-grade/1');
    expect(document.students.map((student: { report: { student: string } }) => student.report.student)).toEqual(['ann', 'bob', 'cid']);
    const found = document.disagreements as Array<{ student: string; kind: string; check?: string; submitted: string; live: string }>;
    expect(found.filter((item) => item.student === 'ann')).toEqual([]);
    expect(found.filter((item) => item.student === 'bob').map((item) => item.kind)).toEqual(['no-report']);
    const cidLive = document.students[2].report.exercises[0].checks as Array<{ id: string; status: string }>;
    const forgedChecks = cidLive.filter((check) => check.status !== 'pass').map((check) => check.id);
    expect(forgedChecks.length).toBeGreaterThan(0);
    expect(found.filter((item) => item.student === 'cid' && item.kind === 'status').map((item) => [item.check, item.submitted])).toEqual(forgedChecks.map((id) => [id, 'pass']));
  });
});
