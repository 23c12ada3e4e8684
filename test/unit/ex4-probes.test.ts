import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineClient, ImageInspect } from '../../src/engine/types.js';
import { workdirFiles } from '../../src/files/workdir.js';
import type { FileAccess } from '../../src/files/types.js';
import type { ProcessRunner } from '../../src/processes/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { containerEnv } from '../../src/probes/container-env.js';
import { containerMount } from '../../src/probes/container-mount.js';
import { containerRestartPolicy } from '../../src/probes/container-restart-policy.js';
import { containerRunning } from '../../src/probes/container-running.js';
import { hubLogin } from '../../src/probes/hub-login.js';
import { hubRepository } from '../../src/probes/hub-repository.js';
import { registryConfigFile } from '../../src/probes/registry-config-file.js';
import { registryDeleteEnabled } from '../../src/probes/registry-delete-enabled.js';
import { registryDeletedTag } from '../../src/probes/registry-deleted-tag.js';
import { registryGarbageCollected } from '../../src/probes/registry-garbage-collected.js';
import { registryHeader } from '../../src/probes/registry-header.js';
import { registryListingScript } from '../../src/probes/registry-listing-script.js';
import { registryRunning } from '../../src/probes/registry-running.js';
import { registryTags } from '../../src/probes/registry-tags.js';
import { userRepositoryTags } from '../../src/probes/user-repository-tags.js';
import { ProbeSchema } from '../../src/probes/index.js';
import { registryContents } from '../../src/registry/api.js';
import { createRegistryClient } from '../../src/registry/http-client.js';
import { lastErrorLine } from '../../src/probes/script-outcome.js';
import { tempDir } from '../tmp.js';
import { fakeEngine, FakeEngine, ID_A, ID_B, type FakeContainer } from './fake-engine.js';
import { syntheticImage } from '../fixtures/archives/build.js';
import { credentials, fakeRegistry, FakeRegistry, imageConfig, unreachableRegistry, type FakeRegistryState } from './fake-registry.js';

const TAGS = ['v1.0', 'v1.0.1', 'latest', 'stable'];

function probeClients(engine: EngineClient, registry: RegistryClient, more: Partial<ProbeClients> = {}): ProbeClients {
  const unused = <T>(what: string) => new Proxy({}, { get: () => { throw new Error(`${what} unused`); } }) as T;
  return { engine, registry, workdir: '/work', files: unused<FileAccess>('files'), processes: unused<ProcessRunner>('processes'), ...more };
}

const hubImages = (user: string, tags = TAGS, id = ID_A, digests: string[] = []) =>
  Object.fromEntries([
    ['nginx:alpine', { Id: ID_A }],
    ...tags.map((tag) => [`${user}/mon-nginx:${tag}`, { Id: id, RepoDigests: digests }]),
  ]) as Record<string, Partial<ImageInspect>>;

describe('user-repository-tags', () => {
  const spec = { kind: 'user-repository-tags' as const, repository: 'mon-nginx', tags: TAGS, sameAs: 'nginx:alpine' };
  const run = (images: Record<string, Partial<ImageInspect>>) => userRepositoryTags.run(spec, probeClients(fakeEngine(images), fakeRegistry({ repositories: {} })));

  it('finds the user from the tags and passes when all four name nginx:alpine', async () => {
    const result = await run(hubImages('alice'));
    expect(result.status).toBe('pass');
    expect(result.actual).toContain('alice/mon-nginx');
  });
  it('fails with no <user>/mon-nginx at all, ignoring registry hosts', async () => {
    const result = await run({ 'nginx:alpine': { Id: ID_A }, 'localhost:5000/mon-nginx:v1.0': { Id: ID_A }, 'registry.example.com/mon-nginx:v1.0': { Id: ID_A }, 'mon-nginx:v1.0': { Id: ID_A } });
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('No <user>/mon-nginx image');
  });
  it('picks the user holding most of the tags when several exist', async () => {
    const result = await run({ ...hubImages('bob', ['v1.0']), ...hubImages('alice') });
    expect(result.status).toBe('pass');
    expect(result.actual).toContain('alice/mon-nginx');
  });
  it('fails on the course placeholder user name', async () => {
    const result = await run(hubImages('votre_username'));
    expect(result.message.en).toContain('replace votre_username with your own Docker Hub user name');
  });
  it('names the missing tags', async () => {
    const result = await run(hubImages('alice', ['v1.0', 'latest']));
    expect(result.message.en).toBe('alice/mon-nginx lacks the tag(s) v1.0.1, stable (present: latest, v1.0).');
  });
  it('fails when a tag points to another image', async () => {
    const images = { ...hubImages('alice'), 'alice/mon-nginx:stable': { Id: ID_B } };
    const result = await run(images);
    expect(result.message.en).toContain("alice/mon-nginx:stable does not point to nginx:alpine's image");
  });
});

