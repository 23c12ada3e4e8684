// bench/run.mjs - speed of tp7 measured against the usual alternative, in one run (scripts/bench.sh starts
// the engine and calls this). Prints a table and writes bench/results.json.
//   1. cold start: `tp7 --version` versus a bare `node -e 0`
//   2. `tp7 check ex1` (Engine API in-process) versus bench/ex1-docker-cli.sh (one docker CLI call per fact)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TP7 = join(ROOT, 'bin/tp7.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/**
 * Median wall time of each command, in milliseconds. Runs are interleaved (a, b, c, a, b, c, ...) after one
 * warm-up each, so a busy moment of the machine weighs on every command alike.
 */
function medians(commands) {
  const samples = commands.map(() => []);
  for (const { command, args, options } of commands) spawnSync(command, args, options);
  for (let i = 0; i < RUNS; i++) {
    commands.forEach(({ command, args, options = {}, expectStatus }, index) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(command, args, { ...options, encoding: 'utf8' });
      samples[index].push(Number(process.hrtime.bigint() - started) / 1e6);
      if (expectStatus !== undefined && result.status !== expectStatus) {
        throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      }
    });
  }
  return samples.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]);
}

/**
 * One check of ex1 inside a running process (what `tp7 watch` pays per round): the Engine API calls and the
 * judging, without Node's start-up or module loading.
 */
async function warmCheck(workdir) {
  const { connectEngine } = await import('../dist/engine/dockerode-client.js');
  const { loadLab } = await import('../dist/lab/loader.js');
  const { runExercise } = await import('../dist/runner/run.js');
  const { loadProgress } = await import('../dist/progress/store.js');
  const { workdirFiles } = await import('../dist/files/workdir.js');
  const { exercise } = (await loadLab()).exercises.find((loaded) => loaded.exercise.id === 'ex1');
  const progress = loadProgress(workdir).progress;
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const clients = { engine: await connectEngine(), workdir, files: workdirFiles(workdir) };
    const result = await runExercise(exercise, clients, progress, { lang: 'en', reveal: false });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.earned !== result.possible) throw new Error('warm check of ex1 is not all green');
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const workdir = mkdtempSync(join(tmpdir(), 'tp7-bench-'));
try {
  execFileSync(join(ROOT, 'solutions/ex1/solve.sh'), [], {
    cwd: workdir,
    env: { ...process.env, TP7: `node ${TP7}`, TP7_WORKDIR: workdir },
    stdio: 'ignore',
  });
  const env = { ...process.env, NO_COLOR: '1' };
  const [nodeBareMs, tp7VersionMs, tp7CheckEx1Ms, dockerCliEx1Ms] = medians([
    { command: 'node', args: ['-e', '0'] },
    { command: 'node', args: [TP7, '--version'], expectStatus: 0 },
    { command: 'node', args: [TP7, 'check', 'ex1', '--json', '--workdir', workdir], options: { env }, expectStatus: 0 },
    { command: join(ROOT, 'bench/ex1-docker-cli.sh'), args: [workdir], options: { env } },
  ]);
  const results = { runs: RUNS, nodeBareMs, tp7VersionMs, tp7CheckEx1Ms, dockerCliEx1Ms };
  results.warmCheckEx1Ms = await warmCheck(workdir);
  results.startupOverheadMs = results.tp7VersionMs - results.nodeBareMs;
  results.checkSpeedup = results.dockerCliEx1Ms / results.tp7CheckEx1Ms;
  const cli = execFileSync(join(ROOT, 'bench/ex1-docker-cli.sh'), [workdir], { encoding: 'utf8' }).trim();
  // The comparison only means something when the baseline reaches the same verdict: every check green.
  if (!/^\d+ passed, 0 failed$/.test(cli)) throw new Error(`the docker CLI baseline disagrees with tp7: ${cli}`);
  results.dockerCliVerdict = cli;
  console.log(`median of ${RUNS} runs each`);
  console.log(`node -e 0                 ${results.nodeBareMs.toFixed(0)} ms`);
  console.log(`tp7 --version (cold)      ${results.tp7VersionMs.toFixed(0)} ms  (+${results.startupOverheadMs.toFixed(0)} ms over bare node)`);
  console.log(`tp7 check ex1 --json      ${results.tp7CheckEx1Ms.toFixed(0)} ms`);
  console.log(`docker CLI script (ex1)   ${results.dockerCliEx1Ms.toFixed(0)} ms  (${cli})`);
  console.log(`ex1 checked in-process    ${results.warmCheckEx1Ms.toFixed(0)} ms  (a tp7 watch round: no start-up)`);
  console.log(`tp7 is ${results.checkSpeedup.toFixed(1)}x faster than the docker CLI script`);
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(workdir, { recursive: true, force: true });
  spawnSync('docker', ['rmi', 'nginx:1.25', 'nginx:stable', 'nginx:latest', 'nginx:alpine'], { stdio: 'ignore' });
}
