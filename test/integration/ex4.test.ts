import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageArchive } from '../../src/archive/index.js';
import { listRepositories, listTags, MANIFEST_ACCEPT, registryContents } from '../../src/registry/api.js';
import { createRegistryClient } from '../../src/registry/http-client.js';
import { checksOf, cleanupExercise, docker, freePort, newWorkdir, runSolution, tp7, tp7Json, ok } from './harness.js';

// Exercise 4 on the real engine and a real registry:2 (distribution 2.8) on port 5000: red before the work,
// the near misses of the brief each with its own message, green after the reference solution. Docker Hub is
// pointed at a closed local port, so its checks are skipped the same way on every machine.

const REGISTRY = 'localhost:5000';
const API = `http://${REGISTRY}/v2`;
const HUB_USER = 'tp7student';
const HUB_TAGS = ['v1.0', 'v1.0.1', 'latest', 'stable'];
let env: Record<string, string>;

type Checks = Record<string, { status: string; message: string; expected: string; actual: string }>;

async function checkEx4(workdir = newWorkdir(), extraEnv: Record<string, string> = {}): Promise<{ checks: Checks; json: any }> {
  const { json } = await tp7Json(['check', 'ex4'], { workdir, env: { ...env, ...extraEnv } });
  return { checks: checksOf(json, 'ex4'), json };
}