describe('hub-login', () => {
  const run = (found: Parameters<typeof credentials>[0], hub: RegistryClient) =>
    hubLogin.run({ kind: 'hub-login' }, probeClients(fakeEngine({}), fakeRegistry({ repositories: {} }, { hub: () => hub, credentials: credentials(found) })));
  const reachableHub = fakeRegistry({ address: 'registry-1.docker.io', repositories: {} });

  it('passes on an auths entry, whatever Docker Hub does', async () => {
    const result = await run({ loggedIn: true, store: 'desktop' }, unreachableRegistry());
    expect(result.status).toBe('pass');
    expect(result.message.en).toContain('kept by the store "desktop"');
  });
  it('passes on a credential helper for Docker Hub', async () => {
    expect((await run({ helper: 'pass' }, reachableHub)).status).toBe('pass');
  });
  it('is skipped, with the reason, when not logged in and Docker Hub is unreachable', async () => {
    const result = await run({ loggedIn: false }, unreachableRegistry());
    expect(result.status).toBe('skip');
    expect(result.message.en).toContain('registry registry-1.docker.io unreachable (ENOTFOUND)');
  });
  it('fails when not logged in and Docker Hub is reachable', async () => {
    const result = await run({ loggedIn: false, exists: false }, reachableHub);
    expect(result.status).toBe('fail');
    expect(result.actual).toContain('no such file');
  });
  it('fails a hand-written Docker Hub entry without credential nor store, with its own message', async () => {
    const result = await run({ loggedIn: false, emptyEntry: true }, reachableHub);
    expect(result).toMatchObject({ status: 'fail', actual: '/home/student/.docker/config.json: Docker Hub entry without credential nor store' });
    expect(result.message.en).toBe('The Docker Hub entry of /home/student/.docker/config.json holds no credential, and no credential store is configured: docker login does not write that. Log in with an access token.');
    expect((await run({ loggedIn: false, emptyEntry: true }, unreachableRegistry())).status).toBe('skip');
  });
  it('reports a config file it cannot read as an error', async () => {
    expect((await run({ problem: 'not valid JSON' }, reachableHub)).status).toBe('error');
  });
});

describe('hub-repository', () => {
  const spec = { kind: 'hub-repository' as const, repository: 'mon-nginx', tags: TAGS };
  /** Docker Hub holding alice/mon-nginx with these tags, each pushed from the image made on that date. */
  const hubWith = (tags: Record<string, string> = {}) => {
    const hub = new FakeRegistry({ address: 'registry-1.docker.io' });
    const digests = Object.entries(tags).map(([tag, created]) => hub.pushImage('alice/mon-nginx', tag, imageConfig(created)));
    return { hub, digest: digests[0] };
  };
  const published = Object.fromEntries(TAGS.map((tag) => [tag, '2024-02-01T00:00:00Z']));
  const run = (images: Record<string, Partial<ImageInspect>>, hub: RegistryClient) =>
    hubRepository.run(spec, probeClients(fakeEngine(images), fakeRegistry({ repositories: {} }, { hub: () => hub })));

  it('is skipped with the reason when Docker Hub is unreachable', async () => {
    const result = await run(hubImages('alice'), unreachableRegistry());
    expect(result).toMatchObject({ status: 'skip' });
    expect(result.message.fr).toContain('Non vérifié');
    expect(result.actual).toContain('unreachable');
  });
  it('passes when Hub serves the four tags on one digest that the local image carries', async () => {
    const { hub, digest } = hubWith(published);
    const result = await run(hubImages('alice', TAGS, ID_A, [`alice/mon-nginx@${digest}`]), hub);
    expect(result.status).toBe('pass');
  });
  it('fails when the repository is private or missing', async () => {
    const result = await run(hubImages('alice'), hubWith().hub);
    expect(result.message.en).toContain('Docker Hub does not show alice/mon-nginx');
  });
  it('names the tags Hub lacks', async () => {
    const { stable: _stable, ...three } = published;
    const result = await run(hubImages('alice'), hubWith(three).hub);
    expect(result.message.en).toContain('does not have alice/mon-nginx:stable yet');
  });
  it('fails when the tags on Hub are different images', async () => {
    const mixed = { ...published, stable: '2024-01-01T00:00:00Z' };
    const result = await run(hubImages('alice'), hubWith(mixed).hub);
    expect(result.message.en).toContain('do not all name one image');
  });
  it('asks to pull back when the local image does not carry the digest', async () => {
    const result = await run(hubImages('alice'), hubWith(published).hub);
    expect(result.message.en).toContain('pull it back');
  });
  it('fails before asking Hub when no <user>/mon-nginx is tagged', async () => {
    const result = await run({}, hubWith().hub);
    expect(result.message.en).toContain('tag the image with your Docker Hub user name first');
  });
});

/** The course's production registry container, unless overridden. */
function container(overrides: Partial<FakeContainer> = {}): FakeContainer {
  return {
    image: 'registry:2',
    env: ['REGISTRY_HTTP_SECRET=s3cr3t-value', 'PATH=/bin'],
    hostConfig: { RestartPolicy: { Name: 'always' }, PortBindings: { '5000/tcp': [{ HostIp: '', HostPort: '5000' }] } },
    mounts: [
      { Type: 'volume', Name: 'registry-data', Source: '/var/lib/docker/volumes/registry-data/_data', Destination: '/var/lib/registry', RW: true },
      { Type: 'bind', Source: '/home/s/config.yml', Destination: '/etc/docker/registry/config.yml', RW: false },
    ],
    ...overrides,
  };
}

