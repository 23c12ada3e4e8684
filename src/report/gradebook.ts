import { csvCell } from '../ui/escape.js';
import type { CsvDelimiter } from './delimiter.js';
import type { Report } from './json.js';

export interface GradebookRow {
  student: string;
  generatedAt: string;
  percent: number;
  earned: number;
  possible: number;
  /** Checks that could not be run (e.g. Docker Hub offline): not in the score, unless the report is strict. */
  skipped: number;
  /** The report was made with --strict: its skipped checks were counted as failed. */
  strict: boolean;
  /** exercise id → "earned/possible" */
  exercises: Record<string, string>;
  /** skill id → status */
  skills: Record<string, string>;
  /** No score at all (tp7 grade could not reach this student): its score cells stay empty, never a 0. */
  unscored?: true;
}

/** A column added after the gradebook's own (tp7 grade's status and error). */
export interface GradebookColumn {
  name: string;
  cell(row: GradebookRow): string | number;
}

/** The row of a student who has no score: listed, so that nobody goes missing from the gradebook. */
export function unscoredRow(student: string, at: string): GradebookRow {
  return { student, generatedAt: at, percent: 0, earned: 0, possible: 0, skipped: 0, strict: false, exercises: {}, skills: {}, unscored: true };
}

/** One row per student: the latest report wins when a student handed in several. */
export function gradebook(entries: Array<{ student: string; report: Report }>): GradebookRow[] {
  const latest = new Map<string, { student: string; report: Report }>();
  for (const entry of entries) {
    const known = latest.get(entry.student);
    if (!known || known.report.generatedAt < entry.report.generatedAt) latest.set(entry.student, entry);
  }
  return [...latest.values()]
    .sort((a, b) => a.student.localeCompare(b.student))
    .map(({ student, report }) => ({
      student,
      generatedAt: report.generatedAt,
      percent: report.score.percent,
      earned: report.score.earned,
      possible: report.score.possible,
      skipped: skippedChecks(report),
      strict: report.strict === true,
      exercises: Object.fromEntries(report.exercises.map((exercise) => [exercise.id, `${exercise.earned}/${exercise.possible}`])),
      skills: Object.fromEntries(report.checklist.map((skill) => [skill.id, skill.status])),
    }));
}

/** Skipped checks, counted from the checks themselves: reports made before `score.skipped` existed have them too. */
function skippedChecks(report: Report): number {
  return report.exercises.reduce((sum, exercise) => sum + (exercise.checks ?? []).filter((check) => check.status === 'skip' || check.skipped).length, 0);
}

/**
 * A CSV a spreadsheet or an LMS gradebook imports: one line per student, one column per exercise and skill, its
 * cells apart by `delimiter` (src/report/delimiter.ts: `;` for a French spreadsheet).
 */
export function renderCsv(rows: GradebookRow[], extra: readonly GradebookColumn[] = [], delimiter: CsvDelimiter = ','): string {
  const exerciseIds = [...new Set(rows.flatMap((row) => Object.keys(row.exercises)))].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
  const skillIds = [...new Set(rows.flatMap((row) => Object.keys(row.skills)))];
  const header = ['student', 'percent', 'earned', 'possible', 'skipped', 'strict', ...exerciseIds, ...skillIds.map((id) => `skill:${id}`), 'checked_at', ...extra.map((column) => column.name)];
  const lines = rows.map((row) => [
    row.student,
    ...(row.unscored ? ['', '', '', '', ''] : [row.percent, row.earned, row.possible, row.skipped, row.strict ? 'yes' : 'no']),
    ...exerciseIds.map((id) => row.exercises[id] ?? ''),
    ...skillIds.map((id) => row.skills[id] ?? ''),
    row.generatedAt,
    ...extra.map((column) => column.cell(row)),
  ]);
  return [header, ...lines].map((line) => line.map((cell) => csvCell(cell, delimiter)).join(delimiter)).join('\n') + '\n';
}
