// bench/engines.mjs - each exercise's `tp7 check` on the engine the test engine runs (scripts/bench-engines.sh
// starts 20.10, Docker 28.5 classic and Docker 28.5 with the containerd image store in turn, and calls this for
// each). On a workdir solved by the nine reference solutions, it measures, interleaved, medians of:
//   - `node -e 0` and `tp7 --version` (the floor every command pays);
//   - per exercise, a cold `tp7 check exN --json` (a new process, an empty user cache: every recorded run of a
//     student's script happens, every reading is made) and a warm one (the cache of the previous run kept).
// A cold check of an exercise with scripts (ex3, ex4, ex5, ex6, ex8, ex9) runs them: the time they take is
// given apart (the summed durations of the checks that run a script, read from the report), since the targets
// (cold < 2 s, warm < 0.3 s) leave out what the student's own scripts cost.
// Writes bench/engines.json, one entry per engine (TP7_ENGINE), keeping the other engines' entries.
// Settings: BENCH_RUNS (default 5), BENCH_OUT.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXERCISES, median, ROOT, solveCourse } from './lib/course.mjs';

const TP7 = join(ROOT, 'bin/tp7.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'bench/engines.json');
const scratch = mkdtempSync(join(tmpdir(), 'tp7-bench-engines-'));
const freshCache = () => mkdtempSync(join(scratch, 'cache-'));

function time(command, args, env) {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status === null || run.status > 1) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
}


/** What a check that runs a script spent, from the report: the probe kinds marked sideEffects. */
async function scriptKinds() {
  const { PROBE_KINDS } = await import('../dist/probes/index.js');
  return new Set(PROBE_KINDS.filter((kind) => kind.sideEffects).map((kind) => kind.kind));
}

const engine = process.env.TP7_ENGINE ?? '20.10';
const workdir = mkdtempSync(join(scratch, 'work-'));
try {
  solveCourse(workdir, TP7, freshCache);
  const sideEffects = await scriptKinds();
  const base = { ...process.env, NO_COLOR: '1', TP7_LANG: 'en' };
  const version = JSON.parse(time('node', [TP7, 'check', 'ex1', '--json', '--workdir', workdir], { ...base, XDG_CACHE_HOME: freshCache() }).stdout).engine;
  const samples = { node: [], version: [] };
  const perExercise = Object.fromEntries(EXERCISES.map((id) => [id, { cold: [], warm: [], scripts: [], score: undefined }]));
  const warmCache = Object.fromEntries(EXERCISES.map((id) => [id, freshCache()]));
  // One warm-up of each warm cache: its first run fills it.
  for (const id of EXERCISES) time('node', [TP7, 'check', id, '--json', '--workdir', workdir], { ...base, XDG_CACHE_HOME: warmCache[id] });
  for (let run = 0; run < RUNS; run++) {
    samples.node.push(time('node', ['-e', '0'], base).ms);
    samples.version.push(time('node', [TP7, '--version'], base).ms);
    for (const id of EXERCISES) {
      const cold = time('node', [TP7, 'check', id, '--json', '--workdir', workdir], { ...base, XDG_CACHE_HOME: freshCache() });
      const report = JSON.parse(cold.stdout);
      const checks = report.exercises.flatMap((exercise) => exercise.checks);
      perExercise[id].cold.push(cold.ms);
      perExercise[id].scripts.push(checks.filter((check) => sideEffects.has(check.kind)).reduce((sum, check) => sum + check.durationMs, 0));
      perExercise[id].score = `${report.score.earned}/${report.score.possible}`;
      perExercise[id].warm.push(time('node', [TP7, 'check', id, '--json', '--workdir', workdir], { ...base, XDG_CACHE_HOME: warmCache[id] }).ms);
    }
  }
  const exercises = Object.fromEntries(EXERCISES.map((id) => {
    const { cold, warm, scripts, score } = perExercise[id];
    const coldMs = median(cold);
    const scriptsMs = median(scripts);
    return [id, { score, coldMs: Math.round(coldMs), scriptsMs: Math.round(scriptsMs), coldWithoutScriptsMs: Math.round(Math.max(0, coldMs - scriptsMs)), warmMs: Math.round(median(warm)) }];
  }));
  const entry = {
    measuredAt: new Date().toISOString(),
    engine: version,
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)), node: process.version },
    runs: RUNS,
    nodeBareMs: Math.round(median(samples.node)),
    tp7VersionMs: Math.round(median(samples.version)),
    exercises,
    targets: {
      coldUnder2s: EXERCISES.filter((id) => exercises[id].coldWithoutScriptsMs < 2000),
      warmUnder300ms: EXERCISES.filter((id) => exercises[id].warmMs < 300),
    },
  };
  const all = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  all[engine] = entry;
  writeFileSync(OUT, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${engine} (Docker ${version.version}, ${version.store ?? 'classic'} store), medians of ${RUNS} runs, ${entry.machine.cpus} cores, load ${entry.machine.loadAverage1m}`);
  console.log(`node -e 0 ${entry.nodeBareMs} ms, tp7 --version ${entry.tp7VersionMs} ms`);
  console.log('exercise  score   cold   scripts  cold-scripts  warm');
  for (const id of EXERCISES) {
    const e = exercises[id];
    console.log(`${id.padEnd(9)} ${e.score.padEnd(7)} ${String(e.coldMs).padStart(5)} ${String(e.scriptsMs).padStart(8)} ${String(e.coldWithoutScriptsMs).padStart(12)} ${String(e.warmMs).padStart(6)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
