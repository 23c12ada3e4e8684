import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksOf, cleanupExercise, docker, newWorkdir, ok, runSolution, tp7Json } from './harness.js';

// Exercise 8 on the real engine, a real registry:2 on port 5000 and a real nginx on port 8080: red before the
// work, green after the reference solution (which runs the pipeline twice), then each near miss of the brief
// made on top of the solved state, checked, and undone. Nothing here touches what the test did not make.

const REGISTRY = 'localhost:5000';
const TAGS = ['1.0.0', '1.0', '1', 'latest', 'stable', 'prod'];
type Checks = Record<string, { status: string; message: string; expected: string; actual: string }>;

/** Today as `date +%Y%m%d` writes it (the machine's time zone, as the script's `date`). */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
}

async function check(workdir: string): Promise<Checks> {
  const { json } = await tp7Json(['check', 'ex8'], { workdir });
  return checksOf(json, 'ex8');
}

async function cleanup(): Promise<void> {
  await cleanupExercise('ex8');
  // The date tags are the exercise's too, but their name is only known today.
  await docker('rmi', '-f', `myapp:${today()}`, `${REGISTRY}/myapp:${today()}`);
}

/** Recreates myapp-test the way the pipeline does (from the registry's image). */
async function registryTestContainer(): Promise<void> {
  await docker('rm', '-f', 'myapp-test');
  await ok(docker('run', '-d', '--name', 'myapp-test', '-p', '8080:80', `${REGISTRY}/myapp:1.0.0`));
  await waitPage();
}

