import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checksOf, cleanupExercise, docker, namedNotPulled, newWorkdir, runSolution, tp7, tp7Json, ok, buildImage } from './harness.js';

const PAGE = '/usr/share/nginx/html/index.html';
const CONTAINER = 'custom-nginx';

async function checkEx2(): Promise<Record<string, { status: string; message: string; expected: string; actual: string }>> {
  const { json } = await tp7Json(['check', 'ex2'], { workdir: newWorkdir() });
  return checksOf(json, 'ex2');
}

// Exercise 2 on the real engine: red before the work, every near miss of the brief with its own message,
// green after the reference solution (which leaves neither its container nor its build folder behind).
describe('ex2: creating and managing your own tags', () => {
  // Each case starts from an engine without the exercise's images and container, whatever the last one left.
  beforeEach(() => cleanupExercise('ex2'));
  afterAll(async () => {
    await docker('rmi', 'nginx:latest', 'alpine:3.19'); // pulled by near misses below, not by the exercise
    await cleanupExercise('ex2');
  });

  it('fails every check on an engine that lacks the images', async () => {
    const { run, json } = await tp7Json(['check', 'ex2'], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(1);
    const checks = checksOf(json, 'ex2');
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['alpine-pulled']!.message).toContain('nginx:alpine is not on your Docker engine');
    expect(checks['commit-page']!.message).toContain('mon-nginx:commit is not on your Docker engine');
    expect(checks['dockerfile-is-a-build']!.message).toContain('mon-nginx:dockerfile is not on your Docker engine');
    expect(json.score.earned).toBe(0);
  });

  it('near miss: a mon-nginx tag made from nginx:latest, and a commit of an nginx:latest container', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:latest'));
    for (const tag of ['v1', 'v3', 'latest']) await ok(docker('tag', 'nginx:alpine', `mon-nginx:${tag}`));
    await ok(docker('tag', 'nginx:latest', 'mon-nginx:v2'));
    await ok(docker('run', '-d', '--name', CONTAINER, 'nginx:latest'));
    await ok(docker('exec', CONTAINER, 'sh', '-c', `echo '<h1>TP7</h1>' > ${PAGE}`));
    await ok(docker('commit', CONTAINER, 'mon-nginx:commit'));
    await ok(docker('rm', '-f', CONTAINER));
    const workdir = newWorkdir();
    // Recorded even though it cannot be judged yet: the tags do not share one image.
    const answered = await tp7(['answer', 'ex2', 'shared-id', 'abcdefabcdef'], { workdir });
    expect(answered.stdout).toContain('cannot be checked yet');
    const { json } = await tp7Json(['check', 'ex2'], { workdir });
    const checks = checksOf(json, 'ex2');
    const latestId = (await ok(docker('images', '--format', '{{.ID}}', 'nginx:latest'))).stdout.trim();
    expect(checks['alpine-pulled']!.status).toBe('pass');
    expect(checks['own-tags']!.status).toBe('fail');
    expect(checks['own-tags']!.message).toContain(`mon-nginx:v2 does not point to the same image as nginx:alpine: it points to ${latestId} (nginx:latest)`);
    expect(checks['shared-id']!.message).toContain('do not share one ID');
    expect(checks['commit-page']!.status).toBe('pass');
    expect(checks['commit-is-a-commit']!.status).toBe('fail');
    expect(checks['commit-is-a-commit']!.message).toContain('does not continue that of nginx:alpine (a commit of a container of nginx:latest)');
  });

  it('near miss: nginx:alpine named with docker tag on another image instead of pulled', async () => {
    await ok(docker('pull', 'alpine:3.19'));
    await ok(docker('tag', 'alpine:3.19', 'nginx:alpine'));
    const checks = await checkEx2();
    expect(checks['alpine-pulled']!.status).toBe('fail');
    expect(checks['alpine-pulled']!.message).toMatch(await namedNotPulled('nginx:alpine', 'alpine'));
  });

  it('near miss: the container is changed but not committed, then committed unchanged', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('run', '-d', '--name', CONTAINER, 'nginx:alpine'));
    let checks = await checkEx2();
    expect(checks['commit-is-a-commit']!.message).toContain(`mon-nginx:commit does not exist, but container ${CONTAINER} is there (running)`);
    expect(checks['commit-page']!.message).toContain('mon-nginx:commit is not on your Docker engine');

    await ok(docker('commit', CONTAINER, 'mon-nginx:commit'));
    checks = await checkEx2();
    expect(checks['commit-is-a-commit']!.status).toBe('pass');
    expect(checks['commit-page']!.status).toBe('fail');
    expect(checks['commit-page']!.message).toContain(`${PAGE} in mon-nginx:commit is still the one of nginx:alpine: the change did not reach the image`);

    await ok(docker('exec', CONTAINER, 'sh', '-c', `echo '<h1>Hello</h1>' > ${PAGE}`));
    await ok(docker('commit', CONTAINER, 'mon-nginx:commit'));
    checks = await checkEx2();
    expect(checks['commit-page']!.message).toContain(`${PAGE} in mon-nginx:commit does not contain "TP7"; it starts with: <h1>Hello</h1>`);
  });

  it('near miss: each image made by the other route, a mere tag, and a Dockerfile that keeps the page', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await buildImage('mon-nginx:commit', `FROM nginx:alpine\nRUN echo '<h1>TP7</h1>' > ${PAGE}\n`);
    await ok(docker('run', '-d', '--name', CONTAINER, 'nginx:alpine'));
    await ok(docker('exec', CONTAINER, 'sh', '-c', `echo '<h1>TP7</h1>' > ${PAGE}`));
    await ok(docker('commit', CONTAINER, 'mon-nginx:dockerfile'));
    await ok(docker('rm', '-f', CONTAINER));
    let checks = await checkEx2();
    expect(checks['commit-page']!.status).toBe('pass');
    expect(checks['commit-is-a-commit']!.message).toContain(`The history of mon-nginx:commit shows Dockerfile steps ("RUN echo '<h1>TP7</h1>' > ${PAGE}")`);
    expect(checks['dockerfile-page']!.status).toBe('pass');
    expect(checks['dockerfile-is-a-build']!.message).toContain('The history of mon-nginx:dockerfile shows a docker commit ("nginx -g daemon off;")');

    await ok(docker('tag', 'nginx:alpine', 'mon-nginx:commit'));
    await buildImage('mon-nginx:dockerfile', 'FROM nginx:alpine\nRUN echo hello > /tmp/hello.txt\n');
    checks = await checkEx2();
    expect(checks['commit-is-a-commit']!.message).toContain('mon-nginx:commit is nginx:alpine itself (same IMAGE ID)');
    expect(checks['dockerfile-is-a-build']!.status).toBe('pass');
    expect(checks['dockerfile-page']!.message).toContain(`${PAGE} in mon-nginx:dockerfile is still the one of nginx:alpine`);
  });

  it('reads pages without leaving containers behind', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await buildImage('mon-nginx:dockerfile', `FROM nginx:alpine\nRUN echo '<h1>TP7</h1>' > ${PAGE}\n`);
    await checkEx2();
    const leftovers = await ok(docker('ps', '-a', '-q', '--filter', 'label=org.tp7-lab.probe'));
    expect(leftovers.stdout).toBe('');
  });

  it('passes every check after the reference solution', async () => {
    const workdir = newWorkdir();
    await runSolution('ex2', workdir);
    expect((await docker('container', 'inspect', CONTAINER)).exitCode).not.toBe(0);
    expect(readdirSync(workdir).filter((name) => name.startsWith('ex2-build'))).toEqual([]);
    const { run, json } = await tp7Json(['check', 'ex2'], { workdir });
    const failing = Object.values(checksOf(json, 'ex2')).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(json.score.percent).toBe(100);
    const text = await tp7(['check', 'ex2'], { workdir });
    expect(text.stdout).toMatch(/Score: (\d+)\/\1 \(100 %\)/);
    expect(existsSync(join(workdir, 'Dockerfile'))).toBe(false);
  });
});
