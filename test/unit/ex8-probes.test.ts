import { describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../src/engine/types.js';
import { containerFromRegistry } from '../../src/probes/container-from-registry.js';
import { registrySameDigest } from '../../src/probes/registry-same-digest.js';
import type { RegistryClient, RegistryResponse } from '../../src/registry/types.js';
import { clients, fakeEngine, ID_A } from './fake-engine.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** A registry holding one repository, answering as distribution 2.8 does (tags/list, HEAD with the digest header). */
function registryWith(tags: Record<string, string>): RegistryClient {
  const answer = (status: number, json?: unknown, headers: Record<string, string> = {}): RegistryResponse => ({ status, headers, json, text: json ? JSON.stringify(json) : '' });
  return {
    address: 'localhost:5000',
    request: async (method, path) => {
      if (path.startsWith('/v2/myapp/tags/list')) return answer(200, { name: 'myapp', tags: Object.keys(tags) });
      const tag = /^\/v2\/myapp\/manifests\/(.+)$/.exec(path)?.[1];
      if (method === 'HEAD' && tag && tags[tag]) return answer(200, undefined, { 'docker-content-digest': tags[tag]! });
      return answer(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    },
  };
}

const SPEC = registrySameDigest.schema.parse({ kind: 'registry-same-digest', repository: 'myapp', tags: ['1.0.0', 'latest', 'prod'], dateTag: true, image: 'myapp:1.0.0' });
const pushed = fakeEngine({ 'myapp:1.0.0': { Id: ID_A, RepoDigests: [`localhost:5000/myapp@${D1}`] } });
const run = (tags: Record<string, string>, engine = pushed) => registrySameDigest.run(SPEC, { ...clients(engine), registry: registryWith(tags) });

describe('registry-same-digest', () => {
  it('passes when every tag, the newest date too, names the manifest pushed from the image', async () => {
    const result = await run({ '1.0.0': D1, latest: D1, prod: D1, '20261127': D2, '20261128': D1 });
    expect(result.status).toBe('pass');
    expect(result.message.en).toBe('The 4 tags of localhost:5000/myapp name one manifest (111111111111).');
  });
  it('names the tag that points elsewhere and the digest it has', async () => {
    const result = await run({ '1.0.0': D1, latest: D1, prod: D2, '20261128': D1 });
    expect(result.message.en).toMatch(/do not name the manifest of 1\.0\.0 \(111111111111\): prod → 222222222222\./);
  });
  it('wants a YYYYMMDD tag, a real day', async () => {
    const result = await run({ '1.0.0': D1, latest: D1, prod: D1, '20261399': D1 });
    expect(result.message.en).toBe('localhost:5000/myapp lacks: YYYYMMDD (present: 20261399, 1.0.0, latest, prod).');
  });
  it('tells tags that agree on an image that is not the local one', async () => {
    const rebuilt = fakeEngine({ 'myapp:1.0.0': { Id: ID_A, RepoDigests: [] } });
    const result = await run({ '1.0.0': D1, latest: D1, prod: D1, '20261128': D1 }, rebuilt);
    expect(result.message.en).toMatch(/name 111111111111, which is not the image myapp:1\.0\.0 of your engine \(pushed as: never\)/);
  });
});

describe('container-from-registry', () => {
  const spec = containerFromRegistry.schema.parse({ kind: 'container-from-registry', container: 'myapp-test', repository: 'myapp', tag: '1.0.0', containerPort: 80, hostPort: 8080 });
  const container = (image: string, fields: Partial<ContainerInspect> = {}): ContainerInspect => ({
    Id: 'c'.repeat(64), Name: '/myapp-test', Image: ID_A, Config: { Image: image }, State: { Status: 'running', Running: true },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, Mounts: [], ...fields,
  });
  const run = (found: ContainerInspect, repoDigests = [`localhost:5000/myapp@${D1}`]) => {
    const engine = { ...fakeEngine({ [ID_A]: { Id: ID_A, RepoDigests: repoDigests } }), inspectContainer: async () => found };
    return containerFromRegistry.run(spec, { ...clients(engine), registry: registryWith({ '1.0.0': D1 }) });
  };
  it('passes for the registry image by its registry name, by tag or by digest', async () => {
    expect((await run(container('localhost:5000/myapp:1.0.0'))).status).toBe('pass');
    expect((await run(container(`localhost:5000/myapp@${D1}`))).status).toBe('pass');
  });
  it('refuses the local image, same ID and all', async () => {
    expect((await run(container('myapp:1.0.0'))).message.en).toMatch(/was started from myapp:1\.0\.0, the local image/);
  });
  it('refuses an image the registry tag no longer names', async () => {
    expect((await run(container('localhost:5000/myapp:1.0.0'), [`localhost:5000/myapp@${D2}`])).message.en).toMatch(/not the one localhost:5000\/myapp:1\.0\.0 names today \(111111111111\)/);
  });
  it('wants 80 published on 8080', async () => {
    const other = container('localhost:5000/myapp:1.0.0', { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8081' }] } } });
    expect((await run(other)).message.en).toBe('Port 80 of myapp-test is not published on host port 8080 (published on: 8081).');
  });
});
