import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../src/engine/types.js';
import type { FileAccess } from '../../src/files/types.js';
import { unusedImagesScript } from '../../src/probes/unused-images-script.js';
import { execaRunner } from '../../src/processes/execa-runner.js';
import type { ProcessResult, ProcessRunner } from '../../src/processes/types.js';
import { shellQuote } from '../../src/scripts/shell-shim.js';
import { fakeEngine, noRegistry, type FakeEngine } from './fake-engine.js';

// The unused-images script is judged on images made at check time: a hand-written list of the setup's images
// cannot pass, whatever it prints.
const SETUP = ['tp7-ex6-web:1.0', 'tp7-ex6-batch:1.0', 'tp7-ex6-tools:1.0'];
const spec = unusedImagesScript.schema.parse({ kind: 'unused-images-script', script: 'unused-images.sh', refs: SETUP });
const files = { root: '/w', stat: async (path: string) => ({ path, size: 10, isFile: true, isDirectory: false, mtimeMs: 0 }) } as unknown as FileAccess;

function setupEngine(): FakeEngine {
  const engine = fakeEngine({ 'tp7-ex6-web:1.0': { Size: 1 }, 'tp7-ex6-batch:1.0': { Size: 2 }, 'tp7-ex6-tools:1.0': { Size: 3 } });
  engine.addContainer('tp7-ex6-web', { image: 'tp7-ex6-web:1.0', running: false });
  return engine;
}

/**
 * A script that makes the given docker calls (through the run's real shim: its launcher runs them instead of the
 * script, which is not on disk here) and prints `stdout(engine)`, as an answer from the fake engine.
 */
function script(engine: EngineClient, argvs: string[][], stdout: (engine: EngineClient) => Promise<string> | string, exitCode = 0): ProcessRunner {
  return {
    run: async (command, args, options): Promise<ProcessResult> => {
      const calls = argvs.map((argv) => `docker ${argv.map(shellQuote).join(' ')} >/dev/null 2>&1`).join('; ');
      await execaRunner('/').run(command, [...args.slice(0, 3), '-c', calls], options);
      return { exitCode, stdout: await stdout(engine), stderr: '', timedOut: false };
    },
  };
}

/** What a right script prints: every named image no container (stopped ones included) uses. */
async function honest(engine: EngineClient, all = true): Promise<string> {
  const lines: string[] = [];
  for (const image of await engine.listImages()) {
    const users = await engine.listContainers({ ancestor: [image.Id] });
    const counted = all ? users : users.filter((user) => user.State === 'running');
    if (!counted.length) lines.push(...(image.RepoTags ?? []).map((tag) => `Non utilisée: ${tag}`));
  }
  return lines.join('\n');
}

const run = (engine: FakeEngine, processes: ProcessRunner) => unusedImagesScript.run(spec, { engine, registry: noRegistry, workdir: '/w', files, processes });

describe('unused-images-script', () => {
  it('passes a script that asks the engine, and removes the check-time images and container', async () => {
    const engine = setupEngine();
    const result = await run(engine, script(engine, [['ps', '-a'], ['images']], (e) => honest(e)));
    expect(result.status, result.message.en).toBe('pass');
    expect(engine.calls.filter((call) => /^(createProbe|removeProbe)/.test(call))).toHaveLength(6);
    expect((await engine.listImages()).flatMap((image) => image.RepoTags ?? []).sort()).toEqual([...SETUP].sort());
    expect((await engine.listContainers()).map((container) => container.Names[0])).toEqual(['/tp7-ex6-web']);
  });

  it('fails a hand-written list of the setup images, naming the check-time image it missed', async () => {
    const engine = setupEngine();
    const echoed = 'Non utilisée: tp7-ex6-batch:1.0\nNon utilisée: tp7-ex6-tools:1.0';
    const result = await run(engine, script(engine, [['ps', '-a']], () => echoed));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/does not list tp7-check-[0-9a-f]+:[0-9a-f]+, which no container uses \(an image made at check time: the list must come from the engine/);
  });

  it('fails a script that lists the check-time image a stopped container uses', async () => {
    const engine = setupEngine();
    // Right about the setup images, but blind to stopped containers for the rest.
    const result = await run(engine, script(engine, [['ps', '-a']], async (e) => `${await honest(e)}\n${(await honest(e, false)).split('\n').filter((line) => line.includes('tp7-check-')).join('\n')}`));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/calls tp7-check-\S+ unused, yet the stopped container tp7-check-\d+ uses it \(an image made at check time/);
  });

  it('judges a right output whatever the exit code, and explains a failed run whose output is wrong', async () => {
    const engine = setupEngine();
    const right = await run(engine, script(engine, [['ps', '-a']], (e) => honest(e), 1));
    expect(right.status, right.message.en).toBe('pass');
    const wrong = await run(engine, script(engine, [['ps', '-a']], () => '', 2));
    expect(wrong.status).toBe('fail');
    expect(wrong.message.en).toContain('unused-images.sh failed (exit code 2)');
  });

  it('accepts docker system df -v where docker ps -a would do (both tell which containers use each image)', async () => {
    const engine = setupEngine();
    const result = await run(engine, script(engine, [['system', 'df', '-v'], ['images']], (e) => honest(e)));
    expect(result.status, result.message.en).toBe('pass');
  });

  it('refuses a script that asks about no container at all, naming both ways', async () => {
    const engine = setupEngine();
    for (const argvs of [[['images']], [['system', 'df']]]) {
      const result = await run(engine, script(engine, argvs, (e) => honest(e)));
      expect(result.message.en).toContain('never asks about containers (neither docker ps -a nor docker system df -v)');
    }
  });
});
