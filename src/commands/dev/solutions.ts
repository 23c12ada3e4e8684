import { PACKAGE_ROOT } from '../../package-root.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { openDocker } from '../../engine/dockerode-client.js';
import { ExitCode, oneLine, Tp7Error, UsageError } from '../../errors.js';
import { loadLab, solutionsDir, type Lab } from '../../lab/loader.js';
import { both, pick } from '../../lab/text.js';
import { buildReport, type Report } from '../../report/json.js';
import { renderText } from '../../report/text.js';
import { runExercise } from '../../runner/run.js';
import { scoreSkills } from '../../runner/score.js';
import { isTestEngine } from '../../settings.js';
import { showControls } from '../../ui/escape.js';
import { connectClients, printJson, readProgress } from '../shared.js';
import { courseResourcesPresent, removeNewSince, snapshot } from './engine-ledger.js';

// `tp7 dev check --solutions` (rustlings' `dev check`, on the real engine): every reference solution in course
// order in a scratch workdir, then every check of every exercise, which must all pass but for the Docker Hub
// checks an offline machine skips. It creates and removes real resources: only on a dedicated engine.

/** Checks that need Docker Hub itself: skipped offline, and that is no failure of the course. */
const HUB_KINDS = new Set(['hub-login', 'hub-repository']);

const TP7_BIN = join(PACKAGE_ROOT, 'bin', 'tp7.js');

interface SolutionRun {
  exercise: string;
  exitCode: number;
  seconds: number;
  log: string;
}

export interface Failure {
  exercise: string;
  check: string;
  status: string;
  message: string;
}

/** Every check that is not a pass, but for a Docker Hub check skipped offline; and every skill not `pass`. */
export function courseFailures(report: Report): Failure[] {
  const checks = report.exercises.flatMap((exercise) => exercise.checks
    .filter((check) => check.status !== 'pass' && !(check.status === 'skip' && HUB_KINDS.has(check.kind)))
    .map((check) => ({ exercise: exercise.id, check: check.id, status: check.status, message: check.message })));
  const skills = report.checklist
    .filter((skill) => skill.status !== 'pass')
    .map((skill) => ({ exercise: 'skills', check: skill.id, status: skill.status, message: skill.missing?.length ? `missing: ${skill.missing.join(', ')}` : `${skill.earned}/${skill.possible}` }));
  return [...checks, ...skills];
}