describe('container probes', () => {
  const registryImage = { 'registry:2': { Id: ID_B } };
  const on = (box?: FakeContainer, address = 'localhost:5000') =>
    probeClients(fakeEngine(registryImage, box ? { registry: box } : {}), fakeRegistry({ address, repositories: {} }));

  it('container-running: passes, then fails on each near miss', async () => {
    const spec = { kind: 'container-running' as const, container: 'registry', image: 'registry:2', port: 5000 };
    expect((await containerRunning.run(spec, on(container()))).status).toBe('pass');
    expect((await containerRunning.run(spec, on())).message.en).toContain('No container named registry');
    expect((await containerRunning.run(spec, on(container({ running: false })))).message.en).toContain('is not running (state: exited)');
    expect((await containerRunning.run(spec, on(container({ image: 'nginx:alpine' })))).message.en).toContain('runs nginx:alpine, not registry:2');
    const otherPort = container({ hostConfig: { PortBindings: { '5000/tcp': [{ HostPort: '5050' }] } } });
    expect((await containerRunning.run(spec, on(otherPort))).message.en).toContain('not published on host port 5000 (published on: 5050)');
    // The host port follows --registry.
    expect((await containerRunning.run(spec, on(otherPort, 'localhost:5050'))).status).toBe('pass');
  });
  it('container-running: --network host publishes nothing and counts as listening on the host port', async () => {
    const spec = { kind: 'container-running' as const, container: 'registry', image: 'registry:2', port: 5000 };
    const host = container({ hostConfig: { NetworkMode: 'host', PortBindings: {} } });
    const result = await containerRunning.run(spec, on(host));
    expect(result.status).toBe('pass');
    expect(result.message.en).toBe('registry is running (registry:2, host network).');
    // On the host network the registry listens on its own port: another --registry port is not it.
    expect((await containerRunning.run(spec, on(host, 'localhost:5050'))).message.en).toBe('registry shares the host\'s network: it listens on host port 5000, not 5050.');
    // Another network without a published port still fails.
    const bridge = container({ hostConfig: { NetworkMode: 'bridge', PortBindings: {} } });
    expect((await containerRunning.run(spec, on(bridge))).message.en).toContain('not published on host port 5000');
  });
  it('container-running: registry:2.8 counts as registry:2', async () => {
    const spec = { kind: 'container-running' as const, container: 'registry', image: 'registry:2' };
    expect((await containerRunning.run(spec, on(container({ image: 'docker.io/library/registry:2.8' })))).status).toBe('pass');
  });
  it('registry-running: the container must answer the registry API, not only be named registry:2', async () => {
    const spec = { kind: 'registry-running' as const, container: 'registry', image: 'registry:2', port: 5000 };
    expect((await registryRunning.run(spec, on(container()))).status).toBe('pass');
    // nginx renamed registry:2 and run with the course's flags: busybox httpd answers 404, as any web server would.
    const web: RegistryClient = { address: 'localhost:5000', request: async () => ({ status: 404, headers: { 'content-type': 'text/html' }, json: undefined, text: '404 Not Found' }) };
    const renamed = probeClients(fakeEngine(registryImage, { registry: container() }), web);
    const result = await registryRunning.run(spec, renamed);
    expect(result).toMatchObject({ status: 'fail', actual: 'registry: running, image registry:2; GET /v2/ on localhost:5000: HTTP 404, no Docker-Distribution-Api-Version header' });
    expect(result.message.en).toBe('registry runs an image named registry:2, but what answers on localhost:5000 is not a registry (GET /v2/: HTTP 404, no Docker-Distribution-Api-Version header): naming an image registry:2 does not make it a registry.');
    // What container-running says comes first.
    expect((await registryRunning.run(spec, on(container({ running: false })))).message.en).toContain('is not running (state: exited)');
    const silent = await registryRunning.run(spec, probeClients(fakeEngine(registryImage, { registry: container() }), unreachableRegistry('localhost:5000')));
    expect(silent).toMatchObject({ status: 'error', message: { en: 'Could not check: registry localhost:5000 unreachable (ENOTFOUND).' } });
  });
  it('container-restart-policy', async () => {
    const spec = { kind: 'container-restart-policy' as const, container: 'registry', policy: 'always' as const };
    expect((await containerRestartPolicy.run(spec, on(container()))).status).toBe('pass');
    const none = await containerRestartPolicy.run(spec, on(container({ hostConfig: { RestartPolicy: { Name: '' } } })));
    expect(none.message.en).toContain('has the restart policy "no", not "always": it will not come back');
  });
  it('container-mount: the named volume, and its near misses', async () => {
    const spec = { kind: 'container-mount' as const, container: 'registry', destination: '/var/lib/registry', type: 'volume' as const, volume: 'registry-data' };
    expect((await containerMount.run(spec, on(container()))).status).toBe('pass');
    const anonymous = container({ mounts: [{ Type: 'volume', Name: 'f'.repeat(64), Source: '/x', Destination: '/var/lib/registry', RW: true }] });
    expect((await containerMount.run(spec, on(anonymous))).message.en).toContain('is an anonymous volume (ffffffffffff…)');
    const bound = container({ mounts: [{ Type: 'bind', Source: '/srv/reg', Destination: '/var/lib/registry', RW: true }] });
    expect((await containerMount.run(spec, on(bound))).message.en).toContain('is a bind mount, where a Docker volume is wanted');
    const other = container({ mounts: [{ Type: 'volume', Name: 'data', Source: '/x', Destination: '/var/lib/registry', RW: true }] });
    expect((await containerMount.run(spec, on(other))).message.en).toContain('is the volume data, not registry-data');
    expect((await containerMount.run(spec, on(container({ mounts: [] })))).message.en).toContain('Nothing is mounted at /var/lib/registry');
  });
  it('container-mount: the read-only config file', async () => {
    const spec = { kind: 'container-mount' as const, container: 'registry', destination: '/etc/docker/registry/config.yml', type: 'bind' as const, readOnly: true };
    expect((await containerMount.run(spec, on(container()))).status).toBe('pass');
    const writable = container({ mounts: [{ Type: 'bind', Source: '/c.yml', Destination: '/etc/docker/registry/config.yml', RW: true }] });
    expect((await containerMount.run(spec, on(writable))).message.en).toContain('is mounted read-write');
  });
  it("container-mount: the config file must be the working directory's, by path or else by content", async () => {
    const spec = { kind: 'container-mount' as const, container: 'registry', destination: '/etc/docker/registry/config.yml', type: 'bind' as const, readOnly: true, source: 'config.yml' };
    const dir = tempDir('workdir-');
    writeFileSync(join(dir, 'config.yml'), 'version: 0.1\n');
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'config.yml'), 'version: 0.1\nother: true\n');
    symlinkSync(dir, join(dir, '..', `${dir.split('/').pop()}-link`));
    /** The registry with `source` bind-mounted; `seen`: the bytes its process reads there (through the engine). */
    const mountedFrom = (source: string, RW = false, seen?: string) => {
      const box = container({ mounts: [{ Type: 'bind', Source: source, Destination: spec.destination, RW }], files: seen === undefined ? {} : { [spec.destination]: seen } });
      return probeClients(fakeEngine({}, { registry: box }), fakeRegistry({ repositories: {} }), { workdir: dir, files: workdirFiles(dir) });
    };
    expect((await containerMount.run(spec, mountedFrom(join(dir, 'config.yml')))).status).toBe('pass');
    // `$(pwd)` keeps a link that the working directory resolves: the same file.
    expect((await containerMount.run(spec, mountedFrom(join(`${dir}-link`, 'config.yml')))).status).toBe('pass');
    // Docker Desktop names host paths its own way: the same bytes, read through the engine, are the same file.
    const desktop = mountedFrom('/run/desktop/mnt/host/c/work/config.yml', false, 'version: 0.1\n');
    expect((await containerMount.run(spec, desktop)).status).toBe('pass');
    const other = await containerMount.run(spec, mountedFrom(join(dir, 'elsewhere', 'config.yml'), false, 'version: 0.1\nother: true\n'));
    expect(other.status).toBe('fail');
    expect(other.message.en).toBe(`The file mounted at /etc/docker/registry/config.yml is ${join(dir, 'elsewhere', 'config.yml')}, and its content differs from the config.yml of your working directory: registry does not read your file.`);
    expect((await containerMount.run(spec, mountedFrom(join(dir, 'config.yml'), true))).message.en).toContain('is mounted read-write');
    const empty = tempDir('workdir-');
    const none = { ...mountedFrom(join(dir, 'config.yml')), workdir: empty, files: workdirFiles(empty) };
    expect((await containerMount.run(spec, none)).message.en).toBe(`config.yml is not in your working directory: the file mounted at /etc/docker/registry/config.yml (${join(dir, 'config.yml')}) is not yours.`);
  });
  it('container-env: set or not, never showing the value', async () => {
    const spec = { kind: 'container-env' as const, container: 'registry', variable: 'REGISTRY_HTTP_SECRET' };
    const set = await containerEnv.run(spec, on(container()));
    expect(set.status).toBe('pass');
    expect(JSON.stringify(set)).not.toContain('s3cr3t');
    const unset = await containerEnv.run(spec, on(container({ env: ['PATH=/bin'] })));
    expect(unset.message.en).toContain('has no REGISTRY_HTTP_SECRET variable');
    const empty = await containerEnv.run(spec, on(container({ env: ['REGISTRY_HTTP_SECRET='] })));
    expect(empty.message.en).toContain('is empty');
  });
});

