import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/processes/execa-runner.js';
import { localScriptHost } from '../../src/scripts/local-host.js';
import { recordedRun, SCRATCH_PREFIX } from '../../src/scripts/recorded-run.js';
import { packingOf, savedIn } from '../../src/scripts/save-stand-in.js';
import { buildImage, docker, newWorkdir, ok } from './harness.js';

const IMAGE = 'tp7-recorded-run-test:1.0';

async function runScript(body: string, args: string[] = [], timeoutMs = 20_000) {
  const workdir = newWorkdir();
  writeFileSync(join(workdir, 'script.sh'), `${body}\n`);
  return recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args, timeoutMs, engineHost: process.env.DOCKER_HOST! });
}

// The recorded run on the real test engine: commands recorded exactly, reads answered by the engine, nothing
// that changes state ever performed, and the time limit stopping the whole process group.
describe('recorded runs of student scripts', () => {
  beforeAll(() => buildImage(IMAGE, 'FROM scratch\nCOPY a /a\n', { a: 'recorded run' }));
  afterAll(async () => {
    await docker('rmi', IMAGE);
  });

  it('records each command line exactly, and performs nothing that changes state', async () => {
    const run = await runScript([
      `docker image prune -a --filter "until=24 h" -f`,
      `docker rmi "${IMAGE}" ''`,
      `docker tag ${IMAGE} tp7-recorded-run-test:copy`,
      `docker system prune -a --volumes -f`,
      `sudo -E docker rm -f some-container`,
      `/usr/local/bin/docker rmi ${IMAGE} 2>/dev/null; /usr/bin/docker rmi ${IMAGE} 2>/dev/null; true`,
    ].join('\n'));
    expect(run.exitCode).toBe(0);
    expect(run.calls.map((call) => call.argv)).toEqual([
      ['image', 'prune', '-a', '--filter', 'until=24 h', '-f'],
      ['rmi', IMAGE, ''],
      ['tag', IMAGE, 'tp7-recorded-run-test:copy'],
      ['system', 'prune', '-a', '--volumes', '-f'],
      ['rm', '-f', 'some-container'],
    ]);
    expect(run.stdout).toContain('Total reclaimed space: 0B');
    await ok(docker('image', 'inspect', IMAGE));
    expect((await docker('image', 'inspect', 'tp7-recorded-run-test:copy')).exitCode).not.toBe(0);
  });

  it('answers read-only commands from the real engine', async () => {
    const run = await runScript(`docker images --format '{{.Repository}}:{{.Tag}}' ${IMAGE}; docker --log-level error image ls -q ${IMAGE}`);
    const id = (await ok(docker('images', '-q', IMAGE))).stdout.trim();
    expect(run.stdout).toBe(`${IMAGE}\n${id}`);
    expect(run.calls[1]).toEqual({ argv: ['--log-level', 'error', 'image', 'ls', '-q', IMAGE], stdout: `${id}\n` });
  });

  it('answers docker save with a stand-in where the script puts it, never outside the scratch folder', async () => {
    const outside = join(tmpdir(), `tp7-recorded-outside-${process.pid}.tar`);
    const outsideDir = mkdtempSync(join(tmpdir(), 'tp7-recorded-outside-'));
    const workdir = newWorkdir();
    writeFileSync(join(workdir, 'script.sh'), [
      'mkdir -p out/sub',
      `docker save ${IMAGE} -o out/by-flag.tar`,
      `docker image save ${IMAGE} | gzip > out/sub/piped.tar.gz`,
      `docker save -o ${outside} ${IMAGE}`,
      `ln -s ${outsideDir} linked && docker save -o linked/x.tar ${IMAGE}`,
      'echo kept > elsewhere.txt',
    ].join('\n'));
    const run = await recordedRun(localScriptHost(execaRunner(workdir)), { workdir, script: 'script.sh', args: [], timeoutMs: 20_000, engineHost: process.env.DOCKER_HOST!, collect: 'out' });
    expect(run.exitCode).toBe(0);
    const written = Object.fromEntries(run.written.map((file) => [file.path, file]));
    expect(Object.keys(written).sort()).toEqual(['out/by-flag.tar', 'out/sub/piped.tar.gz']);
    expect(savedIn(written['out/by-flag.tar']!.content)).toEqual([IMAGE]);
    expect([packingOf(written['out/sub/piped.tar.gz']!.content), savedIn(written['out/sub/piped.tar.gz']!.content)]).toEqual(['gzip', [IMAGE]]);
    expect(existsSync(outside)).toBe(false);
    expect(readdirSync(outsideDir)).toEqual([]);
    rmSync(outsideDir, { recursive: true });
  });

  it('stops the whole process group at the time limit and leaves no scratch folder', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith(SCRATCH_PREFIX));
    const started = Date.now();
    const run = await runScript('sleep 61.4321 & docker images -q >/dev/null; sleep 61.4321', [], 1500);
    expect(run.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(execSync('ps -eo args').toString()).not.toContain('sleep 61.4321');
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith(SCRATCH_PREFIX));
    expect(after).toEqual(before);
  });
});
