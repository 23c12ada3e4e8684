import type { LocalizedText } from '../lab/lang.js';
import type { SubmittedReport } from '../report/schema.js';
import type { StudentRecord } from './store.js';

// What the board shows of each student (tp7-board/1, BOARD-API.md): one row of the students × exercises grid,
// and the class-wide "where is the room stuck" list. Everything here is computed from the stored reports.

/** What the server knows of the course: exercises in course order, skills and the exercises that prove them. */
export interface CourseOutline {
  exercises: string[];
  skills: Array<{ id: string; exercises: string[] }>;
  /** "ex2/own-tags" → the check's title (or the question's prompt) in both languages. */
  titles: Map<string, LocalizedText>;
}

export type CellStatus = 'pass' | 'partial' | 'fail' | 'none';

export interface Flag {
  kind: 'same-engine' | 'stale' | 'contradiction';
  detail: LocalizedText;
}

export interface StudentRow {
  name: string;
  percent: number;
  earned: number;
  possible: number;
  exercises: Record<string, { earned: number; possible: number; status: CellStatus }>;
  skills: Record<string, CellStatus>;
  lastSeen: string;
  submissions: number;
  flags: Flag[];
}

export interface StuckCheck {
  exercise: string;
  check: string;
  title?: LocalizedText;
  failing: number;
  of: number;
}

function cellStatus(earned: number, possible: number): CellStatus {
  if (possible <= 0) return 'none';
  if (earned >= possible) return 'pass';
  return earned > 0 ? 'partial' : 'fail';
}

function exerciseCells(report: SubmittedReport | undefined, outline: CourseOutline): StudentRow['exercises'] {
  const ids = [...outline.exercises, ...(report?.exercises.map((exercise) => exercise.id).filter((id) => !outline.exercises.includes(id)) ?? [])];
  return Object.fromEntries(ids.map((id) => {
    const exercise = report?.exercises.find((candidate) => candidate.id === id);
    const earned = exercise?.earned ?? 0;
    const possible = exercise?.possible ?? 0;
    return [id, { earned, possible, status: cellStatus(earned, possible) }];
  }));
}

function skillCells(report: SubmittedReport | undefined, outline: CourseOutline): StudentRow['skills'] {
  return Object.fromEntries(outline.skills.map(({ id }) => {
    const status = report?.checklist.find((skill) => skill.id === id)?.status;
    return [id, status === undefined || status === 'pending' ? 'none' : status];
  }));
}

export function studentRow(record: StudentRecord, outline: CourseOutline, flags: Flag[]): StudentRow {
  const score = record.report?.score;
  return {
    name: record.name,
    percent: score?.percent ?? 0,
    earned: score?.earned ?? 0,
    possible: score?.possible ?? 0,
    exercises: exerciseCells(record.report, outline),
    skills: skillCells(record.report, outline),
    lastSeen: record.receivedAt ?? record.joinedAt ?? '',
    submissions: record.submissions,
    flags,
  };
}

/** The checks that fail for the most students (failed or in error), most first; `of` counts those who ran it. */
export function stuckChecks(reports: SubmittedReport[], outline: CourseOutline, limit = 20): StuckCheck[] {
  const counts = new Map<string, StuckCheck>();
  for (const report of reports) {
    for (const exercise of report.exercises) {
      for (const check of exercise.checks) {
        if (check.status === 'skip') continue;
        const key = `${exercise.id}/${check.id}`;
        const entry = counts.get(key) ?? { exercise: exercise.id, check: check.id, ...(outline.titles.has(key) ? { title: outline.titles.get(key)! } : {}), failing: 0, of: 0 };
        entry.of += 1;
        if (check.status === 'fail' || check.status === 'error') entry.failing += 1;
        counts.set(key, entry);
      }
    }
  }
  const order = (id: string) => {
    const at = outline.exercises.indexOf(id);
    return at < 0 ? outline.exercises.length : at;
  };
  return [...counts.values()]
    .filter((entry) => entry.failing > 0)
    .sort((a, b) => b.failing - a.failing || b.failing / b.of - a.failing / a.of || order(a.exercise) - order(b.exercise))
    .slice(0, limit);
}
