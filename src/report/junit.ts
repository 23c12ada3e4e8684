import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { xmlText } from '../ui/escape.js';
import type { Report } from './json.js';

/**
 * JUnit XML: one testsuite per exercise, one testcase per check, so CI dashboards and gradebooks can read it.
 * Every value goes through xmlText: a message may quote an image, a registry or a student's script.
 */
export function renderJunit(report: Report): string {
  return junitDocument(report.generatedAt, exerciseSuites(report));
}

/**
 * A whole class in one JUnit file (`tp7 serve`'s export): each student's exercises as suites named after the
 * student, so a CI dashboard lists who failed what. The names come from the network: escaped like the rest.
 */
export function renderClassJunit(entries: Array<{ student: string; report: Report }>, timestamp: string): string {
  return junitDocument(timestamp, entries.flatMap(({ student, report }) => exerciseSuites(report, student)));
}

function junitDocument(timestamp: string, suites: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tp7" timestamp="${xmlText(timestamp)}">\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}

/** The suites of one report; with `student`, each suite and class name starts with it. */
function exerciseSuites(report: Report, student?: string): string[] {
  const prefix = student === undefined ? '' : `${student} · `;
  return report.exercises.map((exercise) => {
    const failures = exercise.checks.filter((check) => check.status === 'fail').length;
    const errors = exercise.checks.filter((check) => check.status === 'error').length;
    const skipped = exercise.checks.filter((check) => check.status === 'skip').length;
    const classname = student === undefined ? `tp7.${exercise.id}` : `tp7.${student}.${exercise.id}`;
    const cases = exercise.checks.map((check) => {
      const attributes = `name="${xmlText(check.id)}" classname="${xmlText(classname)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      const detail = xmlText(`expected: ${check.expected}\nactual: ${check.actual}`);
      if (check.status === 'pass') return `    <testcase ${attributes}/>`;
      if (check.status === 'skip') return `    <testcase ${attributes}><skipped message="${xmlText(check.message)}"/></testcase>`;
      const tag = check.status === 'error' ? 'error' : 'failure';
      return `    <testcase ${attributes}><${tag} message="${xmlText(check.message)}">${detail}</${tag}></testcase>`;
    });
    return [
      `  <testsuite name="${xmlText(`${prefix}${exercise.id} ${exercise.title}`)}" tests="${exercise.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
}

export function writeJunit(file: string, report: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJunit(report));
}
