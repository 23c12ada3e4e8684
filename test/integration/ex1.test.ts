import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { buildImage, checksOf, cleanupExercise, docker, engineArch, engineStore, newWorkdir, ok, runSolution, TP7_BIN, tp7, tp7Json } from './harness.js';

// Exercise 1 on the real engine: red on an engine without the images, green after the reference solution,
// and the usual near misses fail with their own message.
describe('ex1: understanding tags', () => {
  beforeAll(() => cleanupExercise('ex1'));
  afterAll(() => cleanupExercise('ex1'));

  it('fails every check on an engine that lacks the images', async () => {
    const { run, json } = await tp7Json(['check', 'ex1'], { workdir: newWorkdir() });
    expect(run.exitCode).toBe(1);
    const checks = checksOf(json, 'ex1');
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['pulled-1.25']!.message).toContain('nginx:1.25 is not on your Docker engine');
    expect(checks['shared-id']!.message).toContain('Not answered yet');
    expect(json.score.earned).toBe(0);
  });

  it('near miss: only nginx:alpine pulled', async () => {
    expect((await docker('pull', 'nginx:alpine')).exitCode).toBe(0);
    const workdir = newWorkdir();
    expect((await tp7(['answer', 'ex1', 'architecture', await engineArch()], { workdir })).exitCode).toBe(0);
    await tp7(['answer', 'ex1', 'shared-id', 'yes'], { workdir });
    // Typed as the shell passes it: the answer's own dashes are not tp7 options.
    const command = await tp7(['answer', 'ex1', 'default-command', 'nginx', '-g', 'daemon off;'], { workdir });
    expect(command.stdout).toContain('Right answer');
    expect(command.exitCode).toBe(0);
    const { run, json } = await tp7Json(['check', 'ex1'], { workdir });
    expect(run.exitCode).toBe(1);
    const checks = checksOf(json, 'ex1');
    expect(checks['pulled-alpine']!.status).toBe('pass');
    expect(checks['architecture']!.status).toBe('pass');
    expect(checks['pulled-1.25']!.message).toBe('nginx:1.25 is not on your Docker engine (present: nginx:alpine). Hint: tp7 hint ex1');
    expect(checks['alpine-is-smaller']!.message).toContain('nginx:latest is missing');
    expect(checks['shared-id']!.message).toContain('cannot be checked yet');
  });

  it('near miss: a wrong answer to an engine-derived question, with the expected value hidden', async () => {
    const workdir = newWorkdir();
    const answer = await tp7(['answer', 'ex1', 'architecture', (await engineArch()) === 'arm64' ? 'amd64' : 'arm64'], { workdir });
    expect(answer.exitCode).toBe(1);
    expect(answer.stdout).toContain('Wrong answer');
    const { json } = await tp7Json(['check', 'ex1'], { workdir });
    const architecture = checksOf(json, 'ex1')['architecture']!;
    expect(architecture).toMatchObject({ status: 'fail', expected: '(hidden)' });
    const revealed = await tp7Json(['check', 'ex1', '--reveal'], { workdir });
    expect(checksOf(revealed.json, 'ex1')['architecture']!.expected).toBe(await engineArch());
  });

  it('near miss: nginx:alpine made with docker tag from nginx:latest', async () => {
    await docker('rmi', 'nginx:alpine');
    expect((await docker('pull', 'nginx:latest')).exitCode).toBe(0);
    expect((await docker('tag', 'nginx:latest', 'nginx:alpine')).exitCode).toBe(0);
    const { json } = await tp7Json(['check', 'ex1'], { workdir: newWorkdir() });
    const checks = checksOf(json, 'ex1');
    expect(checks['alpine-is-another-image']!.status).toBe('fail');
    expect(checks['alpine-is-another-image']!.message).toContain('nginx:alpine and nginx:latest are the same image');
    expect(checks['alpine-is-smaller']!.status).toBe('fail');
    await cleanupExercise('ex1');
  });

  it('near miss: nginx:1.25 and nginx:stable named with docker tag instead of pulled', async () => {
    await cleanupExercise('ex1');
    expect((await docker('pull', 'nginx:alpine')).exitCode).toBe(0);
    expect((await docker('tag', 'nginx:alpine', 'nginx:1.25')).exitCode).toBe(0);
    expect((await docker('tag', 'nginx:alpine', 'nginx:stable')).exitCode).toBe(0);
    const workdir = newWorkdir();
    let checks = checksOf((await tp7Json(['check', 'ex1'], { workdir })).json, 'ex1');
    expect(checks['pulled-1.25']).toMatchObject({ status: 'fail' });
    expect(checks['pulled-1.25']!.message).toContain('nginx:1.25 is the same image as nginx:alpine');
    expect(checks['pulled-stable']!.message).toContain('nginx:stable is the same image as nginx:alpine');
    // The source gone, the retagged image still declares what it is: the Alpine variant, a mainline version.
    await docker('rmi', 'nginx:alpine', 'nginx:stable');
    checks = checksOf((await tp7Json(['check', 'ex1'], { workdir })).json, 'ex1');
    expect(checks['pulled-1.25']!.message).toContain('nginx:1.25 declares PKG_RELEASE=1, whereas the image published under this tag announces a package of the Debian variant');
    await docker('tag', 'nginx:1.25', 'nginx:stable');
    await docker('rmi', 'nginx:1.25');
    checks = checksOf((await tp7Json(['check', 'ex1'], { workdir })).json, 'ex1');
    expect(checks['pulled-stable']!.message).toContain("nginx:stable declares NGINX_VERSION=1.25.4, whereas the image published under this tag announces a version of nginx's stable line");
    // The stable tag put on latest: two images the registry publishes apart.
    await docker('rmi', 'nginx:stable');
    expect((await docker('pull', 'nginx:latest')).exitCode).toBe(0);
    expect((await docker('tag', 'nginx:latest', 'nginx:stable')).exitCode).toBe(0);
    checks = checksOf((await tp7Json(['check', 'ex1'], { workdir })).json, 'ex1');
    expect(checks['pulled-stable']!.message).toContain('nginx:stable is the same image as nginx:latest');
    expect(checks['pulled-latest']!.status).toBe('pass');
    for (const check of [checks['pulled-1.25']!, checks['pulled-stable']!]) {
      expect(check.status).toBe('fail');
      expect(check.message).not.toMatch(/docker pull/);
    }
    await cleanupExercise('ex1');
  });

  it('near miss: nginx:1.25 built locally to declare the right version, and nginx:alpine saved then loaded', async () => {
    await cleanupExercise('ex1');
    expect((await docker('pull', 'nginx:alpine')).exitCode).toBe(0);
    // Another test file may have pushed this very image elsewhere (localhost:5000/myapp): its repo digest would
    // outlive the load below. Only nginx's own digest belongs to this scenario.
    const digests = (await docker('image', 'inspect', '--format', '{{join .RepoDigests "\\n"}}', 'nginx:alpine')).stdout.split('\n');
    for (const digest of digests.filter((ref) => ref && !ref.startsWith('nginx@'))) await docker('rmi', digest);
    await buildImage('nginx:1.25', 'FROM nginx:alpine\nENV NGINX_VERSION=1.25.5 PKG_RELEASE=1~bookworm\n');
    const archive = join(newWorkdir(), 'alpine.tar');
    await ok(docker('save', '-o', archive, 'nginx:alpine'));
    await ok(docker('rmi', 'nginx:alpine'));
    await ok(docker('load', '-i', archive));
    const checks = checksOf((await tp7Json(['check', 'ex1'], { workdir: newWorkdir() })).json, 'ex1');
    expect(checks['pulled-1.25']).toMatchObject({ status: 'fail' });
    if (await engineStore() === 'containerd') {
      // A local build is no manifest of the repository; a loaded save of the pulled image keeps its digest there,
      // so it is the published image (the classic store, which keeps no digest through a load, cannot tell).
      expect(checks['pulled-1.25']!.message).toMatch(/^nginx:1\.25 exists but did not come from the nginx repository of a registry: 127\.0\.0\.1:5001\/library\/nginx publishes no manifest [0-9a-f]{12} \(this image's ID\): an image built locally/);
      expect(checks['pulled-alpine']).toMatchObject({ status: 'pass' });
    } else {
      expect(checks['pulled-1.25']!.message).toContain('nginx:1.25 exists but did not come from the nginx repository of a registry: it has no digest');
      expect(checks['pulled-alpine']!.message).toContain('loaded with docker load has none');
    }
    await cleanupExercise('ex1');
  });

  it('passes every check after the reference solution', async () => {
    const workdir = newWorkdir();
    await runSolution('ex1', workdir);
    const { run, json } = await tp7Json(['check', 'ex1'], { workdir });
    const failing = Object.values(checksOf(json, 'ex1')).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(json.score.percent).toBe(100);
    expect(json.checklist.find((skill: { id: string }) => skill.id === 'tags')).toMatchObject({ status: 'pass' });
    const text = await tp7(['check', 'ex1'], { workdir });
    expect(text.stdout).toMatch(/Score: (\d+)\/\1 \(100 %\)/);
    // --reveal shows the expected answers in the text checklist too.
    const revealed = await tp7(['check', 'ex1', '--reveal'], { workdir });
    expect(revealed.stdout).toContain(`      expected: ${await engineArch()}`);
    expect(text.stdout).not.toContain('expected:');
    // Every question answered right: the quiz says there is nothing left, in a real terminal (script's pty).
    const quiz = await execa('script', ['-qec', `node ${TP7_BIN} quiz ex1 --workdir ${workdir}`, '/dev/null'], { reject: false, env: { TP7_LANG: 'en', NO_COLOR: '1' }, timeout: 20_000 });
    expect(quiz.stdout).toContain('Every question of ex1 already has a right answer: nothing left to answer. To go over them again: tp7 quiz ex1 --all');
    expect(quiz.exitCode).toBe(0);
    // What an instructor's gradebook and CI take: the student's name and a JUnit file.
    const junit = join(workdir, 'reports/ex1.xml');
    const graded = await tp7Json(['check', 'ex1', '--student', 'alice', '--junit', junit], { workdir });
    expect(graded.json.student).toBe('alice');
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(json.exercises[0].checks.length);
    expect(xml).not.toMatch(/<failure|<error/);
    // A JUnit path that cannot be written: the report is still printed, then one line and exit 2.
    writeFileSync(join(workdir, 'a-file'), '');
    const unwritable = await tp7Json(['check', 'ex1', '--junit', join(workdir, 'a-file/ex1.xml')], { workdir });
    expect(unwritable.json.score.percent).toBe(100);
    expect(unwritable.run.exitCode).toBe(2);
    expect(unwritable.run.stderr.trim()).toMatch(/^tp7: cannot write the JUnit report to .*a-file\/ex1\.xml \(E[A-Z]+\)$/);
  });
});