async function registryAnswers(address: string): Promise<boolean> {
  try {
    await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Refuses, in one line, an engine nobody said was disposable. */
function requireConsent(context: CommandContext): void {
  if (!isTestEngine() && !context.options['yes-this-engine']) {
    throw new UsageError(both(
      "--solutions lance les neuf solutions, qui créent et suppriment de vraies images, conteneurs et volumes : seulement sur un moteur dédié (TP7_TEST_ENGINE=1, voir scripts/with-test-engine.sh) ou avec --yes-this-engine",
      '--solutions runs the nine solutions, which create and remove real images, containers and volumes: only on a dedicated engine (TP7_TEST_ENGINE=1, see scripts/with-test-engine.sh) or with --yes-this-engine',
    ));
  }
}

/** Refuses, in one line, an engine that already holds the course's work. */
async function requireCleanEngine(context: CommandContext, lab: Lab, docker: Awaited<ReturnType<typeof openDocker>>['docker']): Promise<void> {
  const present = await courseResourcesPresent(docker, lab.exercises.map(({ exercise }) => exercise));
  if (await registryAnswers(context.registry)) present.push(`registry ${context.registry}`);
  if (present.length) {
    const shown = present.slice(0, 5).join(', ') + (present.length > 5 ? ', …' : '');
    throw new UsageError(both(
      `le moteur n'est pas vierge : ${shown} existe(nt) déjà, et les solutions les changeraient ; retirez-les ou prenez un moteur neuf`,
      `the engine is not clean: ${shown} already exist(s), and the solutions would change them; remove them or use a fresh engine`,
    ));
  }
}

async function runSolutions(context: CommandContext, lab: Lab, workdir: string, logs: string): Promise<SolutionRun[]> {
  const { execa } = await import('execa');
  const runs: SolutionRun[] = [];
  for (const { exercise } of lab.exercises) {
    const started = performance.now();
    const result = await execa(join(solutionsDir(), exercise.id, 'solve.sh'), [], {
      reject: false,
      cwd: workdir,
      all: true,
      env: { TP7: `${process.execPath} ${TP7_BIN}`, TP7_WORKDIR: workdir, TP7_REGISTRY: context.registry, TP7_LANG: context.lang, NO_COLOR: '1' },
    });
    const log = join(logs, `${exercise.id}.log`);
    writeFileSync(log, result.all ?? '');
    const run = { exercise: exercise.id, exitCode: result.exitCode ?? -1, seconds: Math.round((performance.now() - started) / 100) / 10, log };
    runs.push(run);
    if (!context.json) context.err(`${run.exitCode === 0 ? 'ok ' : 'ERR'} solutions/${exercise.id}/solve.sh  ${run.seconds} s`);
    if (run.exitCode !== 0) break;
  }
  return runs;
}

async function checkCourse(context: CommandContext, lab: Lab, workdir: string): Promise<Report> {
  const scoped = { ...context, workdir };
  const clients = await connectClients(scoped);
  const progress = readProgress(scoped);
  const results = await Promise.all(lab.exercises.map(({ exercise }) => runExercise(exercise, clients, progress, { lang: context.lang, reveal: false })));
  return buildReport(clients.engine.host, await clients.engine.version(), results, scoreSkills(lab.skills, results, context.lang), 'dev check --solutions');
}

export async function checkSolutions(context: CommandContext): Promise<number> {
  const say = (fr: string, en: string) => pick(both(fr, en), context.lang);
  requireConsent(context);
  const lab = await loadLab();
  const { docker } = await openDocker();
  await requireCleanEngine(context, lab, docker);
  const started = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), 'tp7-solutions-'));
  const workdir = join(scratch, 'work');
  const logs = join(scratch, 'logs');
  mkdirSync(workdir);
  mkdirSync(logs);
  const before = await snapshot(docker);
  let runs: SolutionRun[] = [];
  let report: Report | undefined;
  let cleanup: { removed: number; left: string[] } = { removed: 0, left: [] };
  try {
    runs = await runSolutions(context, lab, workdir, logs);
    if (runs.every((run) => run.exitCode === 0)) report = await checkCourse(context, lab, workdir);
  } finally {
    try {
      cleanup = await removeNewSince(docker, before);
    } catch (error) {
      cleanup.left.push(oneLine(error));
    }
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const failedRun = runs.find((run) => run.exitCode !== 0);
  const failures = report ? courseFailures(report) : [];
  const ok = !failedRun && report !== undefined && failures.length === 0;
  if (ok) rmSync(scratch, { recursive: true, force: true });
  if (context.json) {
    printJson(context, { ok, seconds, solutions: runs, failures, report, cleanup, ...(ok ? {} : { kept: scratch }) });
    return ok ? ExitCode.ok : ExitCode.checkFailed;
  }
  if (report) context.out(renderText(report, context.lang));
  const skills = report?.checklist ?? [];
  context.out(say(
    `Solutions : ${runs.filter((run) => run.exitCode === 0).length}/${lab.exercises.length} · compétences : ${skills.filter((skill) => skill.status === 'pass').length}/${lab.skills.length} pass · ${seconds} s`,
    `Solutions: ${runs.filter((run) => run.exitCode === 0).length}/${lab.exercises.length} · skills: ${skills.filter((skill) => skill.status === 'pass').length}/${lab.skills.length} pass · ${seconds} s`,
  ));
  if (failedRun) context.out(say(`Échec de solutions/${failedRun.exercise}/solve.sh (code ${failedRun.exitCode}) : voir ${failedRun.log}`, `solutions/${failedRun.exercise}/solve.sh failed (exit ${failedRun.exitCode}): see ${failedRun.log}`));
  if (failures.length) {
    context.out(say(`${failures.length} échec(s) :`, `${failures.length} failure(s):`));
    for (const failure of failures) context.out(`  ${failure.exercise} ${failure.check} (${failure.status}): ${showControls(failure.message)}`);
  }
  if (cleanup.left.length) context.out(say(`Pas retiré : ${cleanup.left.join(' ; ')}`, `Not removed: ${cleanup.left.join('; ')}`));
  if (!ok) context.out(say(`Dossier de travail et journaux gardés : ${scratch}`, `Workdir and logs kept: ${scratch}`));
  if (ok) return ExitCode.ok;
  if (!report && !failedRun) throw new Tp7Error(both('aucun rapport', 'no report'), ExitCode.internal);
  return ExitCode.checkFailed;
}
