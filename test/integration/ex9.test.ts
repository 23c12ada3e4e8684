import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, checksOf, cleanupExercise, docker, newWorkdir, ok, runSolution, tp7Json } from './harness.js';

// Exercise 9 on the real engine and a real registry:2 on port 5000: red before the work, green after the
// reference solution, and the near misses of the brief, each with its own message. The script checks are
// recorded runs: they must leave the engine and the registry as they found them.

const REGISTRY = 'localhost:5000';
const OLD_IMAGE = 'tp7-ex9-old:1';
type Checks = Record<string, { status: string; message: string; expected: string; actual: string }>;

async function checkEx9(workdir: string): Promise<{ checks: Checks; json: any }> {
  const { json } = await tp7Json(['check', 'ex9'], { workdir });
  return { checks: checksOf(json, 'ex9'), json };
}

async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/tags/list`);
  return response.ok ? (((await response.json()) as { tags: string[] | null }).tags ?? []).sort() : [];
}

/** A copy of the solved workdir (its git repository included), for one near miss. */
function copyOf(workdir: string): string {
  const copy = newWorkdir();
  cpSync(workdir, copy, { recursive: true });
  return copy;
}

const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd });

describe('ex9: versioning and naming good practice', { timeout: 180_000 }, () => {
  let solved: string;

  beforeAll(async () => {
    await cleanupExercise('ex9');
    await docker('rmi', '-f', OLD_IMAGE);
  });
  afterAll(async () => {
    await cleanupExercise('ex9');
    await docker('rmi', '-f', OLD_IMAGE);
  });

  it('fails every check before the work', async () => {
    const { checks, json } = await checkEx9(newWorkdir());
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['bump-minor']!.message).toContain('version-manager.sh is not in your working directory');
    expect(checks['usage']!.message).toContain('version-manager.sh is not in your working directory');
    expect(checks['version-file']!.message).toContain('VERSION is not in your working directory');
    expect(checks['release-git-tag']!.message).toContain('VERSION is not in your working directory');
    expect(checks['webapp-variant']!.message).toContain('Not answered yet');
    expect(json.score.earned).toBe(0);
  });

  it('passes every check after the reference solution, and the recorded runs changed nothing', async () => {
    solved = newWorkdir();
    await runSolution('ex9', solved);
    const before = (await ok(docker('images', '--format', '{{.Repository}}:{{.Tag}}'))).stdout.split('\n').sort();
    const { checks, json } = await checkEx9(solved);
    const failing = Object.values(checks).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
    expect(json.score.percent).toBe(100);
    // The runs from 1.9.9 built, tagged and pushed nothing for real.
    const after = (await ok(docker('images', '--format', '{{.Repository}}:{{.Tag}}'))).stdout.split('\n').sort();
    expect(after).toEqual(before);
    expect(await registryTags('myapp')).toEqual(['1', '1.0', '1.0.1', 'latest']);
    expect((await git(solved, 'tag', '-l')).stdout.trim()).toBe('v1.0.1');
  });

  it('near miss: a MINOR bump that keeps PATCH', async () => {
    const workdir = copyOf(solved);
    const script = join(workdir, 'version-manager.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace('MINOR=$((MINOR + 1)); PATCH=0', 'MINOR=$((MINOR + 1))'));
    const { checks } = await checkEx9(workdir);
    expect(checks['bump-minor']!.status).toBe('fail');
    expect(checks['bump-minor']!.message).toContain('1.10.9 instead of 1.10.0: a MINOR bump resets PATCH to 0');
    expect(checks['bump-patch']!.status).toBe('pass');
  });

  it('near miss: a lightweight git tag for the release', async () => {
    const workdir = copyOf(solved);
    await git(workdir, 'tag', '-d', 'v1.0.1');
    await git(workdir, 'tag', 'v1.0.1');
    const { checks } = await checkEx9(workdir);
    expect(checks['release-git-tag']!.status).toBe('fail');
    expect(checks['release-git-tag']!.message).toContain('v1.0.1 is a lightweight git tag');
  });

  it('near miss: VERSION written with its v', async () => {
    const workdir = copyOf(solved);
    writeFileSync(join(workdir, 'VERSION'), 'v1.0.1\n');
    const { checks } = await checkEx9(workdir);
    expect(checks['version-file']!.message).toContain('write the bare version, 1.0.1');
  });

  it('near miss: latest left on the old version in the registry', async () => {
    await buildImage(OLD_IMAGE, 'FROM nginx:alpine\nRUN echo old > /usr/share/nginx/html/index.html\n');
    await ok(docker('tag', OLD_IMAGE, `${REGISTRY}/myapp:0.0.9`));
    await ok(docker('push', `${REGISTRY}/myapp:0.0.9`));
    await ok(docker('tag', OLD_IMAGE, `${REGISTRY}/myapp:latest`));
    await ok(docker('push', `${REGISTRY}/myapp:latest`));
    const { checks } = await checkEx9(solved);
    expect(checks['release-tags']!.status).toBe('fail');
    expect(checks['release-tags']!.message).toMatch(/myapp:latest is on [0-9a-f]{12} \(the one of 0\.0\.9\), not on version 1\.0\.1 .*latest was left on the old version/);
    await docker('rmi', `${REGISTRY}/myapp:0.0.9`);
  });
});
