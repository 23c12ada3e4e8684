import { EngineUnreachableError, oneLine, oneLineText } from '../errors.js';
import { pick, type Lang } from '../lab/text.js';
import type { Exercise } from '../lab/schema.js';
import { probeKind } from '../probes/index.js';
import type { Outcome, ProbeClients } from '../probes/types.js';
import { evaluateQuestion } from '../questions/evaluate.js';
import type { Progress } from '../progress/store.js';
import { withSignal } from '../processes/types.js';
import { hostWithSignal } from '../scripts/script-host.js';
import { inputsOf, type Item } from './inputs.js';
import { runOncePerState } from './reuse.js';
import { storedReadings } from '../cache/stored-readings.js';
import { availableParallelism } from 'node:os';
import { checkTimeLimitError, sharedLimit, withTimeout } from './pool.js';
import type { CheckResult, ExerciseResult } from './types.js';
import { settings } from '../settings.js';

/**
 * Checks in flight at once in this process, every exercise together: enough to overlap engine round trips, few
 * enough not to flood a small engine or a 2-core machine (a check's time limit starts when it gets its slot).
 */
const CONCURRENCY = 8;
const slot = sharedLimit(CONCURRENCY);

/**
 * Student scripts running at once across every exercise of the run: a full-course check holds some twenty, each
 * spawning a process per docker call. All at once on a small machine they took turns so finely that several
 * reached the check time limit; a check's time limit starts when its turn comes.
 */
const scriptTurns = sharedLimit(2 * availableParallelism());

export interface RunOptions {
  lang: Lang;
  /** Show the expected answer of questions (instructors); students never see it. */
  reveal: boolean;
  /** Called as each check ends, to show progress on long runs. */
  onCheckDone?: () => void;
  /**
   * Results of an earlier run of the same exercise (tp7 watch): an item for which `rerun` says no keeps its
   * result from there instead of being checked again.
   */
  previous?: ExerciseResult;
  rerun?: (item: Item) => boolean;
  /**
   * A check with side effects whose inputs are as they were when another tp7 process ran it keeps that
   * outcome (the user's verdict cache, see verdict-cache.ts: watch, hint and plain check, never --strict).
   */
  reuseStored?: boolean;
  /**
   * Grading: every check with side effects runs now and its outcome is kept nowhere, neither in this process
   * (another student graded alongside may have the same inputs) nor in the student's workdir (left unchanged).
   */
  fresh?: boolean;
  /** Aborting it stops every check in flight as its own time limit would (a student's whole grading time). */
  signal?: AbortSignal;
}


async function runItem(item: Item, exercise: Exercise, clients: ProbeClients, progress: Progress, options: RunOptions): Promise<Outcome> {
  if (item.kind === 'question') {
    const stored = progress.answers[exercise.id]?.[item.question.id]?.answer;
    return evaluateQuestion(item.question, stored, clients, exercise.id);
  }
  const kind = probeKind(item.check.probe.kind);
  const run = () => kind.run(item.check.probe, clients);
  if (!kind.sideEffects || options.fresh) return run();
  return runOncePerState(`${exercise.id}/${item.check.id}`, inputsOf(item), clients, run, options.reuseStored ?? false, item.check.probe);
}

/**
 * Runs one item within the check time limit. At the limit its signal is aborted, so that its work stops too
 * (a student's script is killed with its whole process group), not only the wait for it.
 */
async function limited(item: Item, exercise: Exercise, clients: ProbeClients, progress: Progress, options: RunOptions, id: string): Promise<Outcome> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const own: ProbeClients = {
    ...clients,
    signal: controller.signal,
    processes: withSignal(clients.processes, controller.signal),
    scripts: clients.scripts && hostWithSignal(clients.scripts, controller.signal),
    ...(options.reuseStored ? { stored: storedReadings() } : {}),
  };
  try {
    const ms = settings().TP7_CHECK_TIMEOUT_MS;
    const limitedRun = () => withTimeout(runItem(item, exercise, own, progress, options), ms, () => checkTimeLimitError(id, ms));
    const runsScript = item.kind === 'check' && probeKind(item.check.probe.kind).sideEffects;
    return await (runsScript ? scriptTurns(limitedRun) : limitedRun());
  } finally {
    options.signal?.removeEventListener('abort', stop);
    controller.abort();
  }
}

function hintPointer(exerciseId: string, lang: Lang): string {
  return lang === 'fr' ? ` Indice : tp7 hint ${exerciseId}` : ` Hint: tp7 hint ${exerciseId}`;
}

/** Appends the hint pointer as a sentence of its own. */
function withHint(message: string, pointer: string): string {
  if (!pointer) return message;
  return /[.!?)]$/.test(message.trim()) ? `${message}${pointer}` : `${message}.${pointer}`;
}

async function timed(item: Item, exercise: Exercise, clients: ProbeClients, progress: Progress, options: RunOptions): Promise<CheckResult> {
  const started = performance.now();
  const base = item.kind === 'check' ? item.check : item.question;
  let result: Outcome;
  try {
    result = await limited(item, exercise, clients, progress, options, base.id);
  } catch (error) {
    if (error instanceof EngineUnreachableError) throw error;
    const line = oneLineText(error);
    result = { status: 'error', expected: '', actual: oneLine(error), message: { fr: `Vérification impossible : ${line.fr}`, en: `Could not check: ${line.en}` } };
  }
  const isQuestion = item.kind === 'question';
  const hidden = isQuestion && !options.reveal && result.status !== 'pass';
  const failed = result.status === 'fail' || result.status === 'error';
  return {
    id: base.id,
    title: pick(item.kind === 'check' ? item.check.title : item.question.prompt, options.lang),
    ...(base.task ? { task: base.task } : {}),
    kind: isQuestion ? 'question' : item.check.probe.kind,
    status: result.status,
    points: base.points,
    earned: result.status === 'pass' ? base.points : 0,
    expected: hidden ? '(hidden)' : result.expected,
    actual: result.actual,
    message: withHint(pick(result.message, options.lang), failed && !isQuestion ? hintPointer(exercise.id, options.lang) : ''),
    durationMs: Math.round(performance.now() - started),
  };
}

/** Runs every check and judges every answer of one exercise, concurrently. */
export async function runExercise(exercise: Exercise, clients: ProbeClients, progress: Progress, options: RunOptions): Promise<ExerciseResult> {
  const items: Item[] = [
    ...exercise.checks.map((check): Item => ({ kind: 'check', check })),
    ...exercise.questions.map((question): Item => ({ kind: 'question', question })),
  ];
  const kept = new Map((options.previous?.checks ?? []).map((check) => [check.id, check]));
  const checks = await Promise.all(items.map(async (item) => {
    const id = item.kind === 'check' ? item.check.id : item.question.id;
    const previous = kept.get(id);
    if (previous && options.rerun && !options.rerun(item)) return previous;
    const result = await slot(() => timed(item, exercise, clients, progress, options));
    options.onCheckDone?.();
    return result;
  }));
  const counted = checks.filter((check) => check.status !== 'skip');
  return {
    id: exercise.id,
    title: pick(exercise.title, options.lang),
    earned: counted.reduce((sum, check) => sum + check.earned, 0),
    possible: counted.reduce((sum, check) => sum + check.points, 0),
    checks,
  };
}