const labRegistry = (more: Partial<FakeRegistryState> = {}) =>
  fakeRegistry({
    repositories: {
      nginx: { alpine: { created: '2024-02-14T10:00:00Z' }, '1.0': { created: '2024-02-14T10:00:00Z' } },
      alpine: { '3.19': { created: '2024-01-27T00:00:00Z' } },
    },
    deleteEnabled: true,
    headers: { 'x-content-type-options': 'nosniff' },
    ...more,
  });

describe('registry-header and registry-delete-enabled', () => {
  const engine = fakeEngine({});
  it('registry-header', async () => {
    const spec = { kind: 'registry-header' as const, header: 'X-Content-Type-Options', value: 'nosniff', path: '/v2/' };
    expect((await registryHeader.run(spec, probeClients(engine, labRegistry()))).status).toBe('pass');
    const bare = await registryHeader.run(spec, probeClients(engine, labRegistry({ headers: {} })));
    expect(bare.message.en).toContain('does not send the X-Content-Type-Options header');
  });
  it('registry-delete-enabled tells 404 from 405 without deleting anything real', async () => {
    const spec = { kind: 'registry-delete-enabled' as const, repository: 'tp7-probe', enabled: true };
    const on = labRegistry();
    expect((await registryDeleteEnabled.run(spec, probeClients(engine, on))).status).toBe('pass');
    expect(on.requests).toEqual([`DELETE /v2/tp7-probe/manifests/sha256:${'0'.repeat(64)}`]);
    const off = await registryDeleteEnabled.run(spec, probeClients(engine, labRegistry({ deleteEnabled: false })));
    expect(off).toMatchObject({ status: 'fail', actual: 'deletion disabled (DELETE answered HTTP 405 UNSUPPORTED)' });
  });
  it('a registry that is down is an error, not a fail', async () => {
    const spec = { kind: 'registry-header' as const, header: 'X-Content-Type-Options', value: 'nosniff', path: '/v2/' };
    const result = await registryHeader.run(spec, probeClients(engine, unreachableRegistry('localhost:5000')));
    expect(result.status).toBe('error');
    expect(result.message.en).toBe('Could not check: registry localhost:5000 unreachable (ENOTFOUND).');
  });
});

