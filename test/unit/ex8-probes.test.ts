import { describe, expect, it } from 'vitest';
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
