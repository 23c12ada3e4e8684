import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildImage, checksOf, cleanupExercise, docker, newWorkdir, ok, runSolution, tp7, tp7Json } from './harness.js';

const LABEL = 'org.tp7-lab.setup=ex6';

/** Resources the lab did not create: present throughout, never touched by a check, the solution or a reset. */
const SENTINELS = { unusedImage: 'tp7-sentinel-ex6:unused', usedImage: 'tp7-sentinel-ex6:used', container: 'tp7-sentinel-ex6', volume: 'tp7-sentinel-ex6' };

async function sentinelState(): Promise<string> {
  const ids = await Promise.all([
    docker('image', 'inspect', '-f', '{{.Id}}', SENTINELS.unusedImage),
    docker('image', 'inspect', '-f', '{{.Id}}', SENTINELS.usedImage),
    docker('container', 'inspect', '-f', '{{.Id}} {{.Image}}', SENTINELS.container),
    docker('volume', 'inspect', '-f', '{{.Name}}', SENTINELS.volume),
  ]);
  return ids.map((run) => `${run.exitCode}:${run.stdout.trim()}`).join('\n');
}

async function checkEx6(workdir: string) {
  const { run, json } = await tp7Json(['check', 'ex6'], { workdir });
  return { run, json, checks: checksOf(json, 'ex6') };
}

async function labelled(kind: 'images' | 'containers'): Promise<string[]> {
  const run = kind === 'images'
    ? await ok(docker('images', '-a', '-q', '--no-trunc', '--filter', `label=${LABEL}`))
    : await ok(docker('ps', '-a', '-q', '--filter', `label=${LABEL}`));
  return run.stdout.split('\n').filter(Boolean).sort();
}

async function dangling(): Promise<string[]> {
  return (await ok(docker('images', '-q', '--no-trunc', '-f', 'dangling=true', '--filter', `label=${LABEL}`))).stdout.split('\n').filter(Boolean).sort();
}

