import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tmp.js';
import { newWorkdir, ROOT, TP7_BIN, tp7, tp7Json } from './harness.js';

// The command line as scripts and graders use it: help, JSON, exit codes, errors on one line.
describe('command line', () => {
  it('prints help and version', async () => {
    const help = await tp7(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('tp7 check [<ex>...]');
    expect(help.stdout).toContain('Exit codes:');
    const version = await tp7(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('gives usage errors exit 2 and one line', async () => {
    for (const args of [['frob'], ['check', '--bogus'], ['show', 'ex99'], ['show'], ['check', '--lang', 'de']]) {
      const run = await tp7(args);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('a malformed numeric setting is one usage error naming the variable, before any check runs', async () => {
    for (const [name, value] of [['TP7_CHECK_TIMEOUT_MS', '30s'], ['TP7_WATCH_POLL_MS', 'often'], ['TP7_ENGINE_TIMEOUT_MS', '-1']]) {
      const run = await tp7(['check', 'ex1'], { env: { [name!]: value! } });
      expect(run.exitCode, name).toBe(2);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(run.stderr, name).toContain(`${name} must be a whole number of milliseconds`);
      expect(run.stdout, name).toBe('');
    }
  });

  it('without a terminal, tp7 alone prints the help instead of a menu', async () => {
    const run = await tp7([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Usage: tp7');
  });

  it('show --json gives the exercise without any answer', async () => {
    const { run, json } = await tp7Json(['show', 'ex1']);
    expect(run.exitCode).toBe(0);
    expect(json.id).toBe('ex1');
    expect(json.skills).toEqual(['tags']);
    const choice = json.questions.find((question: { id: string }) => question.id === 'latest-vs-stable');
    expect(choice.choices.map((c: { id: string }) => c.id)).toEqual(['a', 'b', 'c']);
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"answers?"|"accept"|"derive"|"patterns"/);
  });

  it('show renders instructions in the chosen language, without colour when piped', async () => {
    const fr = await tp7(['show', 'ex1', '--lang', 'fr']);
    expect(fr.stdout).toContain('Comprendre les tags');
    expect(fr.stdout).not.toMatch(/\u001b\[/);
    const en = await tp7(['show', 'ex1', '--lang', 'en']);
    expect(en.stdout).toContain('Understanding tags');
  });

  it('records answers without prompting and says whether they are right', async () => {
    const workdir = newWorkdir();
    const right = await tp7Json(['answer', 'ex1', 'latest-vs-stable', 'b'], { workdir });
    expect(right.run.exitCode).toBe(0);
    expect(right.json).toMatchObject({ question: 'latest-vs-stable', answer: 'b', correct: true });
    const wrong = await tp7(['answer', 'ex1', 'why-alpine-smaller', 'a,c'], { workdir });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toContain('Wrong answer');
    const invalid = await tp7(['answer', 'ex1', 'latest-vs-stable', 'z'], { workdir });
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain('choose among: a, b, c');
    const stored = JSON.parse(readFileSync(join(workdir, '.tp7/progress.json'), 'utf8'));
    expect(stored.answers.ex1['latest-vs-stable'].answer).toBe('b');
    expect(stored.answers.ex1['why-alpine-smaller'].answer).toBe('a,c');
  });

  it('hints come one at a time, from a nudge to the command, and are remembered', async () => {
    const workdir = newWorkdir();
    const first = await tp7Json(['hint', 'ex1', 'pulled-1.25'], { workdir });
    const second = await tp7Json(['hint', 'ex1', 'pulled-1.25'], { workdir });
    const third = await tp7Json(['hint', 'ex1', 'pulled-1.25'], { workdir });
    expect([first.json.level, second.json.level, third.json.level]).toEqual([1, 2, 2]);
    expect(first.json.hint).not.toContain('docker pull');
    expect(second.json.hint).toContain('docker pull');
  });

  it('a question without hints says so instead of failing', async () => {
    const { run, json } = await tp7Json(['hint', 'ex1', 'why-alpine-smaller'], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(0);
    expect(json).toMatchObject({ check: 'why-alpine-smaller', level: 0, hint: null });
  });

  it('extra words are a usage error, not silently ignored', async () => {
    const run = await tp7(['list', 'ex1']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe('tp7: usage: tp7 list');
  });

  it('the solution needs a confirmation and is recorded as viewed', async () => {
    const workdir = newWorkdir();
    const refused = await tp7(['solution', 'ex1'], { workdir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const shown = await tp7(['solution', 'ex1', '--yes'], { workdir });
    expect(shown.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(workdir, '.tp7/progress.json'), 'utf8')).solutionsViewed.ex1).toBeDefined();
  });

  it('reports a corrupt progress file, keeps it aside and carries on', async () => {
    const workdir = newWorkdir();
    await tp7(['answer', 'ex1', 'latest-vs-stable', 'b'], { workdir });
    writeFileSync(join(workdir, '.tp7/progress.json'), '{ not json');
    const run = await tp7(['answer', 'ex1', 'latest-vs-stable', 'b'], { workdir });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/kept as .*progress\.json\.corrupt-/);
  });

  it('keeps every answer when several tp7 processes write at once', async () => {
    const workdir = newWorkdir();
    const ids = ['latest-vs-stable', 'why-alpine-smaller'];
    await Promise.all(Array.from({ length: 8 }, (_, i) => tp7(['answer', 'ex1', ids[i % 2]!, i % 2 ? 'a,b' : 'b'], { workdir })));
    await Promise.all([tp7(['hint', 'ex1', 'pulled-1.25'], { workdir }), tp7(['hint', 'ex1', 'pulled-stable'], { workdir })]);
    const stored = JSON.parse(readFileSync(join(workdir, '.tp7/progress.json'), 'utf8'));
    expect(Object.keys(stored.answers.ex1).sort()).toEqual(ids.sort());
    expect(stored.hints.ex1).toEqual({ 'pulled-1.25': 1, 'pulled-stable': 1 });
  });

  it('class gathers many students\' reports into a table, JSON and a gradebook CSV', async () => {
    const folder = tempDir('reports-');
    const report = (student: string, earned: number) => ({
      schema: 'tp7-report/1', lab: 'tp7', student, generatedAt: '2026-11-26T10:00:00.000Z',
      engine: { host: 'unix:///x', version: '20.10', apiVersion: '1.41' },
      exercises: [{ id: 'ex1', title: 'Tags', earned, possible: 17, checks: [] }],
      checklist: [{ id: 'tags', label: 'Tags', status: earned === 17 ? 'pass' : 'partial', earned, possible: 17 }],
      score: { earned, possible: 17, percent: Math.round((1000 * earned) / 17) / 10 },
    });
    writeFileSync(join(folder, 'alice.json'), JSON.stringify(report('alice', 17)));
    writeFileSync(join(folder, 'bob.json'), JSON.stringify(report('bob', 9)));
    writeFileSync(join(folder, 'broken.json'), '{"schema": "other"}');
    writeFileSync(join(folder, 'partial.json'), '{"schema": "tp7-report/1"}');
    const table = await tp7(['class', folder]);
    expect(table.exitCode).toBe(1);
    expect(table.stderr).toContain('broken.json: not a tp7 report (schema: ');
    expect(table.stderr).toContain('partial.json: not a tp7 report (generatedAt: ');
    expect(table.stdout).toMatch(/alice +100% +17\/17/);
    const csv = await tp7(['class', join(folder, 'alice.json'), join(folder, 'bob.json'), '--csv']);
    expect(csv.exitCode).toBe(0);
    expect(csv.stdout.split('\n')).toEqual([
      'student,percent,earned,possible,skipped,strict,ex1,skill:tags,checked_at',
      'alice,100,17,17,0,no,17/17,pass,2026-11-26T10:00:00.000Z',
      'bob,52.9,9,17,0,no,9/17,partial,2026-11-26T10:00:00.000Z',
    ]);
  });

  it('dev check passes on the shipped labs and names file, field and fix on a broken one', async () => {
    const ok = await tp7(['dev', 'check']);
    expect(ok.exitCode).toBe(0);
    const root = tempDir('labs-');
    cpSync(join(ROOT, 'labs'), root, { recursive: true });
    const file = join(root, 'ex1', 'exercise.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('kind: same-image, refs: ["nginx:latest", "nginx:alpine"], same: false', 'kind: same-image, refs: ["nginx:latest", "nginx:alpine"], same: false, tga: x'));
    const broken = await tp7(['dev', 'check'], { env: { TP7_LABS: root } });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/ex1\/exercise\.yaml: checks\[4\]\.probe: unknown field "tga": remove it or fix its spelling/);
    const check = await tp7(['check', 'ex1'], { env: { TP7_LABS: root } });
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain('invalid lab definitions (1 problem)');
  });
});

// A reader that goes away at once (`| head -1`, a closed pager): the process ends quietly, 141 like `yes | head`.
describe('output to a closed pipe', () => {
  async function closedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn('node', [TP7_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TP7_LANG: 'en', NO_COLOR: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stderr };
  }

  it('tp7 show ends with 141 and no stack trace', async () => {
    for (let round = 0; round < 3; round++) {
      const { code, stderr } = await closedReader(['show', 'ex1']);
      expect(stderr).toBe('');
      expect(code).toBe(141);
    }
  });

  it('tp7 watch ends with 141 and no stack trace', async () => {
    const { code, stderr } = await closedReader(['watch', 'ex1', '--workdir', newWorkdir()]);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(141);
  });
});
