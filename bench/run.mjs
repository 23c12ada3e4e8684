// bench/run.mjs - speed of `tp7 check` against the usual alternative, in one run (scripts/bench.sh starts the test
// engine and calls this). On an engine solved by the nine reference solutions (run as the integration tests run
// them), it measures, interleaved, medians of:
//   1. `node -e 0` and `tp7 --version` (start-up);
//   2. cold `tp7 check --json` of the whole course (a new process, an empty verdict cache) versus
//      bench/course-docker-cli.sh (the same checks, where the docker CLI can express them);
//   3. a re-check with nothing changed (the same command, the user's cache kept from the previous run: script
//      verdicts and readings of archives and images);
//   3b. the same with the script verdicts kept but every reading cold: the checks the CLI script also judges,
//      done from scratch, the script checks answered from their kept verdicts (the like-for-like comparison);
//   4. cold `tp7 check ex1 --json` versus the CLI script's ex1 part.
// Before any timing, the CLI baseline must reach tp7's verdict on every check it expresses, or the bench stops.
// Prints a table and writes bench/results.json (BENCH_OUT to write elsewhere).
// Settings: BENCH_RUNS (ex1 and start-up runs, default 15), BENCH_COURSE_RUNS (whole-course runs, default 5),
// BENCH_TP7 (the bin/tp7.js to measure, default this checkout's), BENCH_WORKDIR (an already solved workdir:
// the solutions are not run again).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXERCISES, median, ROOT, solveCourse } from './lib/course.mjs';

const TP7 = process.env.BENCH_TP7 ?? join(ROOT, 'bin/tp7.js');
const CLI = join(ROOT, 'bench/course-docker-cli.sh');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COURSE_RUNS = Number(process.env.BENCH_COURSE_RUNS ?? 5);
const scratch = mkdtempSync(join(tmpdir(), 'tp7-bench-'));
const freshCache = () => mkdtempSync(join(scratch, 'cache-'));


/**
 * Median wall time of each command, in milliseconds. Runs are interleaved (a, b, c, a, b, c, ...) after one
 * warm-up each, so a busy moment of the machine weighs on every command alike. `env` may be a function,
 * called before each run (a fresh cache folder per cold run).
 */
function medians(commands, runs, warmUp = true) {
  const samples = commands.map(() => []);
  const envOf = ({ env }) => (typeof env === 'function' ? env() : env);
  if (warmUp) for (const command of commands) spawnSync(command.command, command.args, { env: envOf(command) });
  for (let i = 0; i < runs; i++) {
    commands.forEach((command, index) => {
      const env = envOf(command);
      const started = process.hrtime.bigint();
      const result = spawnSync(command.command, command.args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      samples[index].push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status === null || result.status > 1) throw new Error(`${command.command} ${command.args.join(' ')} exited ${result.status}: ${result.stderr}`);
    });
  }
  return samples.map(median);
}


/** The choice and text questions' accepted answers, for the CLI script (a verify script hard-codes them). */
async function answerKey() {
  const { loadLab } = await import('../dist/lab/loader.js');
  const key = {};
  for (const { exercise } of (await loadLab()).exercises) {
    for (const question of exercise.questions) {
      const accepted = question.kind === 'text' ? question.accept : question.kind === 'multiple-choice' ? [question.answers.join(',')] : question.kind === 'single-choice' ? [question.answer] : undefined;
      if (accepted) (key[exercise.id] ??= {})[question.id] = accepted;
    }
  }
  const file = join(scratch, 'answer-key.json');
  writeFileSync(file, JSON.stringify(key));
  return file;
}

function tp7Verdicts(workdir, env, args = []) {
  const run = spawnSync('node', [TP7, 'check', ...args, '--json', '--workdir', workdir], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const report = JSON.parse(run.stdout);
  const verdicts = new Map(report.exercises.flatMap((exercise) => exercise.checks.map((check) => [`${exercise.id}/${check.id}`, check.status])));
  return { report, verdicts };
}

function cliVerdicts(workdir, key, exercises = []) {
  const out = execFileSync(CLI, [workdir, key, ...exercises], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Map(out.trim().split('\n').map((line) => line.split(' ')));
}

/** Every verdict the CLI script gives must be tp7's: otherwise the two do not measure the same thing. */
function requireAgreement(tp7, cli) {
  const disagree = [...cli].filter(([id, status]) => tp7.get(id) !== status).map(([id, status]) => `${id}: tp7 ${tp7.get(id) ?? 'none'}, CLI ${status}`);
  if (disagree.length) throw new Error(`the docker CLI baseline disagrees with tp7, no timing taken:\n  ${disagree.join('\n  ')}`);
}

/** Removes what the exercises declare they create, and nothing else (as the integration tests do). */
async function cleanup() {
  const { loadLab } = await import('../dist/lab/loader.js');
  for (const { exercise } of (await loadLab()).exercises) {
    const { containers, images, volumes } = exercise.resources;
    if (containers.length) spawnSync('docker', ['rm', '-fv', ...containers], { stdio: 'ignore' });
    if (images.length) spawnSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
    if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes], { stdio: 'ignore' });
  }
}

