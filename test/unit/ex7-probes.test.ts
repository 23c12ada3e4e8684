import { describe, expect, it } from 'vitest';
import type { EngineClient, ProbeRun, ProbeRunOptions } from '../../src/engine/types.js';
import { upstreamListFact } from '../../src/facts/upstream-list.js';
import { platformPulled } from '../../src/probes/platform-pulled.js';
import { registryList } from '../../src/probes/registry-list.js';
import { registryListConfigs } from '../../src/probes/registry-list-configs.js';
import { registryListRuns } from '../../src/probes/registry-list-runs.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { matchesFact } from '../../src/questions/match.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { clients, fakeEngine } from './fake-engine.js';
import { dockerListOfThree, manifestRegistry } from './fake-manifests.js';

const LIST = { repository: 'myapp', tag: 'multiarch' };
let engines = 0;

/**
 * An engine that runs `uname -m` the way the real one does: the machine of the image's programs when the
 * kernel can run them (natively, or through a registered emulator), "exec format error" otherwise. `programs`
 * maps an image digest to the machine its files are for; `emulated` lists what qemu is registered for.
 */
function runningEngine(programs: Record<string, string>, emulated: string[], log: string[] = []): EngineClient {
  const pulled = new Set<string>();
  const engine = fakeEngine({});
  return {
    ...engine,
    // Verdicts are remembered per engine and list: each test is another engine.
    host: `unix:///fake-${++engines}.sock`,
    pullImage: async (ref) => {
      log.push(`pull ${ref}`);
      pulled.add(ref);
    },
    removeImage: async (ref) => {
      log.push(`rmi ${ref}`);
    },
    runProbe: async (ref: string, options: ProbeRunOptions): Promise<ProbeRun> => {
      log.push(`run ${ref} ${options.platform}`);
      if (!pulled.has(ref)) throw new Error(`No such image: ${ref}`);
      const machine = programs[ref.split('@')[1]!]!;
      if (machine === 'x86_64' || emulated.includes(machine)) return { exitCode: 0, output: `${machine}\r\n` };
      return { exitCode: 1, output: 'standard_init_linux.go:228: exec user process caused: exec format error\r\n' };
    },
  };
}

function withRegistry(engine: EngineClient, registry: RegistryClient): ProbeClients {
  return { ...clients(engine), registry };
}