function script(workdir: string, name: string, body: string): void {
  writeFileSync(join(workdir, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(workdir, name), 0o755);
}

/** cleanup-strategy.sh with the course's case, each mode's commands given. */
function strategy(workdir: string, modes: Partial<Record<'light' | 'medium' | 'aggressive' | 'nuclear' | 'smart', string>>, fallback = 'echo "Usage: $0 {light|medium|aggressive|nuclear|smart}"; exit 1'): void {
  const defaults = {
    light: 'docker image prune -f',
    medium: 'docker image prune -a --filter "until=24h" -f',
    aggressive: 'docker image prune -a -f',
    nuclear: 'docker system prune -a --volumes -f',
    smart: 'docker image prune -f; docker image prune -a --filter "until=720h" -f; docker builder prune --filter "until=168h" -f; docker system df',
  };
  const branches = Object.entries({ ...defaults, ...modes }).map(([mode, commands]) => `  ${mode}) ${commands} ;;`);
  script(workdir, 'cleanup-strategy.sh', ['case $1 in', ...branches, `  *) ${fallback} ;;`, 'esac'].join('\n'));
}

const reset = (workdir: string) => ok(tp7(['reset', 'ex6', '--resources', '--yes'], { workdir }));

describe('ex6: optimisation and cleanup', () => {
  let before = '';

  beforeAll(async () => {
    await buildImage(SENTINELS.unusedImage, 'FROM scratch\nCOPY a /a\n', { a: 'sentinel unused' });
    await buildImage(SENTINELS.usedImage, 'FROM scratch\nCOPY a /a\nCMD ["/a"]\n', { a: 'sentinel used' });
    await ok(docker('create', '--name', SENTINELS.container, SENTINELS.usedImage));
    await ok(docker('volume', 'create', SENTINELS.volume));
    before = await sentinelState();
  });
  beforeEach(async () => {
    await reset(newWorkdir());
    await cleanupExercise('ex6');
  });
  afterAll(async () => {
    expect(await sentinelState()).toBe(before);
    await reset(newWorkdir());
    await docker('rm', '-f', SENTINELS.container);
    await docker('rmi', SENTINELS.unusedImage, SENTINELS.usedImage);
    await docker('volume', 'rm', SENTINELS.volume);
  });

  it('fails every check before the work, each with a helpful message', async () => {
    const workdir = newWorkdir();
    // The cheapest answer: nothing dangles on an engine where nothing was set up.
    await tp7(['answer', 'ex6', 'dangling-count', '0'], { workdir });
    const { run, json, checks } = await checkEx6(workdir);
    expect(run.exitCode).toBe(1);
    expect(Object.values(checks).every((check) => check.status === 'fail')).toBe(true);
    expect(checks['unused-images-script']!.message).toContain('unused-images.sh is not in your working directory');
    expect(checks['cleanup-light']!.message).toContain('cleanup-strategy.sh is not in your working directory');
    expect(checks['light-cleaned']!.message).toContain('run tp7 setup ex6 first');
    expect(checks['dangling-count']!.message).toContain('cannot be checked yet: tp7 setup ex6 has not been run in this working directory');
    expect(checks['reclaimable-space']!.message).toContain('Not answered yet');
    expect(json.score.earned).toBe(0);
    expect(await sentinelState()).toBe(before);
  });

  it('setup is idempotent and labelled; reset --resources removes exactly it', async () => {
    const workdir = newWorkdir();
    const first = await ok(tp7(['setup', 'ex6'], { workdir }));
    expect(first.stdout).toContain('2 dangling image(s)');
    const images = await labelled('images');
    const containers = await labelled('containers');
    expect((await dangling()).length).toBe(2);
    // The legacy builder's cache: intermediate images, also labelled.
    expect(images.length).toBeGreaterThan(5);
    expect(containers.length).toBe(1);
    expect((await ok(docker('inspect', '-f', '{{.State.Status}}', 'tp7-ex6-web'))).stdout.trim()).toBe('created');
    const again = await ok(tp7(['setup', 'ex6'], { workdir }));
    expect(again.stdout).not.toContain('Recreated');
    expect(await labelled('images')).toEqual(images);
    expect(await labelled('containers')).toEqual(containers);
    // The student cleaned up, then ran setup again: it says what it made again.
    await ok(docker('rm', 'tp7-ex6-web'));
    await ok(docker('rmi', 'tp7-ex6-batch:1.0'));
    const remade = await ok(tp7(['setup', 'ex6'], { workdir }));
    expect(remade.stdout).toMatch(/Recreated \d+ image\(s\)\/container\(s\) you had removed \(tp7-ex6-batch:1\.0, container tp7-ex6-web.*\); your cleanup checks will need a new run/);
    expect(await labelled('containers')).toHaveLength(1);

    // A name the student uses for something of their own is never taken over.
    await ok(docker('tag', SENTINELS.unusedImage, 'tp7-ex6-tools:1.0'));
    const refused = await tp7(['setup', 'ex6'], { workdir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('tp7-ex6-tools:1.0 exists and was not made by tp7 setup');
    await ok(docker('rmi', 'tp7-ex6-tools:1.0'));
    await reset(workdir);
    await ok(docker('create', '--name', 'tp7-ex6-web', SENTINELS.usedImage));
    const taken = await tp7(['setup', 'ex6'], { workdir });
    expect(taken.stderr).toContain('the container tp7-ex6-web exists and was not made by tp7 setup');
    await reset(workdir);
    // reset --resources left the student's container alone.
    await ok(docker('container', 'inspect', 'tp7-ex6-web'));
    await ok(docker('rm', 'tp7-ex6-web'));
    await ok(tp7(['setup', 'ex6'], { workdir }));

    const removed = await reset(workdir);
    expect(removed.stdout).toMatch(/removed \d+ resource/);
    expect(await labelled('images')).toEqual([]);
    expect(await labelled('containers')).toEqual([]);
    expect(await sentinelState()).toBe(before);
  });

  it('judges each cleanup mode by a recorded run that removes nothing', async () => {
    const workdir = newWorkdir();
    await ok(tp7(['setup', 'ex6'], { workdir }));
    const waste = await dangling();
    strategy(workdir, {
      // Near misses, one per mode: -a in light, an echoed command, a wrong age, nuclear without --volumes.
      light: 'docker image prune -a -f',
      medium: 'echo "docker image prune -a --filter until=24h -f"',
      aggressive: 'docker image prune -a --filter "until=48h" -f',
      nuclear: 'docker system prune -a -f',
      // Calling the real binary by its path, around the recording, reaches no engine.
      smart: '/usr/local/bin/docker system prune -a --volumes -f; /usr/bin/docker system prune -a --volumes -f; docker image prune -f',
    }, 'echo "pick a mode"');
    const { checks } = await checkEx6(workdir);
    expect(checks['cleanup-light']!.message).toContain('cleanup-strategy.sh light: docker image prune -a -f: -a/--all must not be there.');
    expect(checks['cleanup-medium']!.message).toContain('no docker image prune with -a/--all, -f/--force, --filter until=24h was run (the output shows docker commands: are they only printed with echo?)');
    expect(checks['cleanup-aggressive']!.message).toContain('the until filter must not be there');
    expect(checks['cleanup-nuclear']!.message).toContain('cleanup-strategy.sh nuclear: docker system prune -a -f: --volumes is missing.');
    expect(checks['cleanup-smart']!.message).toContain('docker image prune -f: -a/--all is missing, the filter until=720h is missing');
    expect(checks['cleanup-usage']!.message).toContain('ends with code 0: a wrong call must end with a non-zero code');
    expect(checks['cleanup-unknown-mode']!.message).toContain('ends with code 0');
    for (const id of ['cleanup-light', 'cleanup-medium', 'cleanup-aggressive', 'cleanup-nuclear', 'cleanup-smart', 'cleanup-usage', 'cleanup-unknown-mode']) {
      expect(checks[id]!.status, id).toBe('fail');
    }
    // Nothing was removed: the setup's waste and the sentinels are all still there.
    expect(await dangling()).toEqual(waste);
    expect(await sentinelState()).toBe(before);

    // More near misses: light that prompts, light that also prunes the system, a usage without the modes.
    strategy(workdir, { light: 'docker image prune', smart: 'true' }, 'echo "Usage: $0 MODE"; exit 1');
    let result = await checkEx6(workdir);
    expect(result.checks['cleanup-smart']!.message).toContain('no docker command was run (does the script handle this mode?)');
    expect(result.checks['cleanup-unknown-mode']!.message).toMatch(/^cleanup-strategy\.sh mode-[0-9a-f]{6} does the right thing/);
    expect(result.checks['cleanup-light']!.message).toContain('docker image prune: -f/--force is missing');
    expect(result.checks['cleanup-usage']!.message).toContain('the output does not show the list of the five modes');
    strategy(workdir, { light: 'docker image prune -f; docker system prune -f' });
    result = await checkEx6(workdir);
    expect(result.checks['cleanup-light']!.message).toContain('docker system prune -f is not part of what this mode must do');

    // Equivalent spellings pass: long flags, minutes, --filter=, and rmi of the dangling listing.
    strategy(workdir, {
      light: 'docker rmi $(docker images -f dangling=true -q)',
      medium: "docker image prune --all --force --filter='until=1440m'",
      nuclear: 'docker container prune -f; docker image prune -af; docker volume prune -f; docker network prune --force',
    });
    result = await checkEx6(workdir);
    for (const id of ['cleanup-light', 'cleanup-medium', 'cleanup-aggressive', 'cleanup-nuclear', 'cleanup-smart', 'cleanup-usage', 'cleanup-unknown-mode']) {
      expect(result.checks[id]!.status, `${id}: ${result.checks[id]!.message}`).toBe('pass');
    }
    expect(await dangling()).toEqual(waste);
    expect(await sentinelState()).toBe(before);
  });

  it('a nuclear mode going around the shim tags nothing on the engine (the issue\'s two escapes, by tp7 check)', async () => {
    const workdir = newWorkdir();
    const socket = process.env.DOCKER_HOST!.replace(/^unix:\/\//, '');
    await ok(docker('pull', 'nginx:alpine'));
    strategy(workdir, {
      nuclear: [
        'docker system prune -a --volumes -f',
        `env -u DOCKER_HOST "$(command -v /usr/local/bin/docker)" -H unix://${socket} tag nginx:alpine tp7-escape:proof`,
        `curl -s --unix-socket ${socket} -X POST "http://localhost/images/nginx:alpine/tag?repo=tp7-escape2&tag=proof"`,
        'true',
      ].join('; '),
    });
    const { checks, json } = await checkEx6(workdir);
    expect(checks['cleanup-nuclear'], checks['cleanup-nuclear']!.message).toMatchObject({ status: 'pass' });
    expect((await docker('image', 'inspect', 'tp7-escape:proof')).exitCode).not.toBe(0);
    expect((await docker('image', 'inspect', 'tp7-escape2:proof')).exitCode).not.toBe(0);
    expect(json.notes ?? []).toEqual([]);
  });

  it('says how many dangling images the engine holds in all, the student\'s own included', async () => {
    const workdir = newWorkdir();
    // A dangling image of the student's: the same tag built twice by the classic builder (BuildKit on the
    // containerd store leaves none: the old image goes with its tag).
    await buildImage('tp7-walk-own:1', 'FROM scratch\nCOPY a /a\n', { a: 'first' }, { legacy: true });
    const own = (await ok(docker('image', 'inspect', '-f', '{{.Id}}', 'tp7-walk-own:1'))).stdout.trim();
    await buildImage('tp7-walk-own:1', 'FROM scratch\nCOPY a /a\n', { a: 'second' }, { legacy: true });
    try {
      const en = (await ok(tp7(['setup', 'ex6'], { workdir }))).stdout;
      const total = (await ok(docker('images', '-f', 'dangling=true', '-q'))).stdout.split('\n').filter(Boolean).length;
      const left = Number(/(\d+) dangling image\(s\) left by the rebuilds/.exec(en)?.[1]);
      expect(total).toBeGreaterThan(left);
      expect(en).toContain(`${left} dangling image(s) left by the rebuilds; ${total} in all on the engine (docker images -f dangling=true)`);
      const fr = (await ok(tp7(['setup', 'ex6', '--lang', 'fr'], { workdir }))).stdout;
      expect(fr).toContain(`${left} image(s) dangling laissée(s) par les reconstructions ; ${total} en tout sur le moteur (docker images -f dangling=true)`);
    } finally {
      await docker('rmi', 'tp7-walk-own:1', own);
    }
  });

  it('judges the unused-images script against the engine, stopped containers counting as users', async () => {
    const workdir = newWorkdir();
    await ok(tp7(['setup', 'ex6'], { workdir }));
    const loop = (ps: string) => `docker images --filter "dangling=false" --format "{{.Repository}}:{{.Tag}}\\t{{.ID}}" | while read -r line; do
  id=$(echo "$line" | awk '{print $2}')
  [ -z "$(${ps} --filter "ancestor=$id" -q)" ] && echo "Unused: $line"
done; true`;
    script(workdir, 'unused-images.sh', loop('docker ps'));
    let { checks } = await checkEx6(workdir);
    expect(checks['unused-images-script']!.message).toContain('calls tp7-ex6-web:1.0 unused, yet the stopped container tp7-ex6-web uses it: docker ps without -a only sees running containers');
    // The right list, printed without asking the engine.
    script(workdir, 'unused-images.sh', 'echo "Unused: tp7-ex6-batch:1.0"; echo "Unused: tp7-ex6-tools:1.0"');
    ({ checks } = await checkEx6(workdir));
    expect(checks['unused-images-script']!.message).toContain('never asks about containers (neither docker ps -a nor docker system df -v)');
    // The same list, with a docker ps -a whose answer is thrown away: the images made at check time give it away.
    script(workdir, 'unused-images.sh', 'docker ps -a >/dev/null; echo "Non utilisée: tp7-ex6-batch:1.0"; echo "Non utilisée: tp7-ex6-tools:1.0"');
    ({ checks } = await checkEx6(workdir));
    expect(checks['unused-images-script']!.status).toBe('fail');
    expect(checks['unused-images-script']!.message).toMatch(/does not list tp7-check-[0-9a-f]+:[0-9a-f]+, which no container uses \(an image made at check time/);
    script(workdir, 'unused-images.sh', loop('docker ps -a'));
    ({ checks } = await checkEx6(workdir));
    expect(checks['unused-images-script']!.status, checks['unused-images-script']!.message).toBe('pass');
    // A right list passes even when the last `[ ... ] && echo` leaves the script with code 1.
    script(workdir, 'unused-images.sh', loop('docker ps -a').replace(/; true$/, ''));
    ({ checks } = await checkEx6(workdir));
    expect(checks['unused-images-script']!.status, checks['unused-images-script']!.message).toBe('pass');
    // The check-time images and their stopped container are gone afterwards.
    expect(await docker('ps', '-a', '-q', '--filter', 'name=tp7-check-')).toMatchObject({ stdout: '' });
    expect(await docker('images', '-q', '--filter', 'reference=tp7-check-*')).toMatchObject({ stdout: '' });
  });

  it('judges the light run by state: the setup waste gone, the images with a name kept', async () => {
    const workdir = newWorkdir();
    await ok(tp7(['setup', 'ex6'], { workdir }));
    let { checks } = await checkEx6(workdir);
    expect(checks['light-cleaned']!.message).toContain('2 dangling image(s) from tp7 setup are still there');
    // Too much removed: a tagged unused image went with the dangling ones.
    for (const id of await dangling()) await ok(docker('rmi', id));
    await ok(docker('rmi', 'tp7-ex6-batch:1.0'));
    ({ checks } = await checkEx6(workdir));
    expect(checks['light-cleaned']!.message).toContain('tp7-ex6-batch:1.0 is gone: the cleanup removed more than dangling images');
    expect(await sentinelState()).toBe(before);
  });

  it('passes every check after the reference solution, answers holding after the cleanup', async () => {
    const workdir = newWorkdir();
    await runSolution('ex6', workdir);
    const { run, json, checks } = await checkEx6(workdir);
    const failed = Object.values(checks).filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.message}`);
    expect(failed).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(json.score.percent).toBe(100);
    expect(await sentinelState()).toBe(before);
    await reset(workdir);
    expect(await labelled('images')).toEqual([]);
    expect(await sentinelState()).toBe(before);
  });
});
