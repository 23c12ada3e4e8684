// `tp7 grade --compare`: the live result beside the report each student handed in, every disagreement listed
// check by check. A report edited by hand (a fail turned into a pass, a score raised) shows up here: the live
// run disagrees with it, or its own figures do not add up.
import { both, type LocalizedText } from '../lab/lang.js';
import type { Report } from '../report/json.js';
import type { GradeRow } from './grade.js';

export type DisagreementKind =
  | 'no-report'
  | 'not-on-roster'
  | 'not-graded'
  | 'missing-exercise'
  | 'missing-check'
  | 'extra-check'
  | 'status'
  | 'inconsistent'
  | 'engine';

export interface Disagreement {
  student: string;
  kind: DisagreementKind;
  exercise?: string;
  check?: string;
  /** What the submitted report says, and what the live run found (a status, a score, a version). */
  submitted: string;
  live: string;
}

/** A report as handed in: read loosely, every field may be missing or of the wrong type. */
interface Submitted {
  student: string;
  report: Report;
}

type LooseCheck = { id?: unknown; status?: unknown; points?: unknown; earned?: unknown };
type LooseExercise = { id?: unknown; earned?: unknown; possible?: unknown; checks?: unknown };

function checksOf(exercise: LooseExercise | undefined): LooseCheck[] {
  return Array.isArray(exercise?.checks) ? (exercise.checks as LooseCheck[]) : [];
}

/** Figures that do not add up: a check's earned points, an exercise's sum, the total. Each is a sign of editing. */
function inconsistencies(student: string, report: Report): Disagreement[] {
  const found: Disagreement[] = [];
  const exercises = (Array.isArray(report.exercises) ? report.exercises : []) as LooseExercise[];
  let total = 0;
  for (const exercise of exercises) {
    const exerciseId = String(exercise.id);
    let sum = 0;
    for (const check of checksOf(exercise)) {
      const earned = Number(check.earned);
      const due = check.status === 'pass' ? Number(check.points) : 0;
      if (earned !== due) found.push({ student, kind: 'inconsistent', exercise: exerciseId, check: String(check.id), submitted: `${check.status} ${earned}`, live: `${check.status} ${due}` });
      sum += Number.isFinite(earned) ? earned : 0;
    }
    if (Number(exercise.earned) !== sum) found.push({ student, kind: 'inconsistent', exercise: exerciseId, submitted: String(exercise.earned), live: String(sum) });
    total += Number(exercise.earned) || 0;
  }
  if (Number(report.score?.earned) !== total) found.push({ student, kind: 'inconsistent', submitted: String(report.score?.earned), live: String(total) });
  return found;
}

/** The engine the report names beside the one graded: any field both carry (version, an engine hash...) but where it is reached from. */
function engineDifferences(student: string, submitted: Report, live: Report): Disagreement[] {
  const theirs = (submitted.engine ?? {}) as unknown as Record<string, unknown>;
  const ours = live.engine as unknown as Record<string, unknown>;
  return Object.keys(ours)
    .filter((key) => key !== 'host' && key in theirs && JSON.stringify(theirs[key]) !== JSON.stringify(ours[key]))
    .map((key) => ({ student, kind: 'engine' as const, check: key, submitted: String(theirs[key]), live: String(ours[key]) }));
}

/** Check by check, on the exercises graded live. */
function checkDifferences(student: string, submitted: Report, live: Report): Disagreement[] {
  const found: Disagreement[] = [];
  const theirs = new Map(((Array.isArray(submitted.exercises) ? submitted.exercises : []) as LooseExercise[]).map((exercise) => [String(exercise.id), exercise]));
  for (const exercise of live.exercises) {
    const their = theirs.get(exercise.id);
    if (!their) {
      found.push({ student, kind: 'missing-exercise', exercise: exercise.id, submitted: '-', live: `${exercise.earned}/${exercise.possible}` });
      continue;
    }
    const theirChecks = new Map(checksOf(their).map((check) => [String(check.id), check]));
    for (const check of exercise.checks) {
      const theirCheck = theirChecks.get(check.id);
      theirChecks.delete(check.id);
      if (!theirCheck) found.push({ student, kind: 'missing-check', exercise: exercise.id, check: check.id, submitted: '-', live: check.status });
      else if (theirCheck.status !== check.status) found.push({ student, kind: 'status', exercise: exercise.id, check: check.id, submitted: String(theirCheck.status), live: check.status });
    }
    for (const id of theirChecks.keys()) found.push({ student, kind: 'extra-check', exercise: exercise.id, check: id, submitted: String(theirChecks.get(id)?.status), live: '-' });
  }
  return found;
}

/** The latest report of each student (several may have been handed in). */
function latestByStudent(submitted: readonly Submitted[]): Map<string, Report> {
  const latest = new Map<string, Report>();
  for (const { student, report } of submitted) {
    const known = latest.get(student);
    if (!known || String(known.generatedAt) < String(report.generatedAt)) latest.set(student, report);
  }
  return latest;
}

/** Every disagreement between the live rows and the reports handed in, in roster order. */
export function compareWithSubmitted(rows: readonly GradeRow[], submitted: readonly Submitted[]): Disagreement[] {
  const latest = latestByStudent(submitted);
  const found: Disagreement[] = [];
  for (const row of rows) {
    const report = latest.get(row.student);
    latest.delete(row.student);
    if (!report) {
      found.push({ student: row.student, kind: 'no-report', submitted: '-', live: row.status === 'graded' ? `${row.report.score.percent} %` : '-' });
      continue;
    }
    if (row.status === 'error') {
      found.push({ student: row.student, kind: 'not-graded', submitted: `${report.score?.percent} %`, live: '-' });
      continue;
    }
    found.push(...checkDifferences(row.student, report, row.report), ...inconsistencies(row.student, report), ...engineDifferences(row.student, report, row.report));
  }
  for (const [student, report] of latest) found.push({ student, kind: 'not-on-roster', submitted: `${report.score?.percent} %`, live: '-' });
  return found;
}

/** What a disagreement means, in words (its figures are shown beside it). */
export function describe(item: Disagreement): LocalizedText {
  const where = [item.exercise, item.check].filter(Boolean).join(' ');
  switch (item.kind) {
    case 'no-report': return both('aucun rapport rendu', 'no report handed in');
    case 'not-on-roster': return both('rapport rendu par un étudiant absent de la liste', 'report from a student not on the roster');
    case 'not-graded': return both('machine non notée : rien à comparer', 'machine not graded: nothing to compare');
    case 'missing-exercise': return both(`${where} : absent du rapport rendu`, `${where}: missing from the submitted report`);
    case 'missing-check': return both(`${where} : vérification absente du rapport rendu`, `${where}: check missing from the submitted report`);
    case 'extra-check': return both(`${where} : vérification inconnue dans le rapport rendu`, `${where}: unknown check in the submitted report`);
    case 'status': return both(`${where} : le rapport dit ${item.submitted}, la vérification en direct ${item.live}`, `${where}: the report says ${item.submitted}, the live check ${item.live}`);
    case 'inconsistent': return both(`${where || 'score'} : les points du rapport ne s’additionnent pas (modifié à la main ?)`, `${where || 'score'}: the report's points do not add up (edited by hand?)`);
    case 'engine': return both(`moteur : ${item.check} diffère`, `engine: ${item.check} differs`);
  }
}
