import { describe, expect, it } from 'vitest';
import type { EngineClient, ProbeRun, ProbeRunOptions } from '../../src/engine/types.js';
import { CheckError } from '../../src/errors.js';
import { both, clipAtWord } from '../../src/lab/text.js';
import { upstreamListFact } from '../../src/facts/upstream-list.js';
import { platformPulled } from '../../src/probes/platform-pulled.js';
import { registryList } from '../../src/probes/registry-list.js';
import { registryListConfigs } from '../../src/probes/registry-list-configs.js';
import { registryListRuns } from '../../src/probes/registry-list-runs.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { matchesFact } from '../../src/questions/match.js';
import type { RegistryClient } from '../../src/registry/types.js';
import { clients, fakeEngine, type FakeImage, type FakeProfileName } from './fake-engine.js';
import { dockerListOfThree, manifestRegistry, ociIndexWithAttestations } from './fake-manifests.js';

const LIST = { repository: 'myapp', tag: 'multiarch' };
let engines = 0;

/**
 * An engine that runs `uname -m` the way the real one does: the machine of the image's programs when the
 * kernel can run them (natively, or through a registered emulator), "exec format error" otherwise. `programs`
 * maps an image digest to the machine its files are for; `emulated` lists what qemu is registered for.
 */
type OwnCommand = 'shell' | 'exec' | 'none';

