import { describe, expect, it } from 'vitest';
import { localTagsRemoved } from '../../src/probes/local-tags-removed.js';
import { registrySameDigest } from '../../src/probes/registry-same-digest.js';
import { covers, floatingTagStanding, isReleaseTag, releaseTags } from '../../src/versions.js';
import { clients, fakeEngine, ID_A, ID_B } from './fake-engine.js';
import { fakeRegistry, type FakeImage } from './fake-registry.js';

// The course's rule for floating tags (exercise 9 after exercise 8): latest, 1 and 1.0 of 1.0.0 may follow a
// newer release they cover; on an older release, on another series or on an image no release names, they fail.

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const image = (digest: string): FakeImage => ({ digest, created: '2026-12-01T00:00:00Z' });

describe('versions', () => {
  it('knows which floating tags a release moves', () => {
    expect(releaseTags('1.0.1')).toEqual(['1.0.1', '1.0', '1', 'latest']);
    expect(covers('latest', '2.0.0')).toBe(true);
    expect(covers('1', '1.4.0')).toBe(true);
    expect(covers('1', '2.0.0')).toBe(false);
    expect(covers('1.0', '1.0.7')).toBe(true);
    expect(covers('1.0', '1.1.0')).toBe(false);
    expect(covers('latest', '1.1.0-rc.1')).toBe(false);
    expect(isReleaseTag('v1.0.0')).toBe(false);
  });
  it('sorts versions as numbers: 1.10.0 is newer than 1.9.0', () => {
    expect(floatingTagStanding('1', '1.9.0', ['1.10.0'])).toEqual({ standing: 'follows', release: '1.10.0' });
    expect(floatingTagStanding('latest', '1.10.0', ['1.9.0'])).toEqual({ standing: 'older', release: '1.9.0' });
    expect(floatingTagStanding('1', '1.0.0', ['2.0.0'])).toEqual({ standing: 'outside', release: '2.0.0' });
    expect(floatingTagStanding('latest', '1.0.0', ['stable'])).toEqual({ standing: 'none' });
  });
});

describe('registry-same-digest with floating tags', () => {
  const spec = registrySameDigest.schema.parse({ kind: 'registry-same-digest', repository: 'myapp', tags: ['1.0.0', '1.0', '1', 'latest', 'prod'], image: 'myapp:1.0.0' });
  const engine = fakeEngine({ 'myapp:1.0.0': { Id: ID_A, RepoDigests: [`localhost:5000/myapp@${D1}`] } });
  const run = (tags: Record<string, string>) => registrySameDigest.run(spec, clients(engine, {
    registry: fakeRegistry({ repositories: { myapp: Object.fromEntries(Object.entries(tags).map(([tag, digest]) => [tag, image(digest)])) } }),
  }));

  it('accepts latest, 1 and 1.0 on a newer release they cover, saying so', async () => {
    const result = await run({ '1.0.0': D1, prod: D1, '1.0.1': D2, '1.0': D2, '1': D2, latest: D2 });
    expect(result.status).toBe('pass');
    expect(result.message.en).toBe('The tags of localhost:5000/myapp name one manifest (111111111111), but for 1.0, 1, latest, which moved with release 1.0.1, a newer one: a floating tag follows the newest release it covers.');
    expect(result.message.fr).toContain('ont suivi la version 1.0.1, plus récente');
  });
  it('accepts latest alone on 2.0.0, but not 1 there', async () => {
    expect((await run({ '1.0.0': D1, '1.0': D1, '1': D1, prod: D1, '2.0.0': D2, latest: D2 })).status).toBe('pass');
    const result = await run({ '1.0.0': D1, '1.0': D1, '1': D2, prod: D1, '2.0.0': D2, latest: D2 });
    expect(result.message.en).toContain('1 → 222222222222 (release 2.0.0, which 1 does not cover)');
  });
  it('refuses a floating tag sent back to an older release, naming it', async () => {
    const result = await run({ '1.0.0': D1, '1.0': D1, '1': D1, prod: D1, '0.1.0': D2, latest: D2 });
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('latest → 222222222222 (release 0.1.0, not newer than 1.0.0: a floating tag only follows newer releases)');
  });
  it('refuses a floating tag on an image no release names (a retag of something else)', async () => {
    const result = await run({ '1.0.0': D1, '1.0': D1, '1': D1, prod: D1, '1.0.1': D2, latest: D3 });
    expect(result.message.en).toContain('latest → 333333333333 (no release tag of the repository names that image)');
  });
  it('never lets a tag that is not floating move: prod stays on 1.0.0', async () => {
    const result = await run({ '1.0.0': D1, '1.0': D1, '1': D1, latest: D1, '1.0.1': D2, prod: D2 });
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/: prod → 222222222222\. A tag pushed/);
  });
});

describe('local-tags-removed with floating tags', () => {
  const spec = localTagsRemoved.schema.parse({ kind: 'local-tags-removed', repository: 'myapp', removed: ['1', '1.0', 'stable'], kept: ['1.0.0', 'latest'], release: '1.0.0' });
  it('accepts 1 and 1.0 put back by a newer local release', async () => {
    const engine = fakeEngine({ 'myapp:1.0.0': { Id: ID_A }, 'myapp:1.0.1': { Id: ID_B }, 'myapp:1': { Id: ID_B }, 'myapp:1.0': { Id: ID_B }, 'myapp:latest': { Id: ID_B } });
    const result = await localTagsRemoved.run(spec, clients(engine));
    expect(result.status).toBe('pass');
    expect(result.message.en).toBe('The convenience tags of myapp are removed; 1 (1.0.1), 1.0 (1.0.1) now name(s) a newer release, which put them back.');
  });
  it('still refuses 1 left on the pipeline image itself', async () => {
    const engine = fakeEngine({ 'myapp:1.0.0': { Id: ID_A }, 'myapp:1': { Id: ID_A }, 'myapp:latest': { Id: ID_A } });
    const result = await localTagsRemoved.run(spec, clients(engine));
    expect(result.message.en).toBe('These local tags of myapp are still there: 1.');
  });
});
