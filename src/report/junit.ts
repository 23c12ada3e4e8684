import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { both, pick, type Lang } from '../lab/lang.js';
import { xmlText } from '../ui/escape.js';
import type { ExerciseResult } from '../runner/types.js';
import type { Report } from './json.js';

/**
 * JUnit XML: one testsuite per exercise, one testcase per check, so CI dashboards and gradebooks can read it.
 * Every value goes through xmlText: a message may quote an image, a registry or a student's script.
 */
export function renderJunit(report: Report): string {
  return junitDocument(report.generatedAt, report.exercises.map((exercise) => junitSuite(exercise)));
}

/**
 * A whole class in one JUnit file (`tp7 serve`'s export): each student's exercises as suites named after the
 * student, so a CI dashboard lists who failed what. The names come from the network: escaped like the rest.
 */
export function renderClassJunit(entries: Array<{ student: string; report: Report }>, timestamp: string, lang: Lang = 'en'): string {
  return junitDocument(timestamp, entries.flatMap(({ student, report }) => report.exercises.map((exercise) => junitSuite(exercise, student, lang))));
}

/** The words of ours in a failure's detail; the rest (expected, actual) is the report's own text. */
const DETAIL = { expected: both('attendu : ', 'expected: '), actual: both('obtenu : ', 'actual: ') };

/**
 * One testsuite: an exercise's checks, one testcase each; `prefix` names whose they are (tp7 grade: a student).
 * `lang`: the language of the labels of a failure's detail.
 */
export function junitSuite(exercise: ExerciseResult, prefix = '', lang: Lang = 'en'): string {
  const failures = exercise.checks.filter((check) => check.status === 'fail').length;
  const errors = exercise.checks.filter((check) => check.status === 'error').length;
  const skipped = exercise.checks.filter((check) => check.status === 'skip').length;
  const classname = `tp7.${prefix ? `${prefix}.` : ''}${exercise.id}`;
  const cases = exercise.checks.map((check) => {
    const attributes = `name="${xmlText(check.id)}" classname="${xmlText(classname)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
    const detail = xmlText(`${pick(DETAIL.expected, lang)}${check.expected}\n${pick(DETAIL.actual, lang)}${check.actual}`);
    if (check.status === 'pass') return `    <testcase ${attributes}/>`;
    if (check.status === 'skip') return `    <testcase ${attributes}><skipped message="${xmlText(check.message)}"/></testcase>`;
    const tag = check.status === 'error' ? 'error' : 'failure';
    return `    <testcase ${attributes}><${tag} message="${xmlText(check.message)}">${detail}</${tag}></testcase>`;
  });
  const name = `${prefix ? `${prefix} · ` : ''}${exercise.id} ${exercise.title}`;
  return [
    `  <testsuite name="${xmlText(name)}" tests="${exercise.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/** The whole XML document around its testsuites. */
export function junitDocument(timestamp: string, suites: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tp7" timestamp="${xmlText(timestamp)}">\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}

/** Writes `text` to `file`, making its folder. */
export function writeReportFile(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export function writeJunit(file: string, report: Report): void {
  writeReportFile(file, renderJunit(report));
}