function runningEngine(programs: Record<string, string>, emulated: string[], log: string[] = [], commands: Record<string, OwnCommand> = {}): EngineClient {
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
      log.push(`run ${ref} ${options.platform}${options.entrypoint ? '' : ' (own command)'}`);
      if (!pulled.has(ref)) throw new Error(`No such image: ${ref}`);
      const digest = ref.split('@')[1]!;
      const machine = programs[digest]!;
      if (machine === 'x86_64' || emulated.includes(machine)) {
        if (options.entrypoint) return { exitCode: 0, output: `${machine}\r\n` };
        // The image's own CMD: shell form expands $(uname -m); exec form prints it as it is; alpine's sh prints nothing.
        const own = commands[digest] ?? 'shell';
        return { exitCode: 0, output: own === 'shell' ? `Hello from ${machine}\r\n` : own === 'exec' ? 'Hello from $(uname -m)\r\n' : '' };
      }
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
    const { registry } = ociIndexWithAttestations();
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
    expect(log).toContain(`run localhost:5000/myapp@${armv7.digest} linux/arm/v7 (own command)`);
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

describe("registry-list-runs: the image's own command", () => {
  const machines = (three: ReturnType<typeof dockerListOfThree>) => ({ [three.amd64.digest]: 'x86_64', [three.arm64.digest]: 'aarch64', [three.armv7.digest]: 'armv7l' });

  it("fails the course's exec-form CMD, which prints $(uname -m) as it is, naming the pitfall", async () => {
    const three = dockerListOfThree();
    const engine = runningEngine(machines(three), ['aarch64', 'armv7l'], [], { [three.arm64.digest]: 'exec' });
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, three.registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/linux\/arm64\/v8 → sha256:[0-9a-f]{12}: its own command prints "Hello from \$\(uname -m\)" as it is: in exec form/);
    expect(result.message.fr).toContain('tel quel : en forme exec (tableau JSON)');
    expect(result.message.en).not.toContain('linux/amd64 →');
  });

  it('fails retagged upstream alpine images, whose own command (sh) prints nothing', async () => {
    const three = dockerListOfThree();
    const none: Record<string, OwnCommand> = { [three.amd64.digest]: 'none', [three.arm64.digest]: 'none', [three.armv7.digest]: 'none' };
    const engine = runningEngine(machines(three), ['aarch64', 'armv7l'], [], none);
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, three.registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('linux/amd64 → ');
    expect(result.message.en).toContain('its own command (docker run with no arguments) prints nothing, not the machine uname -m gives');
    expect(result.message.fr).toContain("affiche rien, pas l'architecture que donne uname -m");
  });

  it('says when the list still points at older images than the arch tags, and how to rebuild it', async () => {
    const three = dockerListOfThree();
    // The arm64 image was rebuilt and pushed again under :arm64, but the list was not rebuilt.
    three.registry.pushImage('myapp', { architecture: 'arm64', variant: 'v8', created: '2026-11-21T10:00:00Z' }, 'arm64');
    const engine = runningEngine(machines(three), ['aarch64', 'armv7l'], [], { [three.arm64.digest]: 'exec' });
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(engine, three.registry.client));
    expect(result.message.en).toContain('The list still points at older images than your tags linux/arm64/v8 (myapp:arm64)');
    expect(result.message.en).toContain('docker manifest rm localhost:5000/myapp:multiarch, then docker manifest create, then docker manifest push --purge');
    expect(result.message.fr).toContain('La liste pointe encore vers des images plus anciennes');
  });

  it('says in the student\'s language, cut between words, why the engine refuses a child', async () => {
    const three = dockerListOfThree();
    const engine = runningEngine(machines(three), ['aarch64', 'armv7l']);
    const refusing = { ...engine, runProbe: async (ref: string) => {
      throw new CheckError(both(`le moteur a répondu « image with reference ${ref} was found but does not match the specified platform: wanted linux/arm64 »`, `engine: image with reference ${ref} was found but does not match the specified platform: wanted linux/arm64`));
    } };
    const result = await registryListRuns.run({ kind: 'registry-list-runs', ...LIST, timeoutSeconds: 5 }, withRegistry(refusing, three.registry.client));
    expect(result.message.fr).toContain("le moteur la trouve, mais ce n'est pas une image linux/arm64/v8");
    expect(result.message.fr).not.toContain('was found');
    expect(result.message.en).toContain('the engine finds it, but it is not a linux/amd64 image');
  });

  it('clips long text between words', () => {
    expect(clipAtWord('was found but does not match the specified platform', 35)).toBe('was found but does not match the…');
    expect(clipAtWord('short', 35)).toBe('short');
    expect(clipAtWord('x'.repeat(40), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('registry-list-configs: a stale list', () => {
  it('says the list points at older images when an arch tag names another image than its entry', async () => {
    const registry = manifestRegistry();
    const amd64 = registry.pushImage('myapp', { architecture: 'amd64' }, 'amd64');
    registry.pushList('myapp', 'multiarch', [
      { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { image: amd64, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    registry.pushImage('myapp', { architecture: 'arm64' }, 'arm64');
    const result = await registryListConfigs.run({ kind: 'registry-list-configs', ...LIST }, withRegistry(fakeEngine({}), registry.client));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('The list still points at older images than your tags linux/arm64 (myapp:arm64)');
    expect(result.message.en).not.toContain('linux/amd64 (myapp:amd64)');
  });
});

describe('7.1: the list as the engine pulls it', () => {
  function mirrored(local: Record<string, FakeImage>, profile?: FakeProfileName) {
    const { registry, amd64, arm64, list } = dockerListOfThree(manifestRegistry('127.0.0.1:5001'), 'library/nginx', 'alpine');
    const engine = { ...fakeEngine(local, {}, profile), registryMirrors: async () => ['http://127.0.0.1:5001/'] };
    const lab: RegistryClient = { address: 'localhost:5000', request: async () => { throw new Error('the lab registry is not asked'); }, at: (address) => (address === 'http://127.0.0.1:5001' ? registry.client : (undefined as never)) };
    return { clients: withRegistry(engine, lab), amd64, arm64, list };
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
    // Near miss (classic store): docker pull --platform linux/arm64 alpine && docker tag alpine nginx:alpine.
    const alpine = mirrored({ 'nginx:alpine': { Id: `sha256:${'e'.repeat(64)}`, Architecture: 'arm64', RepoDigests: [`alpine@sha256:${'f'.repeat(64)}`] } });
    const retagged = await platformPulled.run({ kind: 'platform-pulled', image: 'nginx:alpine', platform: 'linux/arm64' }, alpine.clients);
    expect(retagged.status).toBe('fail');
    expect(retagged.message.en).toContain('but this is not the linux/arm64 image of nginx:alpine');
    const fact = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'local-architecture', platform: 'linux/arm64' }, setup.clients);
    expect(fact.value).toBe('arm64');
  });

  it.each(['28-containerd', '29-containerd'] as const)('platform-pulled on the containerd store (%s): the platform the pull added to the list\'s image', async (profile) => {
    const { list, amd64, arm64 } = mirrored({});
    // docker pull nginx:alpine, then docker pull --platform linux/arm64 nginx:alpine: one image, the list's digest.
    const pulled = (arm64Available: boolean): FakeImage => ({ Id: list.digest, platforms: [{ architecture: 'amd64', digest: amd64.digest }, { architecture: 'arm64', variant: 'v8', digest: arm64.digest, available: arm64Available }] });
    const spec = { kind: 'platform-pulled', image: 'nginx:alpine', platform: 'linux/arm64' } as const;
    let setup = mirrored({ 'nginx:alpine': pulled(false) }, profile);
    let result = await platformPulled.run(spec, setup.clients);
    expect([result.status, result.message.en]).toEqual(['fail', expect.stringContaining('is not on your engine (nginx:alpine holds linux/amd64 here)')]);
    setup = mirrored({ 'nginx:alpine': pulled(true) }, profile);
    result = await platformPulled.run(spec, setup.clients);
    expect([result.status, result.message.en]).toEqual(['pass', expect.stringContaining(`is on your engine (a platform of ${list.digest.slice(7, 19)})`)]);
    // docker inspect nginx:alpine shows the host's platform: that is the answer, the course's arm64 too, with why.
    const fact = await upstreamListFact.read({ kind: 'upstream-list', image: 'nginx:alpine', read: 'local-architecture', platform: 'linux/arm64' }, setup.clients);
    expect(fact).toMatchObject({ value: 'amd64', alsoRight: [{ value: 'arm64', because: { en: expect.stringContaining('keeps all its platforms under one tag') } }] });
    // Near miss: docker pull --platform linux/arm64 alpine && docker tag alpine nginx:alpine: another image.
    const retagged = await platformPulled.run(spec, mirrored({ 'nginx:alpine': { Architecture: 'arm64' } }, profile).clients);
    expect([retagged.status, retagged.message.en]).toEqual(['fail', expect.stringMatching(/\(nginx:alpine here is another image, [0-9a-f]{12}, not that list: retagged\?\)/)]);
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