describe('registry-config-file', () => {
  const CONFIG = [
    'version: 0.1',
    'storage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true',
    'http:\n  addr: :5000\n  secret: do-not-show-me\n  headers:\n    X-Content-Type-Options: [nosniff]',
    'health:\n  storagedriver:\n    enabled: true\n    interval: 10s',
  ].join('\n');
  const settings = { kind: 'registry-config-file' as const, container: 'registry', path: '/etc/docker/registry/config.yml', settings: [{ key: 'storage.delete.enabled', equals: true }, { key: 'health.storagedriver.enabled', equals: true }] };
  const nosniff = { ...settings, settings: [{ key: 'http.headers.X-Content-Type-Options', includes: 'nosniff' }], served: { header: 'X-Content-Type-Options', value: 'nosniff' } };
  /** The registry container reading `text` as its config file (null: a folder mounted there). */
  const on = (text: string | null, registry: RegistryClient = labRegistry(), mounts?: FakeContainer['mounts']) => {
    const engine = fakeEngine({}, { registry: container({ ...(mounts ? { mounts } : {}), files: { '/etc/docker/registry/config.yml': text } }) });
    const reads = () => engine.calls.filter((call) => call.startsWith('readContainerFile'));
    return { reads, clients: probeClients(engine, registry) };
  };

  it('reads the mounted file through the engine and passes on the instructions\' settings', async () => {
    const { reads, clients } = on(CONFIG);
    const result = await registryConfigFile.run(settings, clients);
    expect(result.status).toBe('pass');
    // By the ID of the container inspected: one re-created meanwhile is not read in its place.
    expect(reads()).toEqual([expect.stringMatching(/^readContainerFile [0-9a-f]{64} \/etc\/docker\/registry\/config\.yml$/)]);
    expect((await registryConfigFile.run(nosniff, on(CONFIG).clients)).status).toBe('pass');
    // A header name is compared without regard to case, as HTTP does.
    expect((await registryConfigFile.run(nosniff, on(CONFIG.replace('X-Content-Type-Options', 'x-content-type-options')).clients)).status).toBe('pass');
  });
  it("fails when nothing is mounted: the image's own default file does not count", async () => {
    const plain = [{ Type: 'volume', Name: 'f'.repeat(64), Source: '/x', Destination: '/var/lib/registry', RW: true }];
    const { reads, clients } = on(CONFIG, labRegistry(), plain);
    const result = await registryConfigFile.run(nosniff, clients);
    expect(result).toMatchObject({ status: 'fail', actual: 'nothing mounted at /etc/docker/registry/config.yml' });
    expect(result.message.en).toBe("Nothing is mounted at /etc/docker/registry/config.yml: registry reads its image's default file, not yours.");
    expect(reads()).toEqual([]);
  });
  it('names each missing or wrong setting, and nothing else of the file', async () => {
    const noHealth = await registryConfigFile.run(settings, on(CONFIG.replace(/health:[\s\S]*$/, '')).clients);
    expect(noHealth.status).toBe('fail');
    expect(noHealth.message.en).toMatch(/^In the file registry reads \(\/etc\/docker\/registry\/config\.yml\): health\.storagedriver\.enabled is missing\. /);
    const both = await registryConfigFile.run(settings, on(CONFIG.replace('enabled: true', 'enabled: false').replace(/health:[\s\S]*$/, 'health: {}')).clients);
    expect(both.actual).toBe('storage.delete.enabled is false; health.storagedriver.enabled is missing');
    expect(JSON.stringify(both)).not.toContain('do-not-show-me');
    // Capitals in a registry key are not read by the registry: Storage is not storage.
    expect((await registryConfigFile.run(settings, on(CONFIG.replace('storage:', 'Storage:')).clients)).actual).toContain('storage.delete.enabled is missing');
    const text = await registryConfigFile.run(nosniff, on(CONFIG.replace('[nosniff]', 'nosniff')).clients);
    expect(text.actual).toBe('http.headers.X-Content-Type-Options is a string, where the registry expects a list');
    const other = await registryConfigFile.run(nosniff, on(CONFIG.replace('[nosniff]', '[sniff]')).clients);
    expect(other.actual).toBe('http.headers.X-Content-Type-Options does not hold nosniff');
  });
  it("fails a setting the container's environment overrides (the registry reads REGISTRY_* over its file)", async () => {
    const engine = (env: string[]) => fakeEngine({}, { registry: container({ env, files: { '/etc/docker/registry/config.yml': CONFIG } }) });
    const overridden = await registryConfigFile.run(settings, probeClients(engine(['REGISTRY_HEALTH_STORAGEDRIVER_ENABLED=false', 'REGISTRY_HTTP_SECRET=s3cr3t']), labRegistry()));
    expect(overridden).toMatchObject({ status: 'fail', actual: "the container's variable REGISTRY_HEALTH_STORAGEDRIVER_ENABLED=false overrides health.storagedriver.enabled of the file" });
    expect(JSON.stringify(overridden)).not.toContain('s3cr3t');
    // The same value in the environment changes nothing.
    expect((await registryConfigFile.run(settings, probeClients(engine(['REGISTRY_STORAGE_DELETE_ENABLED=true']), labRegistry()))).status).toBe('pass');
  });
  it('fails on a file that is not YAML, or a folder mounted in its place', async () => {
    const broken = await registryConfigFile.run(settings, on('version: 0.1\nstorage:\n  delete: [enabled: true\n').clients);
    expect(broken.status).toBe('fail');
    expect(broken.message.en).toMatch(/^The file mounted at \/etc\/docker\/registry\/config\.yml is not valid YAML \(line \d+\): the registry cannot start with it\.$/);
    expect((await registryConfigFile.run(settings, on(null).clients)).message.en).toContain('is not a readable file in registry');
  });
  it('declared but not sent: the registry still runs with the file it read at start', async () => {
    const result = await registryConfigFile.run(nosniff, on(CONFIG, labRegistry({ headers: {} })).clients);
    expect(result).toMatchObject({ status: 'fail', actual: 'no X-Content-Type-Options header' });
    expect(result.message.en).toContain('but the registry does not send it (no X-Content-Type-Options header): it still runs with the configuration it read when it started');
    const down = await registryConfigFile.run(nosniff, on(CONFIG, unreachableRegistry('localhost:5000')).clients);
    expect(down).toMatchObject({ status: 'error', message: { en: 'Could not check: registry localhost:5000 unreachable (ENOTFOUND).' } });
  });
  it('validates its spec', () => {
    expect(ProbeSchema.safeParse({ kind: 'registry-config-file', settings: [{ key: 'storage.delete.enabled', equals: true }] }).success).toBe(true);
    expect(ProbeSchema.safeParse({ kind: 'registry-config-file', settings: [{ key: 'a', equals: true, includes: 'x' }] }).success).toBe(false);
    expect(ProbeSchema.safeParse({ kind: 'registry-config-file', settings: [] }).success).toBe(false);
  });
});

