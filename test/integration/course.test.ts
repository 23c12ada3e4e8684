import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, checksOf, cleanupExercise, docker, newWorkdir, ok, runSolution, tp7, tp7Json } from './harness.js';

// The whole course, proven: `tp7 dev check --solutions` runs the nine reference solutions in order on this
// (dedicated, clean) engine, checks everything and removes what it made. Then exercises 8 and 9 in order in one
// workdir: exercise 9's release moves latest, 1 and 1.0 forward, which exercise 8 accepts; latest retagged to an
// unrelated image does not pass.

const REGISTRY = 'localhost:5000';

function today(): string {
  const now = new Date();
  return `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
}

async function engineState(): Promise<string[]> {
  const images = (await ok(docker('images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'))).stdout;
  const containers = (await ok(docker('ps', '-a', '--no-trunc', '--format', '{{.ID}}'))).stdout;
  const volumes = (await ok(docker('volume', 'ls', '-q'))).stdout;
  return [images, containers, volumes].join('\n').split('\n').filter(Boolean).sort();
}

describe('the whole course', { timeout: 900_000 }, () => {
  it('tp7 dev check --solutions: nine solutions, every check green but Docker Hub offline, 8/8 skills, nothing left', async () => {
    // Earlier test files may leave the course's resources (exercise 6's setup, a registry): --solutions needs a
    // clean engine and refuses otherwise, so they go first, whatever order the files ran in.
    await tp7(['reset', 'ex6', '--resources', '--yes'], { workdir: newWorkdir() });
    for (let n = 1; n <= 9; n++) await cleanupExercise(`ex${n}`);
    const before = await engineState();
    const run = await tp7(['dev', 'check', '--solutions', '--json']);
    const json = JSON.parse(run.stdout);
    expect(json.failures, run.stdout.slice(0, 4000)).toEqual([]);
    expect(json.ok).toBe(true);
    expect(run.exitCode).toBe(0);
    expect(json.solutions.map((solution: { exercise: string }) => solution.exercise)).toEqual(['ex1', 'ex2', 'ex3', 'ex4', 'ex5', 'ex6', 'ex7', 'ex8', 'ex9']);
    expect(json.report.score.percent).toBe(100);
    expect(json.report.checklist.map((skill: { status: string }) => skill.status)).toEqual(Array(8).fill('pass'));
    const skipped = json.report.exercises.flatMap((exercise: { checks: Array<{ status: string; kind: string }> }) => exercise.checks.filter((check) => check.status === 'skip'));
    expect(skipped.every((check: { kind: string }) => check.kind.startsWith('hub-'))).toBe(true);
    expect(json.cleanup.left).toEqual([]);
    // What was on the engine before is all there, and nothing more, but for untagged images: ex6's reference
    // solution runs the course's own `docker image prune`, which takes every dangling image of the engine (the
    // reason --solutions runs only on a dedicated engine); earlier test files leave some on this one.
    const tagged = (state: string[]) => state.filter((line) => !line.endsWith(':<none>'));
    expect(tagged(await engineState())).toEqual(tagged(before));
    console.log(`tp7 dev check --solutions: ${json.seconds} s (${json.solutions.map((s: { exercise: string; seconds: number }) => `${s.exercise} ${s.seconds}`).join(', ')})`);
  });

  it('refuses a second run on an engine that holds the course (and with no consent at all)', async () => {
    const refused = await tp7(['dev', 'check', '--solutions'], { env: { TP7_TEST_ENGINE: '0' } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('only on a dedicated engine');
    await ok(docker('volume', 'create', 'registry-data'));
    try {
      const dirty = await tp7(['dev', 'check', '--solutions']);
      expect(dirty.exitCode).toBe(2);
      expect(dirty.stderr).toContain('the engine is not clean: volume registry-data already exist(s)');
    } finally {
      await docker('volume', 'rm', 'registry-data');
    }
  });

  describe('exercise 8, then exercise 9 in the same workdir', () => {
    const workdir = newWorkdir();
    const stray = `tp7-course-stray:${randomBytes(4).toString('hex')}`;
    afterAll(async () => {
      await cleanupExercise('ex9');
      await cleanupExercise('ex8');
      await docker('rmi', '-f', `myapp:${today()}`, `${REGISTRY}/myapp:${today()}`, stray, `${REGISTRY}/myapp:stray`);
    });

    it('both green: latest, 1 and 1.0 moved with release 1.0.1', async () => {
      await runSolution('ex8', workdir);
      await runSolution('ex9', workdir);
      const { json } = await tp7Json(['check', 'ex8', 'ex9'], { workdir });
      const ex8 = checksOf(json, 'ex8');
      const failing = [...Object.values(ex8), ...Object.values(checksOf(json, 'ex9'))].filter((check) => check.status !== 'pass');
      expect(failing).toEqual([]);
      expect(ex8['registry-one-digest']!.message).toMatch(/but for 1\.0, 1, latest, which moved with release 1\.0\.1, a newer one: a floating tag follows the newest release it covers/);
      expect(ex8['local-tags-removed']!.message).toMatch(/1 \(1\.0\.1\), 1\.0 \(1\.0\.1\) now name\(s\) a newer release/);
    });

    it('latest retagged to an unrelated image: red, naming the digest it has', async () => {
      await buildImage(stray, `FROM scratch\nLABEL org.tp7-lab.test=${stray}\nCOPY x /x\n`, { x: randomBytes(64) });
      await ok(docker('tag', stray, `${REGISTRY}/myapp:latest`));
      await ok(docker('push', `${REGISTRY}/myapp:latest`));
      const { json } = await tp7Json(['check', 'ex8', 'ex9'], { workdir });
      const ex8 = checksOf(json, 'ex8');
      expect(ex8['registry-one-digest']!.status).toBe('fail');
      expect(ex8['registry-one-digest']!.message).toMatch(/latest → [0-9a-f]{12} \(no release tag of the repository names that image\)/);
      expect(checksOf(json, 'ex9')['release-tags']!.status).toBe('fail');
    });

    it('latest pushed back to an older release: red, naming that release', async () => {
      await ok(docker('tag', stray, `${REGISTRY}/myapp:0.9.0`));
      await ok(docker('push', `${REGISTRY}/myapp:0.9.0`));
      const { json } = await tp7Json(['check', 'ex8'], { workdir });
      const ex8 = checksOf(json, 'ex8');
      expect(ex8['registry-one-digest']!.message).toMatch(/latest → [0-9a-f]{12} \(release 0\.9\.0, not newer than 1\.0\.0: a floating tag only follows newer releases\)/);
      await docker('rmi', `${REGISTRY}/myapp:0.9.0`);
    });
  });
});
