import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checksOf, cleanupExercise, docker, newWorkdir, runSolution, tp7, tp7Json, ok, buildImage } from './harness.js';

async function checkEx5(workdir = newWorkdir()) {
  const { run, json } = await tp7Json(['check', 'ex5'], { workdir });
  return { run, json, checks: checksOf(json, 'ex5') };
}

/** A comparison script with the course's layout whose figures come from the given commands ($img set per image). */
function compareScript(workdir: string, figures: { size: string; layers: string; created: string }): void {
  const row = (label: string, command: string) => `echo "${label}:"; for img in "$1" "$2"; do echo "  $img: $(${command})"; done`;
  writeFileSync(join(workdir, 'compare-images.sh'), [
    '#!/bin/bash',
    `echo "=== Comparaison: $1 vs $2 ==="`,
    row('Taille', figures.size),
    row('Layers', figures.layers),
    row('Architecture', `docker inspect "$img" --format '{{.Architecture}}'`),
    row('OS', `docker inspect "$img" --format '{{.Os}}'`),
    row('Créé', figures.created),
    '',
  ].join('\n'));
}

const WASTEFUL = `FROM alpine:3.19
RUN head -c 5000000 /dev/urandom > /tmp/bundle.bin
RUN mkdir -p /opt/app && head -c 500000 /tmp/bundle.bin > /opt/app/app.bin
RUN chmod 755 /opt/app/app.bin
RUN rm /tmp/bundle.bin
`;
const ONE_RUN = `FROM alpine:3.19
RUN head -c 5000000 /dev/urandom > /tmp/bundle.bin && mkdir -p /opt/app \\
 && head -c 500000 /tmp/bundle.bin > /opt/app/app.bin && chmod 755 /opt/app/app.bin && rm /tmp/bundle.bin
`;

// Exercise 5 on the real engine: red before the work, the near misses of the brief each with its own message,
// green after the reference solution.
describe('ex5: inspecting and analysing images', () => {
  beforeEach(() => cleanupExercise('ex5'));
  afterAll(() => cleanupExercise('ex5'));

  it('fails every check on an engine that lacks the images', async () => {
    const { run, json, checks } = await checkEx5();
    expect(run.exitCode).toBe(1);
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['nginx-alpine-pulled']!.message).toContain('nginx:alpine is not on your Docker engine');
    expect(checks['compare-script']!.message).toContain('compare-images.sh is not in your working directory');
    expect(checks['wasteful-built']!.message).toContain('tp7-wasteful:1.0 is not on your Docker engine');
    expect(checks['dive-ci-config']!.message).toContain('.dive-ci.yml is not in your working directory');
    expect(checks['largest-layer-instruction']!.message).toContain('Not answered yet');
    expect(json.score.earned).toBe(0);
  });

  it('near miss: a comparison script that prints wrong figures, each named', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:latest'));
    const workdir = newWorkdir();
    // Three classic slips: the second image's size for both, history rows counted with the header line, and
    // the relative age instead of the date.
    compareScript(workdir, {
      size: `docker images "$2" --format '{{.Size}}'`,
      layers: `docker history "$img" | wc -l`,
      created: `docker images "$img" --format '{{.CreatedSince}}'`,
    });
    const { checks } = await checkEx5(workdir);
    const message = checks['compare-script']!.message;
    expect(checks['compare-script']!.status).toBe('fail');
    const latestSize = (await ok(docker('images', 'nginx:latest', '--format', '{{.Size}}'))).stdout.trim();
    expect(message).toContain(`the size of nginx:alpine: "${latestSize}" does not match the engine`);
    expect(message).not.toContain('the size of nginx:latest');
    expect(message).toMatch(/the layer count of nginx:alpine: "\d+" does not match the engine/);
    expect(message).toMatch(/the creation date of nginx:latest is a relative age \(".* ago"\): print the date/);
    expect(message).not.toMatch(/architecture|the OS/);

    // The same script with the right commands passes.
    compareScript(workdir, {
      size: `docker images "$img" --format '{{.Size}}'`,
      layers: `docker history "$img" --format '{{.ID}}' | wc -l`,
      created: `docker inspect "$img" --format '{{.Created}}'`,
    });
    expect((await checkEx5(workdir)).checks['compare-script']!.status).toBe('pass');
  });

  it('near miss: an optimised image that is still wasteful, a wasteful one that is not, the course rules file', async () => {
    // The cleanup joined into one RUN, but the chmod left apart: app.bin is copied twice.
    await buildImage('tp7-optimised:1.0', `FROM alpine:3.19
RUN head -c 5000000 /dev/urandom > /tmp/bundle.bin && mkdir -p /opt/app \\
 && head -c 500000 /tmp/bundle.bin > /opt/app/app.bin && rm /tmp/bundle.bin
RUN chmod 755 /opt/app/app.bin
`);
    await buildImage('tp7-wasteful:1.0', ONE_RUN);
    const workdir = newWorkdir();
    writeFileSync(join(workdir, '.dive-ci.yml'), 'rules:\n  - name: efficiency\n    fatal: false\n    value: 0.95\n  - name: size\n    fatal: true\n    value: 100MB\n');
    const { checks } = await checkEx5(workdir);
    expect(checks['optimised-efficient']!.status).toBe('fail');
    expect(checks['optimised-efficient']!.message).toMatch(
      /^tp7-optimised:1\.0: efficiency \d+(\.\d)? %, below the required 95 %; most wasted: \/opt\/app\/app\.bin \(1 MB over 2 layers\)\./,
    );
    expect(checks['wasteful-built']!.message).toContain('tp7-wasteful:1.0: efficiency 100 %: this image does not waste enough (expected below 95 %)');
    expect(checks['optimised-smaller']!.status).toBe('fail');
    expect(checks['dive-ci-config']!.message).toContain("uses the course's list form");
  });

  it('near miss: an optimised image that lost the application', async () => {
    await buildImage('tp7-optimised:1.0', 'FROM alpine:3.19\nRUN mkdir -p /opt/app\n');
    await buildImage('tp7-wasteful:1.0', WASTEFUL);
    const { checks } = await checkEx5();
    expect(checks['wasteful-built']!.status).toBe('pass');
    expect(checks['optimised-efficient']!.message).toContain('/opt/app/app.bin missing: the image must still hold what its Dockerfile produces');
  });

  it('passes every check after the reference solution', async () => {
    const workdir = newWorkdir();
    const solved = await runSolution('ex5', workdir);
    expect(solved.stdout).toContain('Result: PASS'); // tp7 analyze tp7-optimised:1.0 under the workdir's rules
    const started = Date.now();
    const { run, json, checks } = await checkEx5(workdir);
    const failing = Object.values(checks).filter((check) => check.status !== 'pass');
    expect(failing).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(json.score.percent).toBe(100);
    expect(json.checklist.find((skill: { id: string }) => skill.id === 'layers')).toMatchObject({ status: 'pass' });
    console.log(`tp7 check ex5 after the solution: ${Date.now() - started} ms`);
    const timed = Date.now();
    const analysed = await tp7(['analyze', 'nginx:alpine', '--json'], { workdir: newWorkdir() });
    console.log(`tp7 analyze nginx:alpine: ${Date.now() - timed} ms (${JSON.parse(analysed.stdout).size} bytes of layers)`);
  });
});