async function waitRegistry(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      // A bounded wait per try: a port that accepts but does not answer yet must not eat the test's time.
      if ((await fetch(`${API}/`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('registry did not start');
}

/** The digest of repository:tag, asked with every manifest type: a containerd store pushes OCI manifests as they came. */
async function digestOf(repository: string, tag: string): Promise<string> {
  const response = await fetch(`${API}/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
  return response.headers.get('docker-content-digest')!;
}

interface RegistryOptions {
  namedVolume?: boolean;
  config?: (yaml: string) => string;
  /** Mount the config read-write (no :ro). */
  readWrite?: boolean;
  /** Mount the config.yml of this folder rather than the one written in `dir` (it must hold one). */
  mountFrom?: string;
  /** More -e VAR=value for the container. */
  env?: string[];
}

/** The instructions' config.yml. */
const CONFIG_YML = [
    'version: 0.1',
    'log:\n  fields:\n    service: registry',
    'storage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true',
    'http:\n  addr: :5000\n  headers:\n    X-Content-Type-Options: [nosniff]',
    'health:\n  storagedriver:\n    enabled: true\n    interval: 10s\n    threshold: 3',
].join('\n');

/** The production-ready registry of the course, with a config.yml written in `dir` (optionally altered). */
async function productionRegistry(dir: string, options: RegistryOptions = {}): Promise<void> {
  writeFileSync(join(dir, 'config.yml'), `${(options.config ?? ((text) => text))(CONFIG_YML)}\n`);
  const volume = options.namedVolume === false ? [] : ['-v', 'registry-data:/var/lib/registry'];
  const mounted = `${join(options.mountFrom ?? dir, 'config.yml')}:/etc/docker/registry/config.yml${options.readWrite ? '' : ':ro'}`;
  await ok(docker('run', '-d', '-p', '5000:5000', '--name', 'registry', '--restart=always', ...volume,
    '-v', mounted, '-e', 'REGISTRY_HTTP_SECRET=tp7-test-secret', ...(options.env ?? []).flatMap((entry) => ['-e', entry]), 'registry:2'));
  await waitRegistry();
}

const REGISTRY_CHECKS = ['registry-running', 'registry-restart', 'registry-volume', 'registry-config', 'registry-settings', 'registry-secret', 'registry-nosniff', 'registry-delete'];

/** The 4.2 checks that did not pass, with their status. */
function registryFailures(checks: Checks): Array<[string, string]> {
  return REGISTRY_CHECKS.filter((id) => checks[id]!.status !== 'pass').map((id) => [id, checks[id]!.status]);
}

/** Everything this file may have made: the exercise's resources, the anonymous volumes of registry:2, the Hub tags. */
async function cleanup(): Promise<void> {
  await docker('rm', '-fv', 'registry');
  await cleanupExercise('ex4');
  for (const tag of HUB_TAGS) await docker('rmi', `${HUB_USER}/mon-nginx:${tag}`);
  await docker('rmi', 'busybox:latest', `${REGISTRY}/busybox:tmp`);
}

describe('ex4: Docker registries', () => {
  beforeAll(async () => {
    // Docker Hub on a port nobody listens to, and a docker config without any login.
    env = { TP7_DOCKER_HUB_URL: `http://127.0.0.1:${await freePort()}`, DOCKER_CONFIG: newWorkdir() };
    await cleanup();
  });
  afterAll(async () => {
    await cleanup();
    // Port 5000 is free again for whoever comes next.
    await expect(fetch(`${API}/`)).rejects.toThrow();
  });

  it('fails (or errs, with one line) before the work, and skips the Docker Hub checks with their reason', async () => {
    const { checks, json } = await checkEx4();
    expect(checks['hub-tags']).toMatchObject({ status: 'fail', message: expect.stringContaining('No <user>/mon-nginx image on your engine') });
    expect(checks['hub-login']!.status).toBe('skip');
    expect(checks['hub-login']!.message).toMatch(/^Not checked: registry http:\/\/127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)\. Logging in/);
    expect(checks['hub-published']!.status).toBe('skip');
    expect(checks['hub-published']!.message).toContain('checked once Docker Hub can be reached');
    for (const id of ['registry-running', 'registry-config', 'registry-settings', 'registry-nosniff']) expect(checks[id]!.message).toContain('No container named registry');
    for (const id of ['registry-delete', 'pushed-nginx', 'pushed-alpine']) {
      expect(checks[id]!.status).toBe('error');
      expect(checks[id]!.message).toMatch(/^Could not check: registry localhost:5000 unreachable \(ECONNREFUSED\)\. Hint: tp7 hint ex4$/);
    }
    expect(checks['old-deleted']!.message).toContain('nginx:1.25 is not on your engine');
    expect(checks['maintenance-script']!.message).toContain('registry-maintenance.sh is not in your working directory');
    expect(Object.values(checks).filter((check) => check.status === 'pass')).toEqual([]);
    // Skips are not counted as possible points.
    const exercise = json.exercises.find((candidate: { id: string }) => candidate.id === 'ex4');
    expect(exercise.earned).toBe(0);
    expect(exercise.possible).toBe(Object.keys(checks).length - 2);
  });

  it('reads a Docker Hub login from the config keys only, offline too, never printing the secret', async () => {
    const dir = newWorkdir();
    const secret = Buffer.from(`${HUB_USER}:dckr_pat_not-a-real-token`).toString('base64');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: secret } } }));
    const { run, json } = await tp7Json(['check', 'ex4'], { workdir: newWorkdir(), env: { ...env, DOCKER_CONFIG: dir } });
    expect(checksOf(json, 'ex4')['hub-login']).toMatchObject({ status: 'pass', message: expect.stringContaining(`secret encoded in ${join(dir, 'config.json')}`) });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('a registry on the host network (--network host) answers on localhost:5000 and needs no published port', async () => {
    await ok(docker('run', '-d', '--network', 'host', '--name', 'registry', 'registry:2'));
    await waitRegistry();
    const { checks } = await checkEx4();
    expect(checks['registry-running']).toMatchObject({ status: 'pass' });
    expect(checks['registry-running']!.message).toContain('host network');
    // The registry's own checks reach it on localhost:5000: deletion is refused, as the default config says.
    expect(checks['registry-delete']!.message).toContain('The registry refuses deletions (HTTP 405 UNSUPPORTED)');
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: a hand-written Docker Hub entry (no credential, no store) is no login, once Docker Hub answers', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    // Docker Hub as an anonymous client sees it: every request wants a login.
    const hub = createHttpServer((_request, response) => response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}'));
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const dir = newWorkdir();
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': {} } }));
      const hubEnv = { ...env, DOCKER_CONFIG: dir, TP7_DOCKER_HUB_URL: `http://127.0.0.1:${(hub.address() as { port: number }).port}` };
      const { json } = await tp7Json(['check', 'ex4'], { workdir: newWorkdir(), env: hubEnv });
      expect(checksOf(json, 'ex4')['hub-login']).toMatchObject({
        status: 'fail',
        message: `The Docker Hub entry of ${join(dir, 'config.json')} holds no credential, and no credential store is configured: docker login does not write that. Log in with an access token. Hint: tp7 hint ex4`,
      });
    } finally {
      hub.closeAllConnections();
      await new Promise((resolve) => hub.close(resolve));
    }
  });

  it('near miss: another image renamed registry:2 and run with the course\'s flags is not a registry', async () => {
    await ok(docker('pull', 'nginx:alpine'));
    await ok(docker('tag', 'nginx:alpine', 'registry:2'));
    try {
      // Its web server put on port 5000, so that something answers there.
      await ok(docker('run', '-d', '-p', '5000:5000', '--name', 'registry', '--restart=always', 'registry:2', 'httpd', '-f', '-p', '5000', '-h', '/usr/share/nginx/html'));
      const { checks } = await checkEx4();
      expect(checks['registry-running']).toMatchObject({ status: 'fail', message: expect.stringContaining('registry runs an image named registry:2, but what answers on localhost:5000 is not a registry (GET /v2/: HTTP 404') });
      // The container's own settings still read as they are: only what answers tells it from a registry.
      expect(checks['registry-restart']!.status).toBe('pass');
    } finally {
      await docker('rm', '-fv', 'registry');
      await docker('rmi', 'registry:2');
    }
  });

  it('near miss: the basic registry (deletion disabled, an anonymous volume, no config, no secret, no restart)', async () => {
    await ok(docker('run', '-d', '-p', '5000:5000', '--name', 'registry', 'registry:2'));
    await waitRegistry();
    const { checks } = await checkEx4();
    expect(checks['registry-running']!.status).toBe('pass');
    expect(checks['registry-restart']!.message).toContain('has the restart policy "no", not "always"');
    expect(checks['registry-volume']!.message).toMatch(/\/var\/lib\/registry is an anonymous volume \([0-9a-f]{12}…\)/);
    expect(checks['registry-config']!.message).toContain('Nothing is mounted at /etc/docker/registry/config.yml');
    expect(checks['registry-secret']!.message).toContain('has no REGISTRY_HTTP_SECRET variable');
    expect(checks['registry-delete']).toMatchObject({ status: 'fail', actual: 'deletion disabled (DELETE answered HTTP 405 UNSUPPORTED)' });
    expect(checks['registry-delete']!.message).toContain('The registry refuses deletions (HTTP 405 UNSUPPORTED)');
    // The image's default configuration already sends nosniff and checks its storage: neither counts for it.
    const defaultFile = "Nothing is mounted at /etc/docker/registry/config.yml: registry reads its image's default file, not yours. Hint: tp7 hint ex4";
    expect(checks['registry-settings']).toMatchObject({ status: 'fail', message: defaultFile });
    expect(checks['registry-nosniff']).toMatchObject({ status: 'fail', message: defaultFile });
    expect((await fetch(`${API}/`)).headers.get('x-content-type-options')).toBe('nosniff');
    expect(checks['pushed-nginx']!.message).toBe('Registry localhost:5000 has no nginx repository (it is empty). Hint: tp7 hint ex4');
    // Running it is the one thing this command does right.
    expect(Object.entries(checks).filter(([, check]) => check.status === 'pass').map(([id]) => id)).toEqual(['registry-running']);
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: the production registry without its named volume, and a config without the header', async () => {
    const dir = newWorkdir();
    await productionRegistry(dir, { namedVolume: false, config: (yaml) => yaml.replace('  headers:\n    X-Content-Type-Options: [nosniff]\n', '') });
    const { checks } = await checkEx4(dir);
    expect(checks['registry-volume']!.status).toBe('fail');
    expect(checks['registry-volume']!.message).toContain('made because no -v named one');
    expect(checks['registry-nosniff']).toMatchObject({ status: 'fail', actual: 'http.headers.X-Content-Type-Options is missing' });
    expect(registryFailures(checks)).toEqual([['registry-volume', 'fail'], ['registry-nosniff', 'fail']]);
    // Never the secret's value.
    expect(JSON.stringify(checks)).not.toContain('tp7-test-secret');
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: the config mounted read-write', async () => {
    const dir = newWorkdir();
    await productionRegistry(dir, { readWrite: true });
    const { checks } = await checkEx4(dir);
    expect(checks['registry-config']!.message).toContain('/etc/docker/registry/config.yml is mounted read-write: the container could change it');
    expect(registryFailures(checks)).toEqual([['registry-config', 'fail']]);
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: a config without the health section, read through the engine', async () => {
    const dir = newWorkdir();
    await productionRegistry(dir, { config: (yaml) => yaml.replace(/health:[\s\S]*$/, '') });
    const { checks } = await checkEx4(dir);
    expect(checks['registry-settings']).toMatchObject({ status: 'fail', actual: 'health.storagedriver.enabled is missing' });
    expect(registryFailures(checks)).toEqual([['registry-settings', 'fail']]);
    await docker('rm', '-fv', 'registry');
  });

  it("near miss: a config.yml that is not the working directory's (a copy with the same bytes counts)", async () => {
    const dir = newWorkdir();
    const other = newWorkdir();
    writeFileSync(join(other, 'config.yml'), `${CONFIG_YML}\n`);
    // The working directory's file says something else (no deletion): the registry reads the other one.
    await productionRegistry(dir, { mountFrom: other, config: (yaml) => yaml.replace('  delete:\n    enabled: true\n', '') });
    const { checks } = await checkEx4(dir);
    expect(checks['registry-config']!.message).toBe(
      `The file mounted at /etc/docker/registry/config.yml is ${join(other, 'config.yml')}, and its content differs from the config.yml of your working directory: registry does not read your file. Hint: tp7 hint ex4`,
    );
    expect(registryFailures(checks)).toEqual([['registry-config', 'fail']]);
    // The same bytes elsewhere are the student's file as far as the registry goes (how Docker Desktop shows paths).
    writeFileSync(join(dir, 'config.yml'), `${CONFIG_YML}\n`);
    expect((await checkEx4(dir)).checks['registry-config']!.status).toBe('pass');
    const empty = newWorkdir();
    expect((await checkEx4(empty)).checks['registry-config']!.message).toContain('config.yml is not in your working directory');
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: the right file, but a variable of the container overrides a setting of it', async () => {
    const dir = newWorkdir();
    await productionRegistry(dir, { env: ['REGISTRY_HEALTH_STORAGEDRIVER_ENABLED=false'] });
    const { checks } = await checkEx4(dir);
    expect(checks['registry-settings']).toMatchObject({ status: 'fail', actual: "the container's variable REGISTRY_HEALTH_STORAGEDRIVER_ENABLED=false overrides health.storagedriver.enabled of the file" });
    expect(registryFailures(checks)).toEqual([['registry-settings', 'fail']]);
    await docker('rm', '-fv', 'registry');
  });

  it('near miss: the header added to the file afterwards, the registry not restarted', async () => {
    const dir = newWorkdir();
    const withoutHeader = (yaml: string) => yaml.replace('  headers:\n    X-Content-Type-Options: [nosniff]\n', '');
    await productionRegistry(dir, { config: withoutHeader });
    // Written in place, as `>>` or most editors do: the container sees the new bytes at once.
    writeFileSync(join(dir, 'config.yml'), `${CONFIG_YML}\n`);
    const { checks } = await checkEx4(dir);
    expect(checks['registry-nosniff']).toMatchObject({ status: 'fail', actual: 'no X-Content-Type-Options header' });
    expect(checks['registry-nosniff']!.message).toContain('it still runs with the configuration it read when it started. Restart it.');
    await ok(docker('restart', 'registry'));
    await waitRegistry();
    expect(registryFailures((await checkEx4(dir)).checks)).toEqual([]);
    await docker('rm', '-fv', 'registry');
  });

  it('a registry answering 500, malformed JSON or nothing in time gives one-line errors, never a crash', async () => {
    const { createServer: createHttpServer } = await import('node:http');
    const behaviours: Record<string, (response: import('node:http').ServerResponse) => void> = {
      failing: (response) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom\nstack trace'),
      malformed: (response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"repositories": ['),
      slow: () => undefined,
    };
    for (const [name, behaviour] of Object.entries(behaviours)) {
      const server = createHttpServer((_request, response) => behaviour(response));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const workdir = newWorkdir();
        const { run, json } = await tp7Json(['check', 'ex4', '--registry', address], { workdir, env: { ...env, TP7_REGISTRY_TIMEOUT_MS: '300' } });
        expect(run.exitCode, name).toBe(1);
        const checks = checksOf(json, 'ex4');
        // The config checks ask the engine first: with no registry container they fail before any request.
        expect(checks['registry-nosniff']!.message).toContain('No container named registry');
        for (const id of ['registry-delete', 'pushed-nginx', 'pushed-alpine']) {
          expect(checks[id]!.status, `${name} ${id}`).toBe('error');
          expect(checks[id]!.message, `${name} ${id}`).toMatch(/^Could not check: [^\n]+\. Hint: tp7 hint ex4$/);
        }
        const answered = await tp7(['answer', 'ex4', 'nginx-alpine-digest', `sha256:${'a'.repeat(64)}`, '--registry', address], { workdir, env: { ...env, TP7_REGISTRY_TIMEOUT_MS: '300' } });
        expect(answered.stderr, name).not.toContain('internal error');
        expect(answered.stdout, name).toContain('cannot be checked yet');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  let workdir: string;
  it('passes every check after the reference solution; the Docker Hub checks stay skipped offline', async () => {
    workdir = newWorkdir();
    await runSolution('ex4', workdir);
    const { checks, json } = await checkEx4(workdir);
    const notPassed = Object.entries(checks).filter(([, check]) => check.status !== 'pass').map(([id, check]) => [id, check.status]);
    expect(notPassed).toEqual([['hub-login', 'skip'], ['hub-published', 'skip']]);
    expect(checks['hub-tags']!.actual).toContain(`${HUB_USER}/mon-nginx`);
    expect(json.score.percent).toBe(100);
    expect(json.score.skipped).toBe(2);
    expect(json.environment).toMatchObject({ TP7_DOCKER_HUB_URL: env.TP7_DOCKER_HUB_URL, DOCKER_CONFIG: env.DOCKER_CONFIG });
    const text = await tp7(['check', 'ex4'], { workdir, env });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/Score: (\d+)\/\1 \(100 %\) · 2 check\(s\) skipped, counted nowhere/);
    expect(text.stdout).toMatch(/Docker Hub.* \(skipped, not counted\)\n/);
    // For graders: --strict counts what could not be checked as failed.
    const strict = await tp7Json(['check', 'ex4', '--strict'], { workdir, env });
    expect(strict.run.exitCode).toBe(1);
    expect(strict.json.strict).toBe(true);
    expect(strict.json.score.percent).toBeLessThan(100);
    expect(checksOf(strict.json, 'ex4')['hub-login']).toMatchObject({ status: 'fail', skipped: true });
  });

  it('near miss: another image pushed under the expected name (the cheapest stand-in for a push)', async () => {
    await ok(docker('pull', 'busybox:latest'));
    await ok(docker('tag', 'busybox:latest', `${REGISTRY}/alpine:3.19`));
    await ok(docker('push', `${REGISTRY}/alpine:3.19`));
    const stand = (await checkEx4(workdir)).checks['pushed-alpine']!;
    expect(stand.status).toBe('fail');
    expect(stand.message).toMatch(/^localhost:5000\/alpine:3\.19 is not the alpine:3\.19 of your engine: under that name the registry serves the manifest sha256:[0-9a-f]{12}…, which alpine:3\.19 never pushed\. Push alpine:3\.19 under that name\./);
    // Pushed again from the right image, it passes again.
    await ok(docker('tag', 'alpine:3.19', `${REGISTRY}/alpine:3.19`));
    await ok(docker('push', `${REGISTRY}/alpine:3.19`));
    expect((await checkEx4(workdir)).checks['pushed-alpine']!.status).toBe('pass');
  });

  it('reads the real registry page by page, and what it holds', async () => {
    const registry = createRegistryClient(REGISTRY);
    expect(await listRepositories(registry, 1)).toEqual(['alpine', 'nginx']);
    expect(await listTags(registry, 'nginx')).toEqual({ found: true, tags: expect.arrayContaining(['alpine', '1.0']) });
    const contents = await registryContents(registry);
    const nginx = contents.find((entry) => entry.repository === 'nginx')!;
    expect(nginx.tags.map((tag) => tag.tag).sort()).toEqual(['1.0', 'alpine']);
    expect(nginx.tags[0]!.created).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('near miss: a maintenance script that prints stale data', async () => {
    const stale = [
      '#!/bin/bash',
      'echo "Repository: alpine"; echo "  - 3.19 (created: 2024-01-27)"',
      'echo "Repository: nginx"; for tag in alpine 1.0 old; do echo "  - $tag (created: 2024-02-14)"; done',
    ].join('\n');
    const dir = newWorkdir();
    writeFileSync(join(dir, 'registry-maintenance.sh'), `${stale}\n`);
    const { checks } = await checkEx4(dir);
    expect(checks['maintenance-script']!.status).toBe('fail');
    // The dates are those of the stand-ins, not the ones hard-coded: the first wrong line is reported.
    expect(checks['maintenance-script']!.message).toContain('No line gives alpine:3.19 with its creation date');
    const created = (await registryContents(createRegistryClient(REGISTRY))).flatMap((entry) => entry.tags.map((tag) => [entry.repository, tag.tag, tag.created!.slice(0, 10)]));
    const withRealDates = ['#!/bin/bash', ...created.map(([repo, tag, day]) => `echo "${repo} ${tag} ${day}"`), 'echo "nginx old 2024-02-14"'].join('\n');
    writeFileSync(join(dir, 'registry-maintenance.sh'), `${withRealDates}\n`);
    const again = (await checkEx4(dir)).checks['maintenance-script']!;
    expect(again.message).toBe('The output lists nginx:old, which the registry no longer holds: the script prints stale data. Hint: tp7 hint ex4');
    // Each repository's tags with their real dates, but under the other repository's heading.
    const block = (heading: string, repository: string) => [`echo "Repository: ${heading}"`, ...created.filter(([repo]) => repo === repository).map(([, tag, day]) => `echo "  - ${tag} (created: ${day})"`)];
    writeFileSync(join(dir, 'registry-maintenance.sh'), `${['#!/bin/bash', ...block('alpine', 'nginx'), ...block('nginx', 'alpine')].join('\n')}\n`);
    const swapped = (await checkEx4(dir)).checks['maintenance-script']!;
    expect(swapped.status).toBe('fail');
    expect(swapped.message).toMatch(/^The output files the tag \S+ under the repository (alpine|nginx), and not under (nginx|alpine): each tag belongs under its own repository\./);
    // The cheapest fake: the right lines for this registry, copied once and echoed. Run against a registry made
    // up at check time, they are wrong.
    writeFileSync(join(dir, 'registry-maintenance.sh'), `${['#!/bin/bash', ...block('alpine', 'alpine'), ...block('nginx', 'nginx')].join('\n')}\n`);
    const echoed = (await checkEx4(dir)).checks['maintenance-script']!;
    expect(echoed.status).toBe('fail');
    expect(echoed.message).toMatch(/^Run again with REGISTRY=127\.0\.0\.1:\d+, a registry made up at check time \(other repositories, tags and dates\), registry-maintenance\.sh gets it wrong: The output does not name the repository \S+\. It must read the registry REGISTRY names at every run, not print fixed lines\./);
    // A script that reads the registry, but always localhost:5000 rather than REGISTRY, is caught the same way.
    const solution = readFileSync(join(workdir, 'registry-maintenance.sh'), 'utf8');
    writeFileSync(join(dir, 'registry-maintenance.sh'), solution.replace('REGISTRY="${REGISTRY:-localhost:5000}"', 'REGISTRY=localhost:5000'));
    expect((await checkEx4(dir)).checks['maintenance-script']!.message).toContain('registry-maintenance.sh gets it wrong: The output does not name the repository');
  });

  it('a repository whose every tag was deleted ("tags": null) is handled by the checks and the solution script', async () => {
    await ok(docker('pull', 'busybox:latest'));
    await ok(docker('tag', 'busybox:latest', `${REGISTRY}/busybox:tmp`));
    await ok(docker('push', `${REGISTRY}/busybox:tmp`));
    const deleted = await fetch(`${API}/busybox/manifests/${await digestOf('busybox', 'tmp')}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    expect(await (await fetch(`${API}/busybox/tags/list`)).json()).toEqual({ name: 'busybox', tags: null });
    const { checks } = await checkEx4(workdir);
    expect(checks['maintenance-script']!.status).toBe('pass');
    expect(checks['pushed-nginx']!.status).toBe('pass');
  });

  it('the digest question: the schema1 digest curl gets without Accept is refused, the schema2 one accepted', async () => {
    const plain = (await fetch(`${API}/nginx/manifests/alpine`, { method: 'HEAD' })).headers.get('docker-content-digest')!;
    const schema2 = await digestOf('nginx', 'alpine');
    expect(plain).not.toBe(schema2);
    const dir = newWorkdir();
    const wrong = await tp7(['answer', 'ex4', 'nginx-alpine-digest', plain], { workdir: dir, env });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toContain('Wrong answer');
    const short = await tp7(['answer', 'ex4', 'nginx-alpine-digest', schema2.slice(0, 19)], { workdir: dir, env });
    expect(short.stdout).toContain('give the whole digest');
    expect((await tp7(['answer', 'ex4', 'nginx-alpine-digest', schema2.slice(7)], { workdir: dir, env })).exitCode).toBe(0);
  });

  it('near miss: nginx:old pushed again (a deleted tag still present)', async () => {
    await ok(docker('push', `${REGISTRY}/nginx:old`));
    const { checks } = await checkEx4(workdir);
    expect(checks['old-deleted']!.message).toBe('localhost:5000/nginx:old is still in the registry: delete its manifest, named by its digest. Hint: tp7 hint ex4');
    expect(checks['old-collected']!.message).toContain("manifest is still in localhost:5000/nginx: garbage collection only frees what no manifest uses");
    expect(checks['maintenance-script']!.status).toBe('pass'); // the registry holds old again: listing it is right
  });

  it('near miss: deleted, garbage-collected, but the registry not restarted (its cache still serves the blob)', async () => {
    const deleted = await fetch(`${API}/nginx/manifests/${await digestOf('nginx', 'old')}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    // The config blob is found through the engine's own save of nginx:1.25 (the classic store's image ID, not the
    // containerd store's, which names the manifest).
    const save = join(newWorkdir(), 'old.tar');
    await ok(docker('save', '-o', save, 'nginx:1.25'));
    const id = (await readImageArchive(createReadStream(save))).configDigest;
    const kept = (await checkEx4(workdir)).checks['old-collected']!;
    expect(kept.message).toContain('run the garbage collector, then restart the registry');
    expect(kept.actual).toBe(`blob ${id.slice(0, 19)}… still served`);
    await ok(docker('exec', 'registry', 'bin/registry', 'garbage-collect', '/etc/docker/registry/config.yml'));
    expect((await checkEx4(workdir)).checks['old-collected']!.message).toContain('then restart the registry');
    await ok(docker('restart', 'registry'));
    await waitRegistry();
    const { checks } = await checkEx4(workdir);
    expect(checks['old-deleted']!.status).toBe('pass');
    expect(checks['old-collected']).toMatchObject({ status: 'pass', actual: `blob ${id.slice(0, 19)}… gone` });
  });
});
