import { both, type LocalizedText } from '../lab/lang.js';
import type { SubmittedReport } from '../report/schema.js';
import type { CourseOutline, Flag } from './rows.js';
import type { StudentRecord } from './store.js';

// Integrity signals (issue 11): a report is the student's own account of their work, so the board points at what
// does not add up. Nothing here refuses a report: the instructor reads the flag and asks.

/** Scores are sums of whole points, but a percent is rounded to 0.1: allow for that, nothing more. */
const PERCENT_TOLERANCE = 0.051;

/** What in one report contradicts itself: a passed skill over a failed check, sums that do not add up. */
export function contradictions(report: SubmittedReport, outline: CourseOutline): LocalizedText[] {
  const found: LocalizedText[] = [];
  for (const exercise of report.exercises) {
    const counted = exercise.checks.filter((check) => check.status !== 'skip');
    const earned = counted.reduce((sum, check) => sum + check.earned, 0);
    const possible = counted.reduce((sum, check) => sum + check.points, 0);
    const over = exercise.checks.find((check) => check.earned > check.points || (check.status !== 'pass' && check.earned > 0));
    if (over) found.push(both(`${exercise.id} : « ${over.id} » rapporte ${over.earned} point(s) sur ${over.points} avec le statut ${over.status}`, `${exercise.id}: "${over.id}" earns ${over.earned} point(s) of ${over.points} with status ${over.status}`));
    if (exercise.earned !== earned || exercise.possible !== possible) {
      found.push(both(`${exercise.id} : score ${exercise.earned}/${exercise.possible}, alors que ses vérifications font ${earned}/${possible}`, `${exercise.id}: score ${exercise.earned}/${exercise.possible}, but its checks add up to ${earned}/${possible}`));
    }
    if (exercise.earned > exercise.possible) found.push(both(`${exercise.id} : ${exercise.earned} points gagnés sur ${exercise.possible} possibles`, `${exercise.id}: ${exercise.earned} points earned of ${exercise.possible} possible`));
  }
  const { score } = report;
  const earned = report.exercises.reduce((sum, exercise) => sum + exercise.earned, 0);
  const possible = report.exercises.reduce((sum, exercise) => sum + exercise.possible, 0);
  const percent = possible ? (100 * earned) / possible : 0;
  if (score.earned !== earned || score.possible !== possible || Math.abs(score.percent - percent) > PERCENT_TOLERANCE) {
    found.push(both(`score total ${score.earned}/${score.possible} (${score.percent} %), alors que les exercices font ${earned}/${possible}`, `total score ${score.earned}/${score.possible} (${score.percent} %), but the exercises add up to ${earned}/${possible}`));
  }
  if (score.earned > score.possible) found.push(both(`${score.earned} points gagnés sur ${score.possible} possibles`, `${score.earned} points earned of ${score.possible} possible`));
  for (const skill of report.checklist.filter((candidate) => candidate.status === 'pass')) {
    const proving = outline.skills.find((known) => known.id === skill.id)?.exercises ?? [];
    const failed = report.exercises
      .filter((exercise) => proving.includes(exercise.id))
      .flatMap((exercise) => exercise.checks.filter((check) => check.status === 'fail' || check.status === 'error').map((check) => `${exercise.id}/${check.id}`));
    if (failed.length) found.push(both(`compétence « ${skill.id} » validée alors que ${failed.join(', ')} échoue`, `skill "${skill.id}" passed while ${failed.join(', ')} failed`));
  }
  return found;
}

/** Engine hash → the students whose current report carries it. */
export class EngineIndex {
  private readonly byEngine = new Map<string, Set<string>>();
  private readonly ofStudent = new Map<string, string>();

  /** Records a student's engine; returns every student whose same-engine flag may have changed. */
  set(key: string, engine: string | undefined): string[] {
    const before = this.ofStudent.get(key);
    if (before === engine) return [];
    const touched = new Set<string>([key]);
    if (before !== undefined) {
      const group = this.byEngine.get(before)!;
      group.delete(key);
      for (const other of group) touched.add(other);
      if (!group.size) this.byEngine.delete(before);
      this.ofStudent.delete(key);
    }
    if (engine !== undefined) {
      const group = this.byEngine.get(engine) ?? new Set<string>();
      for (const other of group) touched.add(other);
      group.add(key);
      this.byEngine.set(engine, group);
      this.ofStudent.set(key, engine);
    }
    return [...touched];
  }

  /** The other students on this student's engine. */
  sharing(key: string): string[] {
    const engine = this.ofStudent.get(key);
    return engine === undefined ? [] : [...this.byEngine.get(engine)!].filter((other) => other !== key);
  }
}

/** Every flag of a student, from their record, their report and the engine index. */
export function flagsOf(record: StudentRecord, outline: CourseOutline, engines: EngineIndex, nameOf: (key: string) => string): Flag[] {
  const flags: Flag[] = [];
  const others = engines.sharing(record.key).map(nameOf);
  if (others.length) {
    const names = others.map((name) => JSON.stringify(name)).join(', ');
    flags.push({ kind: 'same-engine', detail: both(`même moteur Docker que ${names}`, `same Docker engine as ${names}`) });
  }
  if (record.stale) {
    const { generatedAt, previous } = record.stale;
    flags.push({ kind: 'stale', detail: both(`rapport du ${generatedAt} refusé : plus ancien que celui du ${previous}`, `report of ${generatedAt} refused: older than the one of ${previous}`) });
  }
  if (record.report) {
    const found = contradictions(record.report, outline);
    if (found.length) flags.push({ kind: 'contradiction', detail: both(found.map((text) => text.fr).join(' ; '), found.map((text) => text.en).join('; ')) });
  }
  return flags;
}
