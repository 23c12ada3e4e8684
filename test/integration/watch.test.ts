import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { recordEvents } from './events.js';
import { cleanupExercise, docker, newWorkdir, ok, runSolution, TP7_BIN } from './harness.js';

async function until(read: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startWatch(exercise: string, workdir: string, env: Record<string, string> = {}) {
  const child = execa('node', [TP7_BIN, 'watch', exercise, '--workdir', workdir], {
    env: { TP7_LANG: 'en', NO_COLOR: '1', TP7_WATCH_POLL_MS: '600000', ...env },
    reject: false,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, redraws: () => output.split('Watching (').length - 1 };
}

// `tp7 watch` turns a check green as soon as the engine reports the student's action, with no polling.
describe('tp7 watch', () => {
  beforeAll(() => cleanupExercise('ex1'));
  afterAll(() => cleanupExercise('ex1'));

  it('re-checks on engine events and on answers recorded from another shell', async () => {
    const workdir = newWorkdir();
    // A short request timeout must not end the (idle) event stream: events still arrive after it.
    const watch = startWatch('ex1', workdir, { TP7_ENGINE_TIMEOUT_MS: '1000' });
    await until(watch.output, /✘ \[1\.1\] nginx:alpine is on the engine/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await docker('pull', 'nginx:alpine')).exitCode).toBe(0);
    await until(watch.output, /✔ \[1\.1\] nginx:alpine is on the engine/);
    await execa('node', [TP7_BIN, 'answer', 'ex1', 'latest-vs-stable', 'b', '--workdir', workdir], { reject: false });
    await until(watch.output, /✔ \[1\.1\] What is the difference between the latest and stable tags/);
    watch.child.kill('SIGINT');
    expect((await watch.child).exitCode).toBe(0);
  });
});

// An idle watch does no work: its own probe containers and reads set off no round, and polls that find
// nothing new create no container and redraw nothing.
describe('an idle tp7 watch', () => {
  beforeAll(async () => {
    await cleanupExercise('ex2');
    await runSolution('ex2', newWorkdir());
  });
  afterAll(() => cleanupExercise('ex2'));

  it('creates no container and redraws nothing between changes, yet follows the next change', async () => {
    const workdir = newWorkdir();
    const all = recordEvents();
    const probes = recordEvents([`label=${PROBE_LABEL}`, 'event=create']);
    await Promise.all([all.ready, probes.ready]);
    // Polls every second: several of them fall within the idle period below.
    const watch = startWatch('ex2', workdir, { TP7_WATCH_POLL_MS: '1000' });
    await until(watch.output, /✔ \[2\.2\] mon-nginx:commit serves a page containing "TP7"/);
    // The first round reads the pages out of the images (probe containers); let it settle.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [eventsBefore, createdBefore, redrawsBefore] = [all.lines().length, probes.lines().length, watch.redraws()];
    expect(createdBefore).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(all.lines().slice(eventsBefore)).toEqual([]);
    expect(probes.lines().length).toBe(createdBefore);
    expect(watch.redraws()).toBe(redrawsBefore);
    expect(redrawsBefore).toBe(1);

    // A change still shows at once, and reads no page again (the images did not change).
    await ok(docker('rmi', 'mon-nginx:v2'));
    // The whole redraw, down to its footer: a draw may reach the pipe in several chunks.
    await until(watch.output, /✘ \[2\.1\] mon-nginx:v1, v2, v3 and latest name nginx:alpine[\s\S]*Watching \(/, 5000);
    expect(watch.redraws()).toBe(2);
    expect(probes.lines().length).toBe(createdBefore);
    await ok(docker('tag', 'nginx:alpine', 'mon-nginx:v2'));
    await until(watch.output, /(✔ \[2\.1\] mon-nginx:v1, v2, v3 and latest name nginx:alpine[\s\S]*){2}/, 5000);
    watch.child.kill('SIGINT');
    expect((await watch.child).exitCode).toBe(0);
    await Promise.all([all.stop(), probes.stop()]);
    expect((await docker('ps', '-aq', '--filter', `label=${PROBE_LABEL}`)).stdout).toBe('');
  });
});