describe('registry-tags', () => {
  const engine = fakeEngine({});
  const spec = { kind: 'registry-tags' as const, repository: 'nginx', tags: ['alpine', '1.0'] };
  it('follows catalog pages to find the repository', async () => {
    const many = labRegistry({ pageSize: 1 });
    many.requests.length = 0;
    expect((await registryTags.run(spec, probeClients(engine, many))).status).toBe('pass');
    expect(many.requests.filter((line) => line.includes('_catalog'))).toHaveLength(2);
  });
  it.each(['20.10', '28-containerd'] as const)('with an image: every tag must be a manifest that image was pushed as, not another image given the name (%s)', async (profile) => {
    // The classic store records each push in RepoDigests; the containerd store pushes the manifest it names itself by.
    const engine = new FakeEngine({ profile });
    const registry = new FakeRegistry();
    engine.pull('nginx:alpine');
    engine.pull('busybox:latest');
    engine.tag('nginx:alpine', 'localhost:5000/nginx:alpine');
    await engine.push('localhost:5000/nginx:alpine', registry);
    // The cheapest stand-in: any image tagged with the expected name, and pushed.
    engine.tag('busybox:latest', 'localhost:5000/nginx:1.0');
    const other = await engine.push('localhost:5000/nginx:1.0', registry);
    const pushed = { ...spec, image: 'nginx:alpine' };
    const result = await registryTags.run(pushed, probeClients(engine, registry));
    expect(result).toMatchObject({ status: 'fail', actual: `localhost:5000/nginx: 1.0, alpine; localhost:5000/nginx:1.0 → ${other}` });
    expect(result.message.en).toBe(`localhost:5000/nginx:1.0 is not the nginx:alpine of your engine: under that name the registry serves the manifest ${other.slice(0, 19)}…, which nginx:alpine never pushed. Push nginx:alpine under that name.`);
    engine.tag('nginx:alpine', 'localhost:5000/nginx:1.0');
    await engine.push('localhost:5000/nginx:1.0', registry);
    expect((await registryTags.run(pushed, probeClients(engine, registry))).status).toBe('pass');
  });
  it('fails on a missing repository and on missing tags, "tags": null included', async () => {
    const empty = await registryTags.run(spec, probeClients(engine, fakeRegistry({ repositories: {} })));
    expect(empty.message.en).toBe('Registry localhost:5000 has no nginx repository (it is empty).');
    const nulled = await registryTags.run(spec, probeClients(engine, fakeRegistry({ repositories: { nginx: {} } })));
    expect(nulled.message.en).toBe('localhost:5000/nginx lacks the tag(s) alpine, 1.0 (no tag).');
  });
});

describe.each(['20.10', '28-containerd'] as const)('registry-deleted-tag and registry-garbage-collected (%s)', (profile) => {
  const spec = { kind: 'registry-deleted-tag' as const, image: 'nginx:1.25', repository: 'nginx', tag: 'old', keep: ['alpine', '1.0'], container: 'registry' };
  const gc = { kind: 'registry-garbage-collected' as const, image: 'nginx:1.25', repository: 'nginx', container: 'registry' };

  /**
   * What 4.3 asks, done with the fakes: nginx:alpine pushed as alpine and 1.0, nginx:1.25 as old (unless told);
   * the registry container writes its access log, as registry 2.8 does (what proves a push on containerd).
   */
  async function lab(options: { oldAlso?: string[]; pushOld?: boolean } = {}) {
    const engine = new FakeEngine({ profile });
    const log = { image: 'registry:2', logs: '' };
    engine.addContainer('registry', log);
    const registry = new FakeRegistry({ deleteEnabled: true });
    engine.pull('nginx:alpine');
    await engine.load(await syntheticImage(['nginx:1.25']));
    for (const tag of ['alpine', '1.0']) {
      engine.tag('nginx:alpine', `localhost:5000/nginx:${tag}`);
      await engine.push(`localhost:5000/nginx:${tag}`, registry);
    }
    let old = '';
    for (const tag of options.pushOld === false ? [] : ['old', ...(options.oldAlso ?? [])]) {
      engine.tag('nginx:1.25', `localhost:5000/nginx:${tag}`);
      old = await engine.push(`localhost:5000/nginx:${tag}`, registry);
    }
    const deleteOld = async () => {
      expect((await registry.request('DELETE', `/v2/nginx/manifests/${old}`)).status).toBe(202);
      log.logs += `172.17.0.1 - - [08/Dec/2026:01:56:18 +0000] "DELETE /v2/nginx/manifests/${old} HTTP/1.1" 202 0 "" "curl/7.88.1"\n`;
    };
    return { engine, registry, clients: probeClients(engine, registry), deleteOld };
  }

  it('passes once old is deleted and the others remain', async () => {
    const { clients, deleteOld } = await lab();
    await deleteOld();
    expect((await registryDeletedTag.run(spec, clients)).status).toBe('pass');
  });
  it('fails when nginx:1.25 was never pushed (nothing to delete)', async () => {
    const result = await registryDeletedTag.run(spec, (await lab({ pushOld: false })).clients);
    expect(result.message.en).toContain(profile === '20.10' ? 'was never pushed to localhost:5000/nginx' : 'Nothing shows nginx:1.25 was pushed to localhost:5000/nginx: the registry does not serve its manifest, and the log of container registry shows no deletion of it');
    expect((await registryGarbageCollected.run(gc, (await lab({ pushOld: false })).clients)).status).toBe('fail');
  });
  it('fails when the tag is still there', async () => {
    const result = await registryDeletedTag.run(spec, (await lab()).clients);
    expect(result.message.en).toBe('localhost:5000/nginx:old is still in the registry: delete its manifest, named by its digest.');
  });
  it('fails when the DELETE took the kept tags too (nginx:1.25 also pushed as alpine: one digest, both tags gone)', async () => {
    const { clients, deleteOld } = await lab({ oldAlso: ['alpine'] });
    await deleteOld();
    expect((await registryDeletedTag.run(spec, clients)).message.en).toContain('but so is alpine');
  });
  it('garbage-collected: the blob is served until collected and the registry restarted', async () => {
    const { registry, clients, deleteOld } = await lab();
    await deleteOld();
    expect((await registryGarbageCollected.run(gc, clients)).message.en).toContain('run the garbage collector, then restart the registry');
    registry.garbageCollect();
    expect((await registryGarbageCollected.run(gc, clients)).message.en).toContain('then restart the registry');
    registry.restart();
    expect((await registryGarbageCollected.run(gc, clients)).status).toBe('pass');
  });
  it('garbage-collected: the manifest must be deleted first', async () => {
    const result = await registryGarbageCollected.run(gc, (await lab()).clients);
    expect(result.message.en).toContain('Delete the manifest first');
  });
});

