import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workdirFiles } from '../../src/files/workdir.js';
import type { Exercise } from '../../src/lab/schema.js';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { emptyProgress } from '../../src/progress/store.js';
import { runExercise } from '../../src/runner/run.js';
import { tempDir } from '../tmp.js';
import { fakeEngine, ID_A, ID_B, noRegistry } from './fake-engine.js';

// Read once, on first use: this file's checks get half a second.
process.env.TP7_CHECK_TIMEOUT_MS = '500';

describe("a check's time limit", () => {
  it("stops the work too: the student's script and its background children are killed", async () => {
    const workdir = tempDir('timeout-');
    const marker = `tp7-check-limit-${process.pid}`;
    // The script's own limit (20 s) is far away: only the check's limit can stop it in time.
    writeFileSync(join(workdir, 'compare-images.sh'), `exec -a ${marker} sleep 30 &\nsleep 30\necho never\n`);
    const engine = { ...fakeEngine({ 'a:1': { Id: ID_A }, 'b:1': { Id: ID_B } }), imageHistory: async () => [] };
    const exercise = {
      id: 'exT',
      title: { fr: 'T', en: 'T' },
      checks: [{ id: 'slow', title: { fr: 'lent', en: 'slow' }, points: 1, hints: [], probe: { kind: 'compare-script', script: 'compare-images.sh', refs: ['a:1', 'b:1'], figures: ['size'], timeoutSeconds: 20 } }],
      questions: [],
    } as unknown as Exercise;
    const clients = { engine, registry: noRegistry, workdir, files: workdirFiles(workdir), processes: execaRunner(workdir) };
    const started = Date.now();
    const result = await runExercise(exercise, clients, emptyProgress(), { lang: 'en', reveal: false });
    expect(result.checks[0]!.status).toBe('error');
    expect(result.checks[0]!.message).toContain('took longer than 0.5 s');
    expect(Date.now() - started).toBeLessThan(3000);
    // The abort reached the runner: the process group is gone shortly after (SIGTERM, then SIGKILL after 1 s).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await execa('pgrep', ['-f', marker], { reject: false })).stdout).toBe('');
  });
});
