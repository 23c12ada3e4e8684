// The outputs of `tp7 grade`: a table for the terminal, one JSON document, the gradebook CSV, JUnit XML and a
// Markdown summary for the instructor. Names, messages and reasons come from students' machines: each output
// escapes them its own way (src/ui/escape.ts).
import { pick, both, type Lang } from '../lab/lang.js';
import type { CsvDelimiter } from '../report/delimiter.js';
import { gradebook, renderCsv, unscoredRow, type GradebookRow } from '../report/gradebook.js';
import { junitDocument, junitSuite } from '../report/junit.js';
import { markdownText, showControlsInline as shown, xmlText } from '../ui/escape.js';
import { MARKS, style } from '../ui/style.js';
import { describe, type Disagreement } from './compare.js';
import type { GradeRow } from './grade.js';

const WORDS = {
  student: both('étudiant', 'student'),
  status: both('état', 'status'),
  score: both('score', 'score'),
  graded: both('noté', 'graded'),
  error: both('erreur', 'error'),
  disagreements: both('Désaccords avec les rapports rendus', 'Disagreements with the submitted reports'),
  noDisagreement: both('Aucun désaccord avec les rapports rendus.', 'No disagreement with the submitted reports.'),
  summary: both('Notation TP7', 'TP7 grading'),
  failedWhat: both('Qui a échoué quoi', 'Who failed what'),
  unreachable: both('Machines non notées', 'Machines not graded'),
  allPassed: both('tout est vert', 'everything passed'),
  nobodyFailed: both('Personne n’a d’échec.', 'Nobody failed a check.'),
  everyoneGraded: both('Toutes les machines ont été notées.', 'Every machine was graded.'),
  submitted: both('rendu', 'submitted'),
  live: both('en direct', 'live'),
};

const say = (key: keyof typeof WORDS, lang: Lang) => pick(WORDS[key], lang);

/** The exercises graded, in the order they were run. */
function exerciseIds(rows: readonly GradeRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.status === 'graded' ? row.report.exercises.map((exercise) => exercise.id) : [])))];
}

/** The terminal table: one line per student, the reason on the line of a student who could not be graded. */
export function renderTable(rows: readonly GradeRow[], lang: Lang): string {
  const ids = exerciseIds(rows);
  const width = Math.max(say('student', lang).length, ...rows.map((row) => shown(row.student).length));
  const header = `${say('student', lang).padEnd(width)}  ${say('score', lang).padStart(6)}  ${ids.map((id) => id.padEnd(7)).join(' ')}`;
  const lines = rows.map((row) => {
    const name = shown(row.student).padEnd(width);
    if (row.status === 'error') return `${name}  ${style.red('    --')}  ${style.dim(shown(pick(row.error, lang)))}`;
    const cells = ids.map((id) => {
      const exercise = row.report.exercises.find((candidate) => candidate.id === id);
      return (exercise ? `${exercise.earned}/${exercise.possible}` : '-').padEnd(7);
    });
    return `${name}  ${`${row.report.score.percent}%`.padStart(6)}  ${cells.join(' ')}`;
  });
  return [style.bold(header), ...lines].join('\n');
}

/** The disagreements found by --compare, for the terminal. */
export function renderDisagreements(items: readonly Disagreement[], lang: Lang): string {
  if (!items.length) return say('noDisagreement', lang);
  const lines = items.map((item) => `  ${MARKS.fail()} ${shown(item.student)}: ${shown(pick(describe(item), lang))}  ${style.dim(`(${say('submitted', lang)} ${shown(item.submitted)}, ${say('live', lang)} ${shown(item.live)})`)}`);
  return [style.bold(say('disagreements', lang)), ...lines].join('\n');
}

/** The JSON document (tp7-grade/1): per student the full tp7-report/1, or the reason it could not be made. */
export function gradeDocument(rows: readonly GradeRow[], lang: Lang, generatedAt: string, disagreements?: readonly Disagreement[]): unknown {
  return {
    schema: 'tp7-grade/1',
    generatedAt,
    exercises: exerciseIds(rows),
    students: rows.map((row) => ({
      student: row.student,
      engine: row.engine,
      workdir: row.workdir,
      status: row.status,
      durationMs: row.durationMs,
      ...(row.status === 'graded' ? { report: row.report } : { error: pick(row.error, lang) }),
    })),
    ...(disagreements ? { disagreements: disagreements.map((item) => ({ ...item, message: pick(describe(item), lang) })) } : {}),
  };
}

