import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { xmlText } from '../ui/escape.js';
import type { Report } from './json.js';

/**
 * JUnit XML: one testsuite per exercise, one testcase per check, so CI dashboards and gradebooks can read it.
 * Every value goes through xmlText: a message may quote an image, a registry or a student's script.
 */
export function renderJunit(report: Report): string {
  const suites = report.exercises.map((exercise) => {
    const failures = exercise.checks.filter((check) => check.status === 'fail').length;
    const errors = exercise.checks.filter((check) => check.status === 'error').length;
    const skipped = exercise.checks.filter((check) => check.status === 'skip').length;
    const cases = exercise.checks.map((check) => {
      const attributes = `name="${xmlText(check.id)}" classname="${xmlText(`tp7.${exercise.id}`)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      const detail = xmlText(`expected: ${check.expected}\nactual: ${check.actual}`);
      if (check.status === 'pass') return `    <testcase ${attributes}/>`;
      if (check.status === 'skip') return `    <testcase ${attributes}><skipped message="${xmlText(check.message)}"/></testcase>`;
      const tag = check.status === 'error' ? 'error' : 'failure';
      return `    <testcase ${attributes}><${tag} message="${xmlText(check.message)}">${detail}</${tag}></testcase>`;
    });
    return [
      `  <testsuite name="${xmlText(`${exercise.id} ${exercise.title}`)}" tests="${exercise.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tp7" timestamp="${xmlText(report.generatedAt)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

export function writeJunit(file: string, report: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJunit(report));
}