describe('registry-list', () => {
  it('passes on a list offering the platforms, arm64 and arm64/v8 alike', async () => {
    const { registry } = dockerListOfThree();
    const result = await registryList.run({ kind: 'registry-list', ...LIST, platforms: ['linux/amd64', 'linux/arm64'] }, withRegistry(fakeEngine({}), registry.client));
    expect(result.status).toBe('pass');
    expect(result.message.en).toContain('a list of linux/amd64, linux/arm64/v8, linux/arm/v7');
  });

  it('fails a single image, and a list whose children are all amd64, each with its own message', async () => {
    const registry = manifestRegistry();
    registry.pushImage('myapp', { architecture: 'amd64' }, 'multiarch');
    let result = await registryList.run({ kind: 'registry-list', ...LIST, platforms: ['linux/amd64', 'linux/arm64'] }, withRegistry(fakeEngine({}), registry.client));
    expect(result.message.en).toContain('is a single-platform image (linux/amd64), not a list');
    const one = registry.pushImage('myapp', { architecture: 'amd64' });
    registry.pushList('myapp', 'multiarch', [{ image: one, platform: { os: 'linux', architecture: 'amd64' } }, { image: one, platform: { os: 'linux', architecture: 'amd64' } }]);
    result = await registryList.run({ kind: 'registry-list', ...LIST, platforms: ['linux/amd64', 'linux/arm64'] }, withRegistry(fakeEngine({}), registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('is a list of linux/amd64, linux/amd64: linux/arm64 is missing');
  });

  it('reads an OCI index from buildx, attestations left out', async () => {
    const registry = manifestRegistry();
    const amd64 = registry.pushImage('myapp', { architecture: 'amd64', oci: true });
    const arm64 = registry.pushImage('myapp', { architecture: 'arm64', oci: true });
    registry.pushList('myapp', 'multiarch', [
      { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm64, platform: { os: 'linux', architecture: 'arm64' } },
      registry.attestationFor('myapp', amd64),
    ], { oci: true });
    const spec = { kind: 'registry-list' as const, ...LIST, platforms: ['linux/arm/v7'] };
    const result = await registryList.run(spec, withRegistry(fakeEngine({}), registry.client));
    expect(result.message.en).toContain('is a list of linux/amd64, linux/arm64: linux/arm/v7 is missing');
    const configs = await registryListConfigs.run({ kind: 'registry-list-configs', ...LIST }, withRegistry(fakeEngine({}), registry.client));
    expect(configs.status).toBe('pass');
  });
});

describe('registry-list-configs', () => {
  it('fails an annotation that lies about the architecture', async () => {
    const registry = manifestRegistry();
    const amd64 = registry.pushImage('myapp', { architecture: 'amd64' });
    registry.pushList('myapp', 'multiarch', [
      { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { image: amd64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    const result = await registryListConfigs.run({ kind: 'registry-list-configs', ...LIST }, withRegistry(fakeEngine({}), registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/the list says linux\/arm64\/v8 for sha256:[0-9a-f]{12}, but that image's config says linux\/amd64/);
  });
});

describe('registry-list-runs', () => {
  it('passes when each child prints its own machine, and removes only what it pulled', async () => {
    const { registry, amd64, arm64, armv7 } = dockerListOfThree();
    const log: string[] = [];
    const engine = runningEngine({ [amd64.digest]: 'x86_64', [arm64.digest]: 'aarch64', [armv7.digest]: 'armv7l' }, ['aarch64', 'armv7l'], log);
    // The amd64 image is already on the engine (the student built it): it must stay.
    const held = { ...engine, inspectImage: async (ref: string) => (ref === amd64.config ? (await fakeEngine({ x: {} }).inspectImage('x')) : null) };
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(held, registry.client));
    expect(result.status).toBe('pass');
    expect(log.filter((line) => line.startsWith('rmi'))).toEqual([`rmi localhost:5000/myapp@${arm64.digest}`, `rmi localhost:5000/myapp@${armv7.digest}`]);
    expect(log).toContain(`run localhost:5000/myapp@${armv7.digest} linux/arm/v7`);
    // Asked again (a watch round) about the same list: nothing is pulled or run again.
    const before = log.length;
    expect((await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(held, registry.client))).status).toBe('pass');
    expect(log).toHaveLength(before);
  });

  it('skips, with the fix, a platform the engine cannot emulate; never a fail', async () => {
    const { registry, amd64, arm64, armv7 } = dockerListOfThree();
    const engine = runningEngine({ [amd64.digest]: 'x86_64', [arm64.digest]: 'aarch64', [armv7.digest]: 'armv7l' }, ['aarch64']);
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, registry.client));
    expect(result.status).toBe('skip');
    expect(result.message.en).toContain('this engine cannot run linux/arm/v7 (no emulation)');
    expect(result.message.en).toContain('tonistiigi/binfmt');
  });

  it('fails a child whose programs are for another machine, emulation or not', async () => {
    const { registry, amd64, arm64, armv7 } = dockerListOfThree();
    const engine = runningEngine({ [amd64.digest]: 'x86_64', [arm64.digest]: 'x86_64', [armv7.digest]: 'armv7l' }, []);
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/linux\/arm64\/v8 → sha256:[0-9a-f]{12}: uname -m prints x86_64 in it: its programs are for another machine/);
  });

  it('fails a linux/amd64 child with arm programs: the native platform needs no emulation', async () => {
    const { registry, amd64, arm64, armv7 } = dockerListOfThree();
    const engine = runningEngine({ [amd64.digest]: 'aarch64', [arm64.digest]: 'aarch64', [armv7.digest]: 'armv7l' }, []);
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('its programs are not linux/amd64 programs (exec format error)');
  });
});

describe('7.1: the list as the engine pulls it', () => {
  function mirrored(local: Record<string, { Id: string; Architecture: string }>) {
    const { registry, arm64 } = dockerListOfThree(manifestRegistry('127.0.0.1:5001'), 'library/nginx', 'alpine');
    const engine = { ...fakeEngine(local), registryMirrors: async () => ['http://127.0.0.1:5001/'] };
    const lab: RegistryClient = { address: 'localhost:5000', request: async () => { throw new Error('the lab registry is not asked'); }, at: (address) => (address === 'http://127.0.0.1:5001' ? registry.client : (undefined as never)) };
    return { clients: withRegistry(engine, lab), arm64 };
  }

  it('without a mirror, reads the list from Docker Hub (official images under library/)', async () => {
    const { registry } = dockerListOfThree(manifestRegistry('registry-1.docker.io'), 'library/nginx', 'alpine');
    const lab: RegistryClient = { address: 'localhost:5000', request: async () => { throw new Error('the lab registry is not asked'); }, hub: () => registry.client };
    const fact = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'platforms' }, withRegistry({ ...fakeEngine({}), registryMirrors: async () => [] }, lab));
    expect(fact.value).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
  });

  it('platform-pulled finds the arm64 image by its ID, tagged or not', async () => {
    let setup = mirrored({ 'nginx:alpine': { Id: 'sha256:local', Architecture: 'amd64' } });
    let result = await platformPulled.run({ kind: 'platform-pulled', image: 'nginx:alpine', platform: 'linux/arm64' }, setup.clients);
    expect(result.message.en).toContain('is not on your engine (nginx:alpine is linux/amd64 here)');
    setup = mirrored({});
    const arm64Config = setup.arm64.config;
    setup = mirrored({ [arm64Config]: { Id: arm64Config, Architecture: 'arm64' } });
    result = await platformPulled.run({ kind: 'platform-pulled', image: 'nginx:alpine', platform: 'linux/arm64' }, setup.clients);
    expect(result.status).toBe('pass');
    // The containerd image store names the image by the list's digest: the tag's platform tells.
    setup = mirrored({ 'nginx:alpine': { Id: 'sha256:index', Architecture: 'arm64' } });
    result = await platformPulled.run({ kind: 'platform-pulled', image: 'nginx:alpine', platform: 'linux/arm64' }, setup.clients);
    expect(result.status).toBe('pass');
    const fact = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'local-architecture', platform: 'linux/arm64' }, setup.clients);
    expect(fact.value).toBe('arm64');
  });

  it('facts: the platforms, the arm64 digest, the local copy architecture; answers in usual spellings', async () => {
    const { clients: probeClients, arm64 } = mirrored({});
    const platforms = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'platforms' }, probeClients);
    expect(platforms.value).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    expect(matchesFact('platforms', 'linux/arm/v7; linux/amd64 and linux/arm64', platforms.value!)).toBe(true);
    expect(matchesFact('platforms', 'amd64, aarch64, armv7', platforms.value!)).toBe(true);
    expect(matchesFact('platforms', 'linux/amd64, linux/arm64', platforms.value!)).toBe(false);
    const digest = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'child-digest', platform: 'linux/arm64' }, probeClients);
    expect(digest.value).toBe(arm64.digest);
    const local = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'local-architecture', platform: 'linux/arm64' }, probeClients);
    expect(local).toMatchObject({ value: null, missing: { en: 'the linux/arm64 image of nginx:alpine is not on your engine' } });
    expect(matchesFact('architecture', 'aarch64', 'arm64')).toBe(true);
    expect(matchesFact('architecture', 'x86_64', 'amd64')).toBe(true);
    expect(matchesFact('architecture', 'armv7', 'arm/v7')).toBe(true);
    expect(matchesFact('architecture', 'amd64', 'arm64')).toBe(false);
  });
});