/** The gradebook rows in roster order, a student who could not be graded listed with empty score cells. */
function gradebookRows(rows: readonly GradeRow[], generatedAt: string): GradebookRow[] {
  return rows.map((row) => (row.status === 'graded' ? gradebook([{ student: row.student, report: row.report }])[0]! : unscoredRow(row.student, generatedAt)));
}

/** The gradebook CSV of `tp7 class`, plus each row's status and reason. */
export function renderGradeCsv(rows: readonly GradeRow[], lang: Lang, generatedAt: string, delimiter: CsvDelimiter = ','): string {
  const byStudent = new Map(rows.map((row) => [row.student, row]));
  return renderCsv(gradebookRows(rows, generatedAt), [
    { name: 'status', cell: (row) => byStudent.get(row.student)!.status },
    { name: 'error', cell: (row) => { const graded = byStudent.get(row.student)!; return graded.status === 'error' ? pick(graded.error, lang) : ''; } },
  ], delimiter);
}

/** JUnit XML: a testsuite per student and exercise; a student not graded is one errored testcase. */
export function renderGradeJunit(rows: readonly GradeRow[], lang: Lang, generatedAt: string): string {
  const suites = rows.flatMap((row) => {
    if (row.status === 'graded') return row.report.exercises.map((exercise) => junitSuite(exercise, row.student));
    const reason = xmlText(pick(row.error, lang));
    return [[
      `  <testsuite name="${xmlText(row.student)}" tests="1" failures="0" errors="1" skipped="0">`,
      `    <testcase name="grading" classname="${xmlText(`tp7.${row.student}`)}" time="${(row.durationMs / 1000).toFixed(3)}"><error message="${reason}">${reason}</error></testcase>`,
      '  </testsuite>',
    ].join('\n')];
  });
  return junitDocument(generatedAt, suites);
}

/** The instructor's summary: scores, who failed what, machines not graded, and the disagreements found. */
export function renderMarkdown(rows: readonly GradeRow[], lang: Lang, generatedAt: string, disagreements?: readonly Disagreement[]): string {
  const ids = exerciseIds(rows);
  const out: string[] = [`# ${say('summary', lang)} (${generatedAt})`, ''];
  const tableRow = (cells: string[]) => `| ${cells.join(' | ')} |`;
  out.push(tableRow([say('student', lang), say('status', lang), say('score', lang), ...ids]));
  out.push(tableRow(['---', '---', '---:', ...ids.map(() => '---:')]));
  for (const row of rows) {
    const name = markdownText(row.student);
    if (row.status === 'error') {
      out.push(tableRow([name, say('error', lang), '', ...ids.map(() => '')]));
      continue;
    }
    const cells = ids.map((id) => {
      const exercise = row.report.exercises.find((candidate) => candidate.id === id);
      return exercise ? `${exercise.earned}/${exercise.possible}` : '-';
    });
    out.push(tableRow([name, say('graded', lang), `${row.report.score.percent} %`, ...cells]));
  }
  out.push('', `## ${say('failedWhat', lang)}`, '');
  const failing = rows.filter((row) => row.status === 'graded' && row.report.exercises.some((exercise) => exercise.checks.some((check) => check.status === 'fail' || check.status === 'error')));
  if (!failing.length) out.push(say('nobodyFailed', lang));
  for (const row of failing) {
    if (row.status !== 'graded') continue;
    const failed = row.report.exercises.flatMap((exercise) => exercise.checks.filter((check) => check.status === 'fail' || check.status === 'error').map((check) => `${exercise.id} ${check.id}`));
    out.push(`- **${markdownText(row.student)}**: ${failed.map(markdownText).join(', ')}`);
  }
  out.push('', `## ${say('unreachable', lang)}`, '');
  const notGraded = rows.filter((row) => row.status === 'error');
  if (!notGraded.length) out.push(say('everyoneGraded', lang));
  for (const row of notGraded) if (row.status === 'error') out.push(`- **${markdownText(row.student)}** (${markdownText(row.engine)}): ${markdownText(pick(row.error, lang))}`);
  if (disagreements) {
    out.push('', `## ${say('disagreements', lang)}`, '');
    if (!disagreements.length) out.push(say('noDisagreement', lang));
    for (const item of disagreements) {
      out.push(`- **${markdownText(item.student)}**: ${markdownText(pick(describe(item), lang))} (${say('submitted', lang)} ${markdownText(item.submitted)}, ${say('live', lang)} ${markdownText(item.live)})`);
    }
  }
  return `${out.join('\n')}\n`;
}
