import { describe, expect, it } from 'vitest';
import { buildReport, environmentOverrides } from '../../src/report/json.js';
import { gradebook, renderCsv, type GradebookRow } from '../../src/report/gradebook.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderText } from '../../src/report/text.js';
import { allPassed, scoreSkills, strictResults, totalScore } from '../../src/runner/score.js';
import type { CheckResult, ExerciseResult } from '../../src/runner/types.js';

const check = (id: string, status: CheckResult['status'], points = 1): CheckResult => ({
  id, title: id, kind: 'image-exists', status, points, earned: status === 'pass' ? points : 0,
  expected: 'x present', actual: 'absent', message: `message of ${id} <&>`, durationMs: 3,
});
const exercise = (id: string, checks: CheckResult[]): ExerciseResult => {
  const counted = checks.filter((c) => c.status !== 'skip');
  return { id, title: id, checks, earned: counted.reduce((s, c) => s + c.earned, 0), possible: counted.reduce((s, c) => s + c.points, 0) };
};
const skills = [
  { id: 'tags', label: { fr: 'Tags', en: 'Tags' }, exercises: ['ex1'] },
  { id: 'multi', label: { fr: 'Multi', en: 'Multi' }, exercises: ['ex2', 'ex8'] },
  { id: 'cleanup', label: { fr: 'Nettoyage', en: 'Cleanup' }, exercises: ['ex6'] },
];

describe('scoring', () => {
  const results = [exercise('ex1', [check('a', 'pass'), check('b', 'pass', 2)]), exercise('ex2', [check('c', 'pass'), check('d', 'fail'), check('e', 'skip')])];
  it('gives each skill pass, partial, fail or pending', () => {
    expect(scoreSkills(skills, results, 'en').map((s) => [s.id, s.status, s.earned, s.possible])).toEqual([
      ['tags', 'pass', 3, 3],
      ['multi', 'partial', 1, 2],
      ['cleanup', 'pending', 0, 0],
    ]);
    expect(scoreSkills(skills, [exercise('ex2', [check('d', 'fail')])], 'en')[1]!.status).toBe('fail');
  });
  it('never counts a skip as a pass, nor as possible points', () => {
    expect(totalScore(results)).toEqual({ earned: 4, possible: 5, percent: 80, skipped: 1 });
    expect(allPassed([exercise('ex1', [check('a', 'pass'), check('s', 'skip')])])).toBe(true);
    expect(allPassed(results)).toBe(false);
    expect(allPassed([exercise('ex1', [check('a', 'error')])])).toBe(false);
  });
});

