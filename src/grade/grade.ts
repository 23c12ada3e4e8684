// Grading a roster: each student's machine checked by the grader's own tp7, the same checks as `tp7 check`, with
// nothing taken on trust from the student's side (no stored verdicts) and nothing written there. Students are
// graded a few at a time; one that cannot be reached, or takes too long, is that student's row, never the end.
import { setMaxListeners } from 'node:events';
import { CheckError, EngineUnreachableError, oneLineText } from '../errors.js';
import { both, type Lang, type LocalizedText } from '../lab/lang.js';
import type { Exercise, Skill } from '../lab/schema.js';
import type { FileAccess } from '../files/types.js';
import { parseProgress, type Progress } from '../progress/store.js';
import { buildReport, environmentOverrides, type Report } from '../report/json.js';
import { mapConcurrent, withTimeout } from '../runner/pool.js';
import { runExercise } from '../runner/run.js';
import { scoreSkills, strictResults } from '../runner/score.js';
import type { Target, TargetSession } from '../target/types.js';
import type { RosterEntry } from './roster.js';
import { isolationNotes } from '../scripts/recorded-run.js';

interface RowBase {
  student: string;
  /** The engine address as the roster gave it. */
  engine: string;
  workdir: string;
  durationMs: number;
}

/** One student's line: the full report when graded, the one-line reason (both languages) when not. */
export type GradeRow = (RowBase & { status: 'graded'; report: Report }) | (RowBase & { status: 'error'; error: LocalizedText });

export interface GradeOptions {
  exercises: Exercise[];
  skills: Skill[];
  lang: Lang;
  /** Skipped checks count as failed (tp7 check --strict). */
  strict: boolean;
  /** Students graded at once. */
  jobs: number;
  /** One student's whole grading, connection included. */
  timeoutMs: number;
  /** The clients of one machine (src/target/open.ts; ssh:// targets plug in there). */
  open: (target: Target) => Promise<TargetSession>;
  /** Called as each student's row is ready (progress lines). */
  onRow?: (row: GradeRow, done: number, total: number) => void;
}

const PROGRESS_FILE = '.tp7/progress.json';

/** The student's answers, read where the student's files are (over SFTP for an ssh:// machine). */
async function readProgress(files: FileAccess): Promise<Progress> {
  const text = (await files.stat(PROGRESS_FILE)) ? await files.readText(PROGRESS_FILE) : undefined;
  return parseProgress(text, PROGRESS_FILE).progress;
}

function studentTimeLimit(ms: number): CheckError {
  const seconds = String(ms / 1000);
  return new CheckError(both(`notation interrompue après ${seconds.replace('.', ',')} s (TP7_GRADE_TIMEOUT_MS)`, `grading stopped after ${seconds} s (TP7_GRADE_TIMEOUT_MS)`));
}

function missingWorkdir(workdir: string): CheckError {
  return new CheckError(both(`dossier de travail ${workdir} introuvable sur la machine de l'étudiant`, `working directory ${workdir} not found on the student's machine`));
}

/** What a graded report says about where it ran: the student's engine, and the grader's own time limits. */
function gradedEnvironment(entry: RosterEntry): Record<string, string> {
  const grader = Object.entries(environmentOverrides()).filter(([name]) => name.startsWith('TP7_'));
  return Object.fromEntries([...grader, ['DOCKER_HOST', entry.engine.host], ...(entry.engine.tlsVerify ? [['DOCKER_TLS_VERIFY', '1']] : [])]);
}

/** Opens the student's machine, runs every chosen exercise there and builds the tp7-report/1 document. */
async function gradeOn(entry: RosterEntry, options: GradeOptions, signal: AbortSignal): Promise<Report> {
  const session = await options.open(entry);
  try {
    const { clients } = session;
    if (!(await clients.files.stat('.'))?.isDirectory) throw missingWorkdir(entry.workdir);
    const progress = await readProgress(clients.files);
    const runOptions = { lang: options.lang, reveal: false, fresh: true, signal };
    const run = await Promise.all(options.exercises.map((exercise) => runExercise(exercise, { ...clients, signal }, progress, runOptions)));
    const results = options.strict ? strictResults(run, options.lang) : run;
    const skills = scoreSkills(options.skills, results, options.lang);
    const notes = isolationNotes(options.lang, [clients.scripts?.label ?? 'local']);
    return buildReport(clients.engine.host, await clients.engine.version(), results, skills, entry.student, { strict: options.strict, environment: gradedEnvironment(entry), notes });
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** The one-line reason of a row: for an engine out of reach, the cause alone (the advice is for students). */
function rowReason(error: unknown): LocalizedText {
  if (!(error instanceof EngineUnreachableError)) return oneLineText(error);
  return both(`moteur injoignable (${error.reason.fr})`, `engine unreachable (${error.reason.en})`);
}

/** One student, within the time limit; any failure becomes the row's reason. */
export async function gradeStudent(entry: RosterEntry, options: GradeOptions): Promise<GradeRow> {
  const started = performance.now();
  const base = { student: entry.student, engine: entry.engine.host, workdir: entry.workdir };
  const controller = new AbortController();
  // Every check in flight listens to it (each removes its listener when done): dozens at once is no leak.
  setMaxListeners(0, controller.signal);
  try {
    const report = await withTimeout(gradeOn(entry, options, controller.signal), options.timeoutMs, () => studentTimeLimit(options.timeoutMs));
    return { ...base, status: 'graded', report, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ...base, status: 'error', error: rowReason(error), durationMs: Math.round(performance.now() - started) };
  } finally {
    // Past the limit, the checks still in flight stop (a student's script is killed) rather than run on unseen.
    controller.abort();
  }
}

/** Every student of the roster, `jobs` at a time, rows in roster order. */
export async function gradeRoster(entries: readonly RosterEntry[], options: GradeOptions): Promise<GradeRow[]> {
  let done = 0;
  return mapConcurrent(entries, options.jobs, async (entry) => {
    const row = await gradeStudent(entry, options);
    options.onRow?.(row, ++done, entries.length);
    return row;
  });
}
