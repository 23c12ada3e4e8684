import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { checksOf, cleanupExercise, docker, namedNotPulled, newWorkdir, runSolution, tp7, tp7Json, ok, buildImage } from './harness.js';

/** Images carrying tp7's probe label: the check must leave none behind. */
async function probeImages(): Promise<string> {
  return (await ok(docker('images', '-a', '--filter', 'label=org.tp7-lab.probe=true', '--format', '{{.ID}}'))).stdout;
}

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

  it('near miss: nginx:alpine and nginx:latest named with docker tag instead of pulled', async () => {
    await ok(docker('pull', 'alpine:3.19'));
    await ok(docker('tag', 'alpine:3.19', 'nginx:alpine'));
    await ok(docker('tag', 'alpine:3.19', 'nginx:latest'));
    let { checks } = await checkEx5();
    expect(checks['nginx-alpine-pulled']!.status).toBe('fail');
    expect(checks['nginx-alpine-pulled']!.message).toMatch(await namedNotPulled('nginx:alpine', 'alpine'));
    expect(checks['nginx-latest-pulled']!.message).toContain('nginx:latest exists but did not come from the nginx repository of a registry');
    // The right repository, the wrong variant: latest is a second name of the Alpine image.
    await docker('rmi', 'nginx:alpine', 'nginx:latest');
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('tag', 'nginx:alpine', 'nginx:latest'));
    ({ checks } = await checkEx5());
    expect(checks['nginx-alpine-pulled']!.status).toBe('pass');
    expect(checks['nginx-latest-pulled']!.message).toContain('nginx:latest is the same image as nginx:alpine');
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

  it("near miss: a comparison script that echoes the course pair's true figures and ignores its arguments", async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:latest'));
    const workdir = newWorkdir();
    // The cheapest fake: run the right script once, then print its output forever.
    compareScript(workdir, {
      size: `docker images "$img" --format '{{.Size}}'`,
      layers: `docker history "$img" --format '{{.ID}}' | wc -l`,
      created: `docker inspect "$img" --format '{{.Created}}'`,
    });
    const printed = (await execa('bash', ['compare-images.sh', 'nginx:alpine', 'nginx:latest'], { cwd: workdir })).stdout;
    writeFileSync(join(workdir, 'compare-images.sh'), `#!/bin/bash\ncat <<'EOF'\n${printed}\nEOF\n`);
    const before = await probeImages();
    const { checks } = await checkEx5(workdir);
    expect(checks['compare-script']!.status).toBe('fail');
    expect(checks['compare-script']!.message).toMatch(
      /^The script has the right figures for nginx:alpine and nginx:latest, but not for two other images made at check time \(compare-images\.sh tp7-probe-\w+:\w+ tp7-probe-\w+:\w+\): its output says nothing about those images\. It must take the images from its arguments/,
    );
    // The images made for the check are gone, and nothing else was touched.
    expect(await probeImages()).toEqual(before);
    expect((await docker('image', 'inspect', 'nginx:alpine')).exitCode).toBe(0);
  });

  it('a right comparison script in another usual form passes: a table, sizes in bytes, dates as YYYY-MM-DD', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('pull', 'nginx:latest'));
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'compare-images.sh'), [
      '#!/bin/sh',
      'printf "%-14s %-30s %s\\n" "" "$1" "$2"',
      'for field in Size Architecture Os; do',
      '  printf "%-14s %-30s %s\\n" "$field" "$(docker inspect -f "{{.$field}}" "$1")" "$(docker inspect -f "{{.$field}}" "$2")"',
      'done',
      'printf "%-14s %-30s %s\\n" Layers "$(docker inspect -f "{{len .RootFS.Layers}}" "$1")" "$(docker inspect -f "{{len .RootFS.Layers}}" "$2")"',
      'printf "%-14s %-30s %s\\n" Created "$(docker inspect -f "{{.Created}}" "$1" | cut -c1-10)" "$(docker inspect -f "{{.Created}}" "$2" | cut -c1-10)"',
      '',
    ].join('\n'));
    const { checks } = await checkEx5(workdir);
    expect(checks['compare-script']!.message).toContain('prints the right figures for both images (and for two images made at check time)');
    expect(checks['compare-script']!.status).toBe('pass');
  });

  it('near miss: an optimised image that does not do the same job (mode bits, a 100-byte app.bin)', async () => {
    await buildImage('tp7-wasteful:1.0', WASTEFUL);
    // Efficient, under 100 MB, smaller, holds /opt/app/app.bin: only the job differs.
    await buildImage('tp7-optimised:1.0', ONE_RUN.replace('chmod 755', 'chmod 644'));
    let checks = (await checkEx5()).checks;
    expect(checks['optimised-efficient']!.status).toBe('pass');
    expect(checks['optimised-same-job']!.status).toBe('fail');
    expect(checks['optimised-same-job']!.message).toContain(
      'tp7-optimised:1.0 does not do the same job: /opt/app/app.bin has mode 0644 in tp7-optimised:1.0, the instructions ask for 0755.',
    );
    await buildImage('tp7-optimised:1.0', ONE_RUN.replace('head -c 500000 /tmp/bundle.bin', 'head -c 100 /tmp/bundle.bin'));
    checks = (await checkEx5()).checks;
    expect(checks['optimised-efficient']!.status).toBe('pass');
    expect(checks['optimised-same-job']!.message).toContain(
      'tp7-optimised:1.0 does not do the same job: /opt/app/app.bin is 100 bytes in tp7-optimised:1.0, the instructions make 500000.',
    );
    // The cheapest fake of "smaller": another, small image under the name. Smaller, yes; the same job, no.
    await ok(docker('pull', 'alpine:3.19'));
    await ok(docker('tag', 'alpine:3.19', 'tp7-optimised:1.0'));
    checks = (await checkEx5()).checks;
    expect(checks['optimised-smaller']!.status).toBe('pass');
    expect(checks['optimised-same-job']!.message).toContain('tp7-optimised:1.0 does not do the same job: /opt/app/app.bin is missing from tp7-optimised:1.0.');
    // app.bin copied out of the wasteful image into an empty one: the same file, but its command (ls) cannot run.
    const context = newWorkdir();
    writeFileSync(join(context, 'app.bin'), Buffer.alloc(500_000, 7), { mode: 0o755 });
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY app.bin /opt/app/app.bin\nCMD ["ls", "-l", "/opt/app"]\n');
    await ok(docker('build', '-q', '-t', 'tp7-optimised:1.0', context));
    checks = (await checkEx5()).checks;
    expect(checks['optimised-same-job']!.status).toBe('pass');
    expect(checks['optimised-efficient']!.message).toContain('tp7-optimised:1.0: /bin/ls missing: the image must still hold what its Dockerfile produces');
  });

  it("near miss: an optimised image hiding 5 MB in a directory a later layer deletes: dive's 100 %, caught by hidden bytes", async () => {
    await buildImage('tp7-wasteful:1.0', WASTEFUL);
    await buildImage('tp7-optimised:1.0', `FROM alpine:3.19
RUN mkdir -p /tmp/junk /opt/app && head -c 5000000 /dev/urandom > /tmp/junk/bundle.bin \\
 && head -c 500000 /tmp/junk/bundle.bin > /opt/app/app.bin && chmod 755 /opt/app/app.bin
RUN rm -rf /tmp/junk
`);
    const analysed = await tp7Json(['analyze', 'tp7-optimised:1.0'], { workdir: newWorkdir() });
    expect(analysed.json).toMatchObject({ efficiency: 1, wastedBytes: 0, hiddenBytes: 5_000_000 });
    const last = analysed.json.layers.length - 1; // the RUN rm, above however many layers the base has
    expect(analysed.json.hiddenPaths).toEqual([{ path: '/tmp/junk', bytes: 5_000_000, hiddenBy: last }]);
    const { checks } = await checkEx5();
    expect(checks['optimised-same-job']!.status).toBe('pass');
    expect(checks['optimised-efficient']!.status).toBe('fail');
    expect(checks['optimised-efficient']!.message).toContain(
      'tp7-optimised:1.0: its layers store 5 MB that its final filesystem does not hold (at most 100 kB): deleted or replaced by a later layer, ' +
        `they still weigh, even where dive does not count them (a deleted directory's content); the biggest: /tmp/junk (5 MB, hidden by layer ${last + 1}).`,
    );
  });

  it('near miss: a "wasteful" image that wastes without the 5 MB archive', async () => {
    // The chmod apart makes dive count app.bin twice (under 95 %), but the archive never reached a layer.
    await buildImage('tp7-wasteful:1.0', `FROM alpine:3.19
RUN mkdir -p /opt/app && head -c 500000 /dev/urandom > /opt/app/app.bin
RUN chmod 755 /opt/app/app.bin
`);
    // On the side, a right rules file in a less usual spelling dive reads too (viper ignores the keys' case).
    const workdir = newWorkdir();
    writeFileSync(join(workdir, '.dive-ci.yml'), 'Rules: {LowestEfficiency: .95}\n');
    const { checks } = await checkEx5(workdir);
    expect(checks['dive-ci-config']!.status).toBe('pass');
    expect(checks['wasteful-built']!.status).toBe('fail');
    expect(checks['wasteful-built']!.message).toContain(
      'tp7-wasteful:1.0: its layers store only 500 kB of deleted or replaced files (expected at least 5 MB): the temporary file must be written by one step and deleted by another.',
    );
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
