import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupExercise, docker, newWorkdir, TP7_BIN } from './harness.js';

async function until(read: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// `tp7 watch` turns a check green as soon as the engine reports the student's action, with no polling.
describe('tp7 watch', () => {
  beforeAll(() => cleanupExercise('ex1'));
  afterAll(() => cleanupExercise('ex1'));

  it('re-checks on engine events and on answers recorded from another shell', async () => {
    const workdir = newWorkdir();
    const child = execa('node', [TP7_BIN, 'watch', 'ex1', '--workdir', workdir], {
      // A short request timeout must not end the (idle) event stream: events still arrive after it.
      env: { TP7_LANG: 'en', NO_COLOR: '1', TP7_WATCH_POLL_MS: '600000', TP7_ENGINE_TIMEOUT_MS: '1000' },
      reject: false,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output, /✘ \[1\.1\] nginx:alpine is on the engine/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await docker('pull', 'nginx:alpine')).exitCode).toBe(0);
    await until(() => output, /✔ \[1\.1\] nginx:alpine is on the engine/);
    await execa('node', [TP7_BIN, 'answer', 'ex1', 'latest-vs-stable', 'b', '--workdir', workdir], { reject: false });
    await until(() => output, /✔ \[1\.1\] What is the difference between the latest and stable tags/);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });
});
