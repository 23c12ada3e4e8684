// bench/grade.mjs - what `tp7 grade` costs as the class grows, in one run (inside scripts/with-test-engine.sh:
// it starts 4 extra engines with scripts/test-engines.sh and stops them). Writes bench/grade.json.
//   1. four students on four engines at once (--jobs 4) versus one student on one engine: same exercises,
//      same solved work; the target is less than 1.5 times the cost of one.
//   2. 1 -> 4 -> 16 students (beyond four, students share an engine, each with a workdir of its own).
// Each measure is the median of BENCH_GRADE_RUNS runs of the real command (default 5), interleaved.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TP7 = join(ROOT, 'bin/tp7.js');
const RUNS = Number(process.env.BENCH_GRADE_RUNS ?? 5);
const EXERCISES = ['ex1', 'ex2'];
const ENGINES = 4;

function engines(...args) {
  return execFileSync(join(ROOT, 'scripts/test-engines.sh'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** A roster of `count` students spread over the engines in turn, each with a copy of its engine's solved workdir. */
function roster(dir, count, hosts, solved) {
  const lines = ['student,engine,workdir'];
  for (let i = 0; i < count; i++) {
    const engine = i % hosts.length;
    const workdir = join(dir, `work-${count}-${i}`);
    cpSync(solved[engine], workdir, { recursive: true });
    lines.push(`s${i},${hosts[engine]},${workdir}`);
  }
  const file = join(dir, `roster-${count}-${hosts.length}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux
/** CPU ms in /proc/PID/stat: own (utime, stime) and, with `children`, that of reaped children (cutime, cstime). */
function cpuOf(pid, children) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
    return { comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), ms: ticks * TICK_MS };
  } catch {
    return { comm: '', ms: 0 };
  }
}

/** CPU time of every engine process on the machine (dockerd, containerd and its shims, runc they reaped). */
function enginesCpuMs() {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((pid) => cpuOf(pid, true))
    .filter(({ comm }) => /^(dockerd|containerd)/.test(comm)).reduce((total, { ms }) => total + ms, 0);
}

/**
 * The engine's CPU for one file read out of an image as the probes read it (a created container, GET
 * /containers/{id}/archive, removal), less that of the create and remove alone: the part of a student's grading
 * no grader-side work can share between engines.
 */
function fileReadCostMs(host) {
  const docker = (...args) => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' }).trim();
  const TIMES = 5;
  const costOf = (read) => {
    const before = enginesCpuMs();
    for (let i = 0; i < TIMES; i++) {
      const id = docker('create', '--label', 'org.tp7-lab.probe=true', '--network', 'none', 'nginx:alpine', '/tp7-never-started');
      try {
        if (read) docker('cp', `${id}:/usr/share/nginx/html/index.html`, '-');
      } finally {
        docker('rm', '-f', id);
      }
    }
    return (enginesCpuMs() - before) / TIMES;
  };
  costOf(true); // warm-up
  return Math.round(costOf(true) - costOf(false));
}

/** Where a grading's time went: tp7's own CPU (this process's reaped children) and the engines'. */
const cpu = new Map();

function grade(file) {
  const before = { tp7: cpuOf('self', true).ms - cpuOf('self', false).ms, engines: enginesCpuMs() };
  const started = process.hrtime.bigint();
  const result = spawnSync('node', [TP7, 'grade', file, ...EXERCISES, '--jobs', '4', '--json'], { encoding: 'utf8', env: { ...process.env, TP7_LANG: 'en' }, maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const after = { tp7: cpuOf('self', true).ms - cpuOf('self', false).ms, engines: enginesCpuMs() };
  const samples = cpu.get(file) ?? [];
  samples.push({ tp7: after.tp7 - before.tp7, engines: after.engines - before.engines });
  cpu.set(file, samples);
  if (result.status !== 0) throw new Error(`tp7 grade ${file} exited ${result.status}: ${result.stderr}`);
  const students = JSON.parse(result.stdout).students;
  const notFull = students.filter((student) => student.status !== 'graded' || student.report.score.earned !== student.report.score.possible);
  if (notFull.length) throw new Error(`${notFull.length} student(s) not all green in ${file}`);
  return ms;
}

function medianCpu(file) {
  const samples = cpu.get(file).slice(1); // the warm-up run aside
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { tp7: median(samples.map((sample) => sample.tp7)), engines: median(samples.map((sample) => sample.engines)) };
}

/** Median wall time of each roster, runs interleaved after one warm-up each. */
function medians(files) {
  const samples = files.map(() => []);
  files.forEach(grade);
  for (let i = 0; i < RUNS; i++) files.forEach((file, index) => samples[index].push(grade(file)));
  return samples.map((list) => Math.round(list.sort((a, b) => a - b)[Math.floor(list.length / 2)]));
}

const dir = mkdtempSync(join(tmpdir(), 'tp7-bench-grade-'));
try {
  engines('up', String(ENGINES));
  const hosts = /TP7_TEST_ENGINES="([^"]*)"/.exec(engines('env'))[1].split(' ');
  // The same solved work on every engine: each student's grading does the same checks with the same outcome.
  const solved = hosts.map((host, index) => {
    const workdir = join(dir, `solved-${index}`);
    execFileSync('mkdir', ['-p', workdir]);
    for (const exercise of EXERCISES) {
      execFileSync(join(ROOT, 'solutions', exercise, 'solve.sh'), [], {
        cwd: workdir,
        env: { ...process.env, DOCKER_HOST: host, TP7: `node ${TP7}`, TP7_WORKDIR: workdir, TP7_LANG: 'en', NO_COLOR: '1' },
        stdio: 'ignore',
      });
    }
    return workdir;
  });
  const one = roster(dir, 1, hosts.slice(0, 1), solved);
  const fourEngines = roster(dir, 4, hosts, solved);
  const sixteen = roster(dir, 16, hosts, solved);
  const [oneMs, fourMs, sixteenMs] = medians([one, fourEngines, sixteen]);
  const readCostMs = fileReadCostMs(hosts[0]);
  const results = {
    date: new Date().toISOString(),
    runs: RUNS,
    exercises: EXERCISES,
    jobs: 4,
    oneStudentOneEngineMs: oneMs,
    fourStudentsFourEnginesMs: fourMs,
    sixteenStudentsFourEnginesMs: sixteenMs,
    fourEnginesOverOne: Number((fourMs / oneMs).toFixed(2)),
    sixteenOverFour: Number((sixteenMs / fourMs).toFixed(2)),
    perStudentMs: { 1: oneMs, 4: Math.round(fourMs / 4), 16: Math.round(sixteenMs / 16) },
    target: 'fourEnginesOverOne < 1.5',
    // Median CPU ms of one grading: tp7's process and the engines'; two cores give 2 x the wall time at most.
    cpuMs: Object.fromEntries([['1', one], ['4', fourEngines], ['16', sixteen]].map(([count, file]) => [count, medianCpu(file)])),
    cores: availableParallelism(),
    engineCpuPerImageFileReadMs: readCostMs,
  };
  // The least wall time four gradings can take here: all their CPU spread over every core, nothing waiting.
  const four = results.cpuMs['4'];
  results.cpuBoundOfFourMs = Math.round((four.tp7 + four.engines) / results.cores);
  results.cpuBoundOverOne = Number((results.cpuBoundOfFourMs / oneMs).toFixed(2));
  writeFileSync(join(ROOT, 'bench/grade.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`tp7 grade ${EXERCISES.join(' ')} (median of ${RUNS}, --jobs 4)`);
  console.log(`  1 student, 1 engine       ${oneMs} ms`);
  console.log(`  4 students, 4 engines     ${fourMs} ms   (${results.fourEnginesOverOne}x one; target < 1.5x)`);
  console.log(`  16 students, 4 engines    ${sixteenMs} ms   (${results.sixteenOverFour}x four)`);
  for (const [count, used] of Object.entries(results.cpuMs)) console.log(`  CPU, ${count.padStart(2)} student(s): tp7 ${used.tp7} ms, engines ${used.engines} ms (${results.cores} cores)`);
  console.log(`  CPU bound of 4 on 4 engines: ${results.cpuBoundOfFourMs} ms (${results.cpuBoundOverOne}x one); one file read out of an image: ${readCostMs} ms of engine CPU`);
  if (results.fourEnginesOverOne >= 1.5) process.exitCode = 1;
} finally {
  try {
    engines('down');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