describe('registry-listing-script', () => {
  const spec = { kind: 'registry-listing-script' as const, script: 'registry-maintenance.sh', timeoutSeconds: 5, stale: [{ repository: 'nginx', tag: 'old' }] };
  const good = ['=== Images ===', 'Repository: alpine', '  - 3.19 (created: 2024-01-27T00:00:00Z)', 'Repository: nginx', '  - alpine (created: 2024-02-14T10:00:00Z)', '  - 1.0 (created: 2024-02-14T10:00:00Z)'];
  const files = (exists = true) => ({ stat: async (path: string) => (exists ? { path, size: 1, isFile: true, isDirectory: false, mtimeMs: 0 } : null) }) as unknown as FileAccess;
  /**
   * A script printing `stdout` for the lab registry; for any other REGISTRY (the one made up at check time) it
   * lists that registry the right way, over HTTP, unless `fixed` (a script that echoes the same lines anyway).
   */
  const runner = (stdout: string, more: Partial<{ exitCode: number; timedOut: boolean; stderr: string }> = {}, fixed = false) => {
    const calls: Array<{ command: string; args: string[]; env?: Record<string, string> }> = [];
    const processes: ProcessRunner = {
      async run(command, args, options) {
        calls.push({ command, args, env: options.env });
        const address = options.env?.REGISTRY ?? '';
        if (address === 'localhost:5000' || fixed) return { exitCode: 0, stdout, stderr: '', timedOut: false, ...more };
        const contents = await registryContents(createRegistryClient(address));
        const lines = contents.flatMap(({ repository, tags }) => [`Repository: ${repository}`, ...tags.map(({ tag, created }) => `  - ${tag} (created: ${created})`)]);
        return { exitCode: 0, stdout: lines.join('\n'), stderr: '', timedOut: false };
      },
    };
    return { processes, calls };
  };
  const run = (stdout: string, more = {}, exists = true) => {
    const { processes, calls } = runner(stdout, more);
    return { calls, result: registryListingScript.run(spec, probeClients(fakeEngine({}), labRegistry(), { files: files(exists), processes })) };
  };

  it('passes when every repository, tag and day is there, and gives the script REGISTRY', async () => {
    const { calls, result } = run(good.join('\n'));
    expect((await result).status).toBe('pass');
    expect(calls[0]).toMatchObject({ command: 'bash', args: ['registry-maintenance.sh'], env: { REGISTRY: 'localhost:5000' } });
    // Run a second time against a registry made up at check time.
    expect(calls[1]!.env!.REGISTRY).toMatch(/^127\.0\.0\.1:\d+$/);
  });
  it('fails a script that prints fixed lines (the cheapest fake), against the registry made up at check time', async () => {
    const { processes } = runner(good.join('\n'), {}, true);
    const result = await registryListingScript.run(spec, probeClients(fakeEngine({}), labRegistry(), { files: files(), processes }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/^Run again with REGISTRY=127\.0\.0\.1:\d+, a registry made up at check time \(other repositories, tags and dates\), registry-maintenance\.sh gets it wrong: The output does not name the repository [a-z]+-[0-9a-f]{4}\. It must read the registry REGISTRY names at every run, not print fixed lines\.$/);
  });
  it('fails on a missing script, a failure and a time out', async () => {
    expect((await run('', {}, false).result).message.en).toBe('registry-maintenance.sh is not in your working directory.');
    // The last line that says something: under set -e, the error that stopped the script.
    const failed = await run('', { exitCode: 5, stderr: 'fetching the catalog\njq: error (at <stdin>:0): null\n\n' }).result;
    expect(failed).toMatchObject({ status: 'fail', actual: 'exit code 5: jq: error (at <stdin>:0): null' });
    expect(failed.message.en).toBe('registry-maintenance.sh failed (exit code 5): jq: error (at <stdin>:0): null.');
    expect((await run('', { timedOut: true, exitCode: null }).result).message.en).toBe('registry-maintenance.sh did not finish within 5 s.');
    expect((await run('', { exitCode: null, stderr: '' }).result).message.en).toBe('registry-maintenance.sh failed (stopped by a signal).');
  });
  it('fails on a missing tag, a missing date and a stale tag', async () => {
    expect((await run(good.filter((line) => !line.includes('3.19')).join('\n')).result).message.en).toBe('The output does not list alpine:3.19.');
    const noDates = good.map((line) => line.replace(/\(created: .*\)/, '(created: null)')).join('\n');
    expect((await run(noDates).result).message.en).toContain('No line gives alpine:3.19 with its creation date');
    const stale = [...good, '  - old (created: 2023-10-01T00:00:00Z)'].join('\n');
    expect((await run(stale).result).message.en).toContain('lists nginx:old, which the registry no longer holds');
  });
  it('accepts a French day format', async () => {
    const french = good.map((line) => line.replace(/(\d{4})-(\d{2})-(\d{2})T.*Z/, '$3/$2/$1')).join('\n');
    expect((await run(french).result).status).toBe('pass');
  });
  it("reads each tag under its own repository: nginx's tags listed under alpine do not count", async () => {
    const swapped = ['Repository: alpine', '  - alpine (created: 2024-02-14T10:00:00Z)', '  - 1.0 (created: 2024-02-14T10:00:00Z)', 'Repository: nginx', '  - 3.19 (created: 2024-01-27T00:00:00Z)'];
    const result = await run(swapped.join('\n')).result;
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/^The output files the tag (3\.19 under the repository nginx, and not under alpine|alpine under the repository alpine, and not under nginx): each tag belongs under its own repository\.$/);
    // The same lines in the right blocks pass: only the headings moved.
    expect((await run([swapped[3], swapped[1], swapped[2], swapped[0], swapped[4]].join('\n')).result).status).toBe('pass');
  });
  it('reads tables, references and JSON lines, the registry address included', async () => {
    const table = ['REPOSITORY   TAG    CREATED', 'alpine       3.19   2024-01-27', 'nginx        alpine 2024-02-14', 'nginx        1.0    2024-02-14'];
    expect((await run(table.join('\n')).result).status).toBe('pass');
    const refs = ['localhost:5000/alpine:3.19 2024-01-27T00:00:00Z', 'localhost:5000/nginx:alpine 2024-02-14T10:00:00Z', 'localhost:5000/nginx:1.0 2024-02-14T10:00:00Z'];
    expect((await run(refs.join('\n')).result).status).toBe('pass');
    const json = [['alpine', '3.19', '2024-01-27'], ['nginx', 'alpine', '2024-02-14'], ['nginx', '1.0', '2024-02-14']].map(([repository, tag, created]) => JSON.stringify({ repository, tag, created }));
    expect((await run(json.join('\n')).result).status).toBe('pass');
  });
  it('flags a deleted tag only as a tag of its repository, never a word or a longer name with "old" in it', async () => {
    const registry = labRegistry({
      repositories: {
        nginx: { alpine: { created: '2024-02-14T10:00:00Z' }, '1.0': { created: '2024-02-14T10:00:00Z' } },
        'golden-oldies': { old: { created: '2023-10-01T00:00:00Z' } },
        'archive/old': { '1.0': { created: '2023-10-01T00:00:00Z' } },
      },
    });
    const { processes } = runner(
      [
        'Removing old tags: none',
        'Repository: archive/old',
        '  - 1.0 (created: 2023-10-01T00:00:00Z)',
        'Repository: golden-oldies',
        '  - old (created: 2023-10-01T00:00:00Z)',
        'Repository: nginx',
        '  - alpine (created: 2024-02-14T10:00:00Z)',
        '  - 1.0 (created: 2024-02-14T10:00:00Z)',
        'Done: the old ones are gone.',
      ].join('\n'),
    );
    const clients = probeClients(fakeEngine({}), registry, { files: files(), processes });
    expect((await registryListingScript.run(spec, clients)).status).toBe('pass');
    const stale = runner(['Repository: nginx', '  - alpine (created: 2024-02-14T10:00:00Z)', '  - 1.0 (created: 2024-02-14T10:00:00Z)', '  - old (created: null)', 'Repository: archive/old', '  - 1.0 (created: 2023-10-01)', 'golden-oldies:old 2023-10-01'].join('\n'));
    const flagged = await registryListingScript.run(spec, probeClients(fakeEngine({}), registry, { files: files(), processes: stale.processes }));
    expect(flagged.message.en).toBe('The output lists nginx:old, which the registry no longer holds: the script prints stale data.');
  });
  it('keeps the last non-empty line of stderr', () => {
    expect(lastErrorLine('warning: slow\ncurl: (7) Failed to connect\n  \n')).toBe('curl: (7) Failed to connect');
    expect(lastErrorLine('')).toBe('');
  });
});

describe('ex4 probe specs', () => {
  it('validate through the probe schema', () => {
    expect(ProbeSchema.safeParse({ kind: 'container-mount', container: 'registry', destination: '/var/lib/registry', type: 'volume', volume: 'registry-data' }).success).toBe(true);
    expect(ProbeSchema.safeParse({ kind: 'registry-listing-script', script: '/etc/passwd.sh' }).success).toBe(false);
    expect(ProbeSchema.safeParse({ kind: 'hub-login', extra: 1 }).success).toBe(false);
  });
});