async function waitPage(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch('http://localhost:8080/', { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('myapp-test did not answer');
}

describe('ex8: the complete pipeline', () => {
  const workdir = newWorkdir();

  beforeAll(cleanup);
  afterAll(async () => {
    await docker('unpause', 'myapp-test');
    await cleanup();
    // Port 8080 and port 5000 are free again for whoever comes next.
    await expect(fetch('http://localhost:8080/', { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    await expect(fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('fails before the work, each check saying what is missing', async () => {
    const checks = await check(newWorkdir());
    for (const [id, result] of Object.entries(checks)) {
      if (!['shared-digest', 'tags-cost', 'second-run', 'date-tag'].includes(id)) expect(result.status, id).not.toBe('pass');
    }
    expect(checks['registry-running']!.message).toContain('No container named registry');
    expect(checks['image-committed']!.message).toContain('myapp:1.0.0 is not on your Docker engine');
    expect(checks['registry-one-digest']!.status).toBe('error');
    expect(checks['backup']!.message).toContain('No file named like backups/myapp-1.0.0-YYYYMMDD.tar.gz');
    expect(checks['test-container']!.message).toContain('No container named myapp-test');
    expect(checks['test-page']!.message).toMatch(/Nothing answers on localhost:8080 \(ECONNREFUSED\)/);
    expect(checks['cleanup-script']!.message).toContain('cleanup.sh is not in your working directory');
  });

  it('passes after the reference solution, which ran the pipeline twice', async () => {
    await runSolution('ex8', workdir);
    const checks = await check(workdir);
    const failing = Object.entries(checks).filter(([, result]) => result.status !== 'pass');
    expect(failing).toEqual([]);
    expect(checks['registry-one-digest']!.actual).toContain(`${today()} →`);
    // The recorded run of cleanup.sh removed nothing.
    expect((await docker('inspect', '-f', '{{.State.Running}}', 'myapp-test')).stdout).toBe('true');
    expect((await docker('image', 'inspect', `${REGISTRY}/myapp:latest`)).exitCode).toBe(0);
  });

  it('near miss: a tag pushed from another image names the digest it has', async () => {
    await ok(docker('tag', 'nginx:alpine', `${REGISTRY}/myapp:prod`));
    await ok(docker('push', `${REGISTRY}/myapp:prod`));
    const checks = await check(workdir);
    expect(checks['registry-one-digest']!.status).toBe('fail');
    expect(checks['registry-one-digest']!.message).toMatch(/These tags do not name the manifest of 1\.0\.0 \([0-9a-f]{12}\): prod → [0-9a-f]{12}\./);
    await ok(docker('tag', 'myapp:1.0.0', `${REGISTRY}/myapp:prod`));
    await ok(docker('push', `${REGISTRY}/myapp:prod`));
    expect((await check(workdir))['registry-one-digest']!.status).toBe('pass');
  });

  it('near miss: the backup of a different image (the newest dated file is judged)', async () => {
    const wrong = join(workdir, 'backups/myapp-1.0.0-20991231.tar.gz');
    expect((await execa('bash', ['-c', `docker save nginx:alpine | gzip > ${wrong}`])).exitCode).toBe(0);
    const checks = await check(workdir);
    expect(checks['backup']!.status).toBe('fail');
    expect(checks['backup']!.message).toMatch(/backups\/myapp-1\.0\.0-20991231\.tar\.gz holds image [0-9a-f]{12} \(nginx:alpine\), not myapp:1\.0\.0/);
    rmSync(wrong);
  });

  it('a 50 GB sparse file as the newest backup: one line, tp7 gone within the check limit + 1 s', async () => {
    const huge = join(workdir, 'backups/myapp-1.0.0-20991231.tar.gz');
    writeFileSync(huge, '');
    truncateSync(huge, 50e9);
    const limit = 4000;
    const started = Date.now();
    const { json } = await tp7Json(['check', 'ex8'], { workdir, env: { TP7_CHECK_TIMEOUT_MS: String(limit) } });
    expect(Date.now() - started).toBeLessThan(limit + 1000);
    const backup = checksOf(json, 'ex8')['backup']!;
    expect(backup.status).toBe('fail');
    expect(backup.message).toContain('By its content, backups/myapp-1.0.0-20991231.tar.gz is an uncompressed tar, not gzip');
    rmSync(huge);
  });

  it('near miss: local convenience tags left behind', async () => {
    await ok(docker('tag', 'myapp:1.0.0', 'myapp:stable'));
    await ok(docker('tag', 'myapp:1.0.0', `myapp:${today()}`));
    const checks = await check(workdir);
    expect(checks['local-tags-removed']!.message).toContain(`These local tags of myapp are still there: ${today()}, stable.`);
    await ok(docker('rmi', 'myapp:stable', `myapp:${today()}`));
  });

  it('near miss: floating tags put back by hand, with no newer release behind them', async () => {
    // On myapp:1.0.0 itself: nothing newer put them back, the cleanup was undone.
    await ok(docker('tag', 'myapp:1.0.0', 'myapp:1'));
    await ok(docker('tag', 'myapp:1.0.0', 'myapp:1.0'));
    let checks = await check(workdir);
    expect(checks['local-tags-removed']!.status).toBe('fail');
    expect(checks['local-tags-removed']!.message).toContain('These local tags of myapp are still there: 1, 1.0.');
    // On another image that carries no release: a floating tag follows a release, not any image.
    await ok(docker('rmi', 'myapp:1', 'myapp:1.0'));
    await ok(docker('tag', 'nginx:alpine', 'myapp:1'));
    checks = await check(workdir);
    expect(checks['local-tags-removed']!.status).toBe('fail');
    expect(checks['local-tags-removed']!.message).toContain('These local tags of myapp are still there: 1.');
    await ok(docker('rmi', 'myapp:1'));
    checks = await check(workdir);
    expect(checks['local-tags-removed']!.status).toBe('pass');
  });

  it('near miss: the container started from the local image instead of the registry\'s', async () => {
    await docker('rm', '-f', 'myapp-test');
    await ok(docker('run', '-d', '--name', 'myapp-test', '-p', '8080:80', 'myapp:1.0.0'));
    await waitPage();
    const checks = await check(workdir);
    expect(checks['test-container']!.status).toBe('fail');
    expect(checks['test-container']!.message).toContain('myapp-test was started from myapp:1.0.0, the local image');
    // The page is the same image's: only the container check can tell.
    expect(checks['test-page']!.status).toBe('pass');
    await registryTestContainer();
  });

  it('near miss: a page still showing the old version', async () => {
    await ok(docker('exec', 'myapp-test', 'sed', '-i', 's/1\\.0\\.0/0.9.0/g', '/usr/share/nginx/html/index.html'));
    const checks = await check(workdir);
    expect(checks['test-page']!.status).toBe('fail');
    expect(checks['test-page']!.message).toMatch(/does not show "Version: 1\.0\.0"; it shows: "myapp v0\.9\.0 myapp Version: 0\.9\.0/);
    await registryTestContainer();
  });

  it('near miss: the service not answering (paused: no answer in time; stopped: nothing listens)', async () => {
    await ok(docker('pause', 'myapp-test'));
    let checks = await check(workdir);
    expect(checks['test-page']!.message).toContain('http://localhost:8080/ did not answer within 3 s: the service takes the connection but does not answer.');
    await ok(docker('unpause', 'myapp-test'));
    await ok(docker('stop', '-t', '1', 'myapp-test'));
    checks = await check(workdir);
    expect(checks['test-page']!.message).toMatch(/^Nothing answers on localhost:8080/);
    expect(checks['test-container']!.message).toMatch(/Container myapp-test exists but is not running/);
    await registryTestContainer();
  });

  it('near misses of cleanup.sh, judged by recorded runs that remove nothing', async () => {
    const script = join(workdir, 'cleanup.sh');
    const reference = readFileSync(script, 'utf8');
    const variants: Array<[string, RegExp]> = [
      // The course's own: by ID, an image named in two repositories is refused without -f.
      ['docker rm -f myapp-test registry\ndocker rmi $(docker images myapp -q)\ndocker rmi $(docker images localhost:5000/myapp -q)\ndocker volume rm registry-data\n', /docker would refuse: this image is named in several repositories/],
      ['docker rm -f myapp-test registry\ndocker system prune -af --volumes\n', /docker system prune -af --volumes reaches beyond the pipeline's resources/],
      ['docker rm -f myapp-test registry\ndocker rmi -f $(docker images myapp -q) nginx:alpine\ndocker volume rm registry-data\n', /it also removes nginx:alpine, which the pipeline did not make/],
      ['docker rm -f myapp-test registry\ndocker rmi -f $(docker images myapp -q)\n', /volume\(s\) registry-data would stay/],
      ['docker rmi -f $(docker images myapp -q)\ndocker volume rm registry-data\n', /container\(s\) myapp-test, registry would stay/],
    ];
    for (const [body, message] of variants) {
      writeFileSync(script, `#!/bin/bash\n${body}`);
      const checks = await check(workdir);
      expect(checks['cleanup-script']!.status, body).toBe('fail');
      expect(checks['cleanup-script']!.message, body).toMatch(message);
    }
    // -f by ID is accepted: the daemon removes every name of the image then.
    writeFileSync(script, '#!/bin/bash\ndocker rm -f myapp-test registry\ndocker rmi -f $(docker images myapp -q)\ndocker volume rm registry-data\nrm -rf app backups\n');
    expect((await check(workdir))['cleanup-script']!.status).toBe('pass');
    writeFileSync(script, reference);
    expect((await docker('inspect', '-f', '{{.State.Running}}', 'myapp-test')).stdout).toBe('true');
    expect((await docker('volume', 'inspect', 'registry-data')).exitCode).toBe(0);
  });
});
