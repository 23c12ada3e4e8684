import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_LABEL, ownerId, ownerOf, PROBE_LABEL } from '../../src/engine/probe-owner.js';
import { recordEvents } from './events.js';
import { checksOf, cleanupExercise, docker, emptyCache, newWorkdir, ok, runSolution, TP7_BIN, tp7Json } from './harness.js';

async function probeContainers(): Promise<string[]> {
  return (await docker('ps', '-aq', '--filter', `label=${PROBE_LABEL}`)).stdout.split('\n').filter(Boolean);
}

/**
 * Starts tp7 and stops it with `signal` as soon as it has created a probe container (mid-read). Its cache is
 * empty: with readings stored by an earlier run it would need no probe container at all.
 */
async function stopMidRead(args: string[], signal: NodeJS.Signals): Promise<{ exitCode?: number; stopped: boolean }> {
  const created = recordEvents([`label=${PROBE_LABEL}`, 'event=create']);
  await created.ready;
  const child = execa('node', [TP7_BIN, ...args, '--workdir', newWorkdir()], { env: { TP7_LANG: 'en', NO_COLOR: '1', ...emptyCache() }, reject: false });
  let stopped = false;
  const deadline = Date.now() + 20_000;
  while (!stopped && child.exitCode === null && Date.now() < deadline) {
    if (created.lines().length) {
      child.kill(signal);
      stopped = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (!stopped) child.kill('SIGKILL'); // a watch never ends by itself: the test fails on `stopped`, not on a hang
  const result = await child;
  await created.stop();
  return { exitCode: result.exitCode, stopped };
}

// Probe containers belong to the tp7 that made them: concurrent runs never remove each other's, and a tp7
// stopped mid-read removes its own before it ends.
describe('concurrent and interrupted checks', () => {
  beforeAll(async () => {
    await cleanupExercise('ex2');
    await runSolution('ex2', newWorkdir());
  });
  afterAll(() => cleanupExercise('ex2'));

  it('six concurrent checks of ex2 all agree (none removes another one\'s probe container)', async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, () => tp7Json(['check', 'ex2'], { workdir: newWorkdir() })));
    for (const { run, json } of runs) {
      const failed = Object.values(checksOf(json, 'ex2')).filter((check) => check.status !== 'pass' && check.id !== undefined);
      // Questions are unanswered in these fresh workdirs: only the checks of the engine are compared.
      const engineChecks = failed.filter((check) => !/Not answered yet/.test(check.message));
      expect(engineChecks, run.stderr).toEqual([]);
    }
    expect(await probeContainers()).toEqual([]);
  });

  it.each([
    ['check ex2', 'SIGTERM', 143],
    ['check ex2', 'SIGINT', 130],
    ['watch ex2', 'SIGTERM', 143],
    ['doctor', 'SIGTERM', 143], // its container on the default network
  ] as const)('tp7 %s stopped by %s mid-read leaves no probe container behind', async (command, signal, code) => {
    const { exitCode, stopped } = await stopMidRead(command.split(' '), signal);
    expect(stopped).toBe(true);
    expect(exitCode).toBe(code);
    expect(await probeContainers()).toEqual([]);
  });

  it("sweeps the leftovers of a dead tp7, never those of a live one nor the student's containers", async () => {
    const sleeper = execa('sleep', ['60'], { reject: false });
    const [host, boot] = ownerId().split('/');
    const dead = `${host}/${boot}/999999999/1`;
    const alive = ownerOf(sleeper.pid!)!;
    try {
      await ok(docker('create', '--name', 'tp7-test-dead-owner', '--label', `${PROBE_LABEL}=true`, '--label', `${OWNER_LABEL}=${dead}`, 'nginx:alpine', 'true'));
      await ok(docker('create', '--name', 'tp7-test-live-owner', '--label', `${PROBE_LABEL}=true`, '--label', `${OWNER_LABEL}=${alive}`, 'nginx:alpine', 'true'));
      await ok(docker('create', '--name', 'tp7-test-students', 'nginx:alpine', 'true'));
      // An empty cache, so that this run needs a probe container (the sweep comes with the first one).
      const { json } = await tp7Json(['check', 'ex2'], { workdir: newWorkdir(), env: emptyCache() });
      expect(checksOf(json, 'ex2')['commit-page']!.status).toBe('pass');
      expect((await docker('inspect', 'tp7-test-dead-owner')).exitCode).not.toBe(0);
      expect((await docker('inspect', 'tp7-test-live-owner')).exitCode).toBe(0);
      expect((await docker('inspect', 'tp7-test-students')).exitCode).toBe(0);
    } finally {
      sleeper.kill();
      await docker('rm', '-f', 'tp7-test-dead-owner', 'tp7-test-live-owner', 'tp7-test-students');
    }
  });
});
