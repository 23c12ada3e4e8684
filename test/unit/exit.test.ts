import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, standInEngine, type StandInEngine } from '../stand-in-engine.js';
import { tempDir } from '../tmp.js';

// tp7 leaves once its report is written: a request a check's time limit gave up on (an engine that never
// answers it), or any other work still in flight, does not keep the process running. Run against a stand-in
// engine that answers what a connection needs (/_ping, /version, /info, /events) and never anything else.

const BIN = resolve(import.meta.dirname, '../../bin/tp7.js');
const LIMIT_MS = 800;

let engine: StandInEngine;

// Whatever is not a connection's request is never answered: held open until the test ends.
beforeAll(async () => {
  engine = await standInEngine((request, response) => {
    if (apiPath(request) === '/events') response.writeHead(200, { 'Content-Type': 'application/json' }).flushHeaders();
  });
});

afterAll(() => engine.close());

interface Timed {
  code: number | null;
  stdout: string;
  /** From the last byte of output to the end of the process. */
  afterOutputMs: number;
  totalMs: number;
}

/** Runs the built tp7; `stop` sends SIGINT once the output matches it (a watch's first checklist). */
function run(args: string[], workdir: string, stop?: RegExp): Promise<Timed> {
  const started = performance.now();
  // tp7 grade reads the workdirs its roster names, and takes no --workdir: it runs in that folder instead.
  const workdirArgs = args[0] === 'grade' ? [] : ['--workdir', workdir];
  const child = spawn(process.execPath, [BIN, ...args, ...workdirArgs], {
    cwd: workdir,
    env: { ...process.env, DOCKER_HOST: engine.host, TP7_LANG: 'en', NO_COLOR: '1', TP7_CHECK_TIMEOUT_MS: String(LIMIT_MS), TP7_ENGINE_TIMEOUT_MS: '60000', XDG_CACHE_HOME: tempDir('cache-') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let last = performance.now();
  const seen = (chunk: Buffer) => {
    last = performance.now();
    stdout += chunk.toString();
    if (stop?.test(stdout)) child.kill('SIGINT');
  };
  child.stdout.on('data', seen);
  child.stderr.on('data', (chunk: Buffer) => (last = performance.now(), void chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((done) => child.once('exit', (code) => {
    clearTimeout(killer);
    done({ code, stdout, afterOutputMs: performance.now() - last, totalMs: performance.now() - started });
  }));
}

describe('tp7 exits once its report is written', () => {
  it('check: the checks the engine never answered time out, the report is out, and tp7 is gone at once', { timeout: 60_000 }, async () => {
    const result = await run(['check', 'ex2'], tempDir('work-'));
    expect(result.stdout).toContain(`took longer than ${LIMIT_MS / 1000} s`);
    expect(result.code).toBe(1);
    expect(result.afterOutputMs).toBeLessThan(1000);
  });

  it('hint: the same', { timeout: 60_000 }, async () => {
    const result = await run(['hint', 'ex2'], tempDir('work-'));
    expect(result.stdout).toMatch(/^Hint 1\//m);
    expect(result.afterOutputMs).toBeLessThan(1000);
  });

  it('watch: Ctrl+C while its checks wait on the engine ends it at once', { timeout: 60_000 }, async () => {
    const result = await run(['watch', 'ex2'], tempDir('work-'), /Watching/);
    expect(result.code).toBe(0);
    expect(result.afterOutputMs).toBeLessThan(1000);
  });

  it('grade: a student whose engine answers nothing is a row, and the gradebook is the end', { timeout: 60_000 }, async () => {
    const dir = tempDir('grade-');
    const workdir = tempDir('student-');
    writeFileSync(join(dir, 'roster.csv'), `student,engine,workdir\nsam,${engine.host},${workdir}\n`);
    const result = await run(['grade', join(dir, 'roster.csv'), 'ex2', '--csv'], dir);
    expect(result.stdout).toMatch(/^sam[,;]/m);
    expect(result.afterOutputMs).toBeLessThan(1000);
  });
});