const given = process.env.BENCH_WORKDIR;
const workdir = given ?? mkdtempSync(join(scratch, 'work-'));
try {
  if (!given) solveCourse(workdir, TP7, freshCache);
  const key = await answerKey();
  const base = { ...process.env, NO_COLOR: '1', TP7_LANG: 'en' };
  const cold = () => ({ ...base, XDG_CACHE_HOME: freshCache() });
  const kept = { ...base, XDG_CACHE_HOME: freshCache() };
  // The kept verdicts of the student's scripts and their key, without the kept readings (src/cache/).
  const readsCold = () => {
    const dir = freshCache();
    for (const part of ['verdicts', 'verdicts.key']) cpSync(join(kept.XDG_CACHE_HOME, 'tp7', part), join(dir, 'tp7', part), { recursive: true });
    return { ...base, XDG_CACHE_HOME: dir };
  };

  const { report, verdicts } = tp7Verdicts(workdir, cold());
  const cli = cliVerdicts(workdir, key);
  requireAgreement(verdicts, cli);
  // The re-check reuses verdicts (kept by this first run): it must reach the very same ones.
  tp7Verdicts(workdir, kept);
  const again = tp7Verdicts(workdir, kept).verdicts;
  // A check that reached its time limit (status error: a loaded machine) proves nothing either way.
  const decided = (status) => status === 'pass' || status === 'fail';
  const changed = [...verdicts].filter(([id, status]) => decided(status) && decided(again.get(id)) && again.get(id) !== status);
  if (changed.length) throw new Error(`the re-check changed verdicts: ${changed.map(([id]) => id).join(', ')}`);

  const [tp7CourseColdMs, cliCourseMs, tp7RecheckMs, tp7ReadsColdMs] = medians([
    { command: 'node', args: [TP7, 'check', '--json', '--workdir', workdir], env: cold },
    { command: CLI, args: [workdir, key], env: base },
    { command: 'node', args: [TP7, 'check', '--json', '--workdir', workdir], env: kept },
    { command: 'node', args: [TP7, 'check', '--json', '--workdir', workdir], env: readsCold },
  ], COURSE_RUNS, false); // the verdict runs above were their warm-up
  const [nodeBareMs, tp7VersionMs, tp7CheckEx1Ms, cliEx1Ms] = medians([
    { command: 'node', args: ['-e', '0'], env: base },
    { command: 'node', args: [TP7, '--version'], env: base },
    { command: 'node', args: [TP7, 'check', 'ex1', '--json', '--workdir', workdir], env: cold },
    { command: CLI, args: [workdir, key, 'ex1'], env: base },
  ], RUNS);

  const probeChecks = report.exercises.flatMap((exercise) => exercise.checks.filter((check) => check.kind !== "question").map((check) => ({ ...check, exercise: exercise.id })));
  const results = {
    measuredAt: new Date().toISOString(),
    tp7: TP7,
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)), node: process.version },
    runs: { course: COURSE_RUNS, ex1: RUNS },
    score: report.score,
    checksCompared: cli.size,
    checksTotal: verdicts.size,
    nodeBareMs,
    tp7VersionMs,
    startupOverheadMs: tp7VersionMs - nodeBareMs,
    tp7CourseColdMs,
    cliCourseMs,
    courseSpeedup: cliCourseMs / tp7CourseColdMs,
    tp7RecheckMs,
    tp7ReadsColdMs,
    readsColdSpeedup: cliCourseMs / tp7ReadsColdMs,
    // What the verdict cache saved: the recorded runs of the student's scripts (side-effect checks).
    sideEffectShareOfColdCourse: (tp7CourseColdMs - tp7RecheckMs) / tp7CourseColdMs,
    tp7CheckEx1Ms,
    cliEx1Ms,
    ex1Speedup: cliEx1Ms / tp7CheckEx1Ms,
    slowestChecks: probeChecks.sort((a, b) => b.durationMs - a.durationMs).slice(0, 8).map((check) => `${check.exercise}/${check.id} (${check.kind}) ${check.durationMs} ms`),
  };
  const ms = (value) => `${value.toFixed(0)} ms`.padStart(9);
  console.log(`medians: ${COURSE_RUNS} runs (course), ${RUNS} runs (ex1); ${results.machine.cpus} cores, load ${results.machine.loadAverage1m}`);
  console.log(`verdicts: the CLI baseline agrees with tp7 on ${cli.size} of ${verdicts.size} checks; score ${report.score.earned}/${report.score.possible}`);
  console.log(`node -e 0                          ${ms(nodeBareMs)}`);
  console.log(`tp7 --version                      ${ms(tp7VersionMs)}  (+${results.startupOverheadMs.toFixed(0)} ms over bare node)`);
  console.log(`tp7 check (course, cold)           ${ms(tp7CourseColdMs)}`);
  console.log(`docker CLI script (course)         ${ms(cliCourseMs)}  -> tp7 ${results.courseSpeedup.toFixed(1)}x faster`);
  console.log(`tp7 check (course, nothing changed)${ms(tp7RecheckMs)}  (recorded runs: ${(results.sideEffectShareOfColdCourse * 100).toFixed(0)} % of the cold check)`);
  console.log(`tp7 check (course, reads cold)     ${ms(tp7ReadsColdMs)}  (script verdicts kept) -> ${results.readsColdSpeedup.toFixed(1)}x the CLI script`);
  console.log(`tp7 check ex1 (cold)               ${ms(tp7CheckEx1Ms)}`);
  console.log(`docker CLI script (ex1)            ${ms(cliEx1Ms)}  -> tp7 ${results.ex1Speedup.toFixed(1)}x faster`);
  writeFileSync(process.env.BENCH_OUT ?? join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  if (!given) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
}