describe('honest grading', () => {
  const hubSkipped = exercise('ex4', [check('a', 'pass'), check('hub', 'skip', 2)]);
  it('a skill passes only when every exercise that feeds it was evaluated and passed, and names those missing', () => {
    const allOfEx2 = [exercise('ex2', [check('c', 'pass')])];
    expect(scoreSkills(skills, allOfEx2, 'en')[1]).toEqual({ id: 'multi', label: 'Multi', status: 'partial', earned: 1, possible: 1, missing: ['ex8'] });
    expect(scoreSkills(skills, allOfEx2, 'en')[0]).toMatchObject({ status: 'pending', missing: ['ex1'] });
    expect(scoreSkills(skills, [exercise('ex1', [check('a', 'pass')])], 'en')[0]).toEqual({ id: 'tags', label: 'Tags', status: 'pass', earned: 1, possible: 1 });
    const text = renderText(buildReport('unix:///x', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, allOfEx2, scoreSkills(skills, allOfEx2, 'en'), 'a'), 'en');
    expect(text).toContain('Multi 1/1 (still to check: ex8)');
  });
  it('--strict counts a skipped check as failed: exit code, score, JUnit and gradebook', () => {
    expect(allPassed([hubSkipped])).toBe(true);
    const strict = strictResults([hubSkipped], 'en');
    expect(allPassed(strict)).toBe(false);
    expect(totalScore(strict)).toEqual({ earned: 1, possible: 3, percent: 33.3, skipped: 0 });
    expect(strict[0]!.checks[1]).toMatchObject({ status: 'fail', skipped: true, message: 'Not checked, counted as failed (--strict): message of hub <&>' });
    const report = buildReport('unix:///x', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, strict, [], 'a', { strict: true });
    expect(report.strict).toBe(true);
    expect(renderJunit(report)).toContain('<failure message="Not checked, counted as failed (--strict)');
    expect(renderText(report, 'en')).toContain('Score: 1/3 (33.3 %) · --strict: 1 check(s) not run counted as failed');
    expect(renderCsv(gradebook([{ student: 'a', report }])).split('\n')[1]).toMatch(/^a,33.3,1,3,1,yes,/);
  });
  it('carries notes only when there is one, shown after the score, controls shown', () => {
    const engine = { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64' };
    expect(buildReport('unix:///x', engine, [], [], 'a')).not.toHaveProperty('notes');
    const report = buildReport('unix:///x', engine, [], [], 'a', { notes: [{ id: 'recorded-runs-not-isolated', message: 'not isolated (\u001b[31mred)' }] });
    expect(report.notes).toEqual([{ id: 'recorded-runs-not-isolated', message: 'not isolated (\u001b[31mred)' }]);
    expect(renderText(report, 'en').split('\n').at(-1)).toBe('Note: not isolated (\\u001b[31mred)');
  });

  it('shows skipped checks as skipped in every output', () => {
    const report = buildReport('unix:///x', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, [hubSkipped], [], 'a');
    expect(report.score).toEqual({ earned: 1, possible: 1, percent: 100, skipped: 1 });
    expect(report.strict).toBe(false);
    expect(renderText(report, 'en')).toContain('– hub (skipped, not counted)\n      message of hub');
    expect(renderText(report, 'en')).toContain('Score: 1/1 (100 %) · 1 check(s) skipped, counted nowhere');
    expect(renderText(report, 'fr')).toContain('1 vérification(s) sautée(s), comptée(s) nulle part');
    expect(renderJunit(report)).toContain('<skipped message="message of hub');
    expect(renderCsv(gradebook([{ student: 'a', report }])).split('\n')[1]).toMatch(/^a,100,1,1,1,no,/);
  });
  it('records the environment overrides in effect', () => {
    const env = { TP7_DOCKER_HUB_URL: 'http://127.0.0.1:9', DOCKER_HOST: 'tcp://h:2375', PATH: '/bin', HOME: '/root', DOCKER_BUILDKIT: '0', TP7_LANG: 'en' };
    expect(environmentOverrides(env)).toEqual({ DOCKER_HOST: 'tcp://h:2375', TP7_DOCKER_HUB_URL: 'http://127.0.0.1:9', TP7_LANG: 'en' });
    const report = buildReport('unix:///x', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, [], [], 'a');
    expect(report.environment).toEqual(environmentOverrides(process.env));
  });
  it('--reveal shows the expected answer of questions in the text checklist', () => {
    const question: CheckResult = { ...check('q', 'fail'), kind: 'question', expected: 'amd64', message: 'Wrong answer.' };
    const report = buildReport('unix:///x', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, [exercise('ex1', [question, check('a', 'fail')])], [], 'a');
    expect(renderText(report, 'en', { reveal: true })).toContain('✘ q\n      Wrong answer.\n      expected: amd64\n');
    expect(renderText(report, 'en', { reveal: true })).not.toContain('expected: x present');
    expect(renderText(report, 'en')).not.toContain('expected:');
  });
});

describe('reports', () => {
  const results = [exercise('ex1', [check('a', 'pass'), check('b', 'fail'), check('c', 'error'), check('d', 'skip')])];
  const report = buildReport('unix:///x.sock', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, results, scoreSkills(skills, results, 'en'), 'alice');
  it('follows the tp7-report/1 contract', () => {
    expect(report).toMatchObject({ schema: 'tp7-report/1', lab: 'tp7', student: 'alice', engine: { host: 'unix:///x.sock', version: '20.10', apiVersion: '1.41' }, score: { earned: 1, possible: 3 } });
    expect(Object.keys(report.exercises[0]!.checks[0]!).sort()).toEqual(['actual', 'durationMs', 'earned', 'expected', 'id', 'kind', 'message', 'points', 'status', 'title']);
    expect(new Date(report.generatedAt).toISOString()).toBe(report.generatedAt);
  });
  it('renders a text checklist with messages under what is not green', () => {
    const text = renderText(report, 'en');
    expect(text).toContain('✔ a');
    expect(text).toContain('✘ b\n      message of b');
    expect(text).toContain('Score: 1/3 (33.3 %)');
    expect(text).not.toMatch(/\u001b\[/);
  });
  it('renders JUnit XML with escaped messages', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('<testsuite name="ex1 ex1" tests="4" failures="1" errors="1" skipped="1">');
    expect(xml).toContain('<testcase name="a" classname="tp7.ex1" time="0.003"/>');
    expect(xml).toContain('<failure message="message of b &#60;&#38;&#62;">');
    expect(xml).toContain('<skipped message=');
  });
});

describe('gradebook', () => {
  const at = (iso: string, earned: number) => {
    const results = [exercise('ex1', [check('a', earned > 0 ? 'pass' : 'fail'), check('b', earned > 1 ? 'pass' : 'fail')])];
    return { ...buildReport('unix:///x.sock', { version: '20.10', apiVersion: '1.41', os: 'linux', arch: 'amd64', store: 'classic' }, results, scoreSkills(skills, results, 'en')), generatedAt: iso };
  };
  it('keeps the latest report of each student and sorts by name', () => {
    const rows = gradebook([
      { student: 'zoé', report: at('2026-01-01T10:00:00Z', 1) },
      { student: 'bob', report: at('2026-01-01T10:00:00Z', 2) },
      { student: 'zoé', report: at('2026-01-01T11:00:00Z', 2) },
      { student: 'zoé', report: at('2026-01-01T09:00:00Z', 0) },
    ]);
    expect(rows.map((row) => [row.student, row.percent, row.exercises.ex1, row.skills.tags])).toEqual([
      ['bob', 100, '2/2', 'pass'],
      ['zoé', 100, '2/2', 'pass'],
    ]);
  });
  it('writes a CSV with one column per exercise and skill, quoting where needed', () => {
    const csv = renderCsv(gradebook([{ student: 'Dupont, Jean', report: at('2026-01-01T10:00:00Z', 1) }]));
    const [header, line] = csv.trim().split('\n');
    expect(header).toBe('student,percent,earned,possible,skipped,strict,ex1,skill:tags,skill:multi,skill:cleanup,checked_at');
    expect(line).toBe('"Dupont, Jean",50,1,2,0,no,1/2,partial,pending,pending,2026-01-01T10:00:00Z');
  });
  it('writes it for a French spreadsheet with `;` (decimals with a comma) or with tabs: a cell holding the delimiter is quoted, formulas stay neutral', () => {
    const row = (student: string, percent: number): GradebookRow => ({ student, generatedAt: '2026-01-01T10:00:00Z', percent, earned: 1, possible: 3, skipped: 0, strict: false, exercises: { ex1: '1/3' }, skills: {} });
    const rows = [row('Lefèvre; Élodie', 33.3), row('Dupont, Jean', 50), row('=1+1', 0)];
    expect(renderCsv(rows, [], ';').trimEnd().split('\n')).toEqual([
      'student;percent;earned;possible;skipped;strict;ex1;checked_at',
      '"Lefèvre; Élodie";33,3;1;3;0;no;1/3;2026-01-01T10:00:00Z',
      'Dupont, Jean;50;1;3;0;no;1/3;2026-01-01T10:00:00Z',
      "'=1+1;0;1;3;0;no;1/3;2026-01-01T10:00:00Z",
    ]);
    expect(renderCsv(rows, [], '\t').trimEnd().split('\n')[1]).toBe('Lefèvre; Élodie\t33.3\t1\t3\t0\tno\t1/3\t2026-01-01T10:00:00Z');
    expect(renderCsv(rows).trimEnd().split('\n')[1]).toBe('Lefèvre; Élodie,33.3,1,3,0,no,1/3,2026-01-01T10:00:00Z');
  });
});
