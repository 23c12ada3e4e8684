// bench/submit-overhead.mjs - what `--submit` costs a check (scripts/bench.sh starts the engine and calls this).
// Baseline in the same run: `tp7 check ex1` without --submit. Measured: `tp7 check ex1 --submit` with the board
// down (a closed port on 127.0.0.1) and with a board that accepts connections and never answers. Runs alternate
// so the engine's warm-up favours none. Target (issue 11): the ratio to the baseline stays about 1 (the check
// never waits on the network). Writes bench/submit-overhead.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TP7 = join(ROOT, 'bin/tp7.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A board that takes every connection and never answers (closed at the end). */
const silent = createServer(() => undefined);
await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
const closed = createServer();
await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
const downUrl = `http://127.0.0.1:${closed.address().port}`;
await new Promise((resolve) => closed.close(resolve)); // its port, now refusing connections

function joinedWorkdir(url) {
  const workdir = mkdtempSync(join(tmpdir(), 'tp7-bench-submit-'));
  mkdirSync(join(workdir, '.tp7'));
  writeFileSync(join(workdir, '.tp7', 'board.json'), JSON.stringify({ url, name: 'bench', code: 'K7P-Q2M', token: 'x', joinedAt: new Date().toISOString() }), { mode: 0o600 });
  return workdir;
}

const env = { ...process.env, NO_COLOR: '1', TP7_LANG: 'en', TP7_SUBMIT_RETRY_FOR_MS: '3000', TP7_BOARD_TIMEOUT_MS: '2000' };
const cases = {
  plain: { workdir: mkdtempSync(join(tmpdir(), 'tp7-bench-submit-')), args: [] },
  boardDown: { workdir: joinedWorkdir(downUrl), args: ['--submit'] },
  boardSilent: { workdir: joinedWorkdir(`http://127.0.0.1:${silent.address().port}`), args: ['--submit'] },
};
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [name, { workdir, args }] of Object.entries(cases)) {
      const started = performance.now();
      const result = spawnSync('node', [TP7, 'check', 'ex1', ...args, '--workdir', workdir], { env, encoding: 'utf8' });
      times[name].push(performance.now() - started);
      if (result.status !== 0 && result.status !== 1) throw new Error(`tp7 check (${name}) exited ${result.status}: ${result.stderr}`);
    }
  }
} finally {
  silent.closeAllConnections();
  silent.close();
  // The background senders these checks started: ended by their lock's process ID (`host/boot/pid/ticks`).
  for (const { workdir } of Object.values(cases)) {
    try {
      process.kill(Number(readFileSync(join(workdir, '.tp7', 'outbox', 'sender.lock'), 'utf8').split('/')[2]), 'SIGTERM');
    } catch {
      // none left
    }
    rmSync(workdir, { recursive: true, force: true });
  }
}
const result = {
  runs: RUNS,
  plainMs: median(times.plain),
  boardDownMs: median(times.boardDown),
  boardSilentMs: median(times.boardSilent),
  boardDownRatio: median(times.boardDown) / median(times.plain),
  boardSilentRatio: median(times.boardSilent) / median(times.plain),
};
writeFileSync(join(import.meta.dirname, 'submit-overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
if (result.boardDownRatio > 1.25 || result.boardSilentRatio > 1.25) console.warn('warning: --submit costs a check more than 25% (target: about 1)');
