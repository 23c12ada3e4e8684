import { describe, expect, it } from 'vitest';
import { imageCreated } from '../../src/registry/api.js';
import { RegistryError } from '../../src/registry/errors.js';
import { describeImage, listPlatforms, readManifest } from '../../src/registry/manifests.js';
import { MEDIA_TYPES } from '../../src/registry/media-types.js';
import { canonicalPlatform, normaliseArchitecture, parsePlatform, unameMatches } from '../../src/registry/platform.js';
import { dockerListOfThree, manifestRegistry, ociIndexWithAttestations } from './fake-manifests.js';

describe('registry manifests as data', () => {
  it('reads a Docker manifest list: media type, digest, platforms, and each child with its config', async () => {
    const { registry, list, arm64 } = dockerListOfThree();
    const described = await describeImage(registry.client, 'myapp', 'multiarch');
    expect(described?.kind).toBe('list');
    if (described?.kind !== 'list') return;
    expect(described.manifest).toMatchObject({ mediaType: MEDIA_TYPES.dockerList, digest: list.digest });
    expect(listPlatforms(described.manifest)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    const child = described.children[1]!;
    expect(child.entry.digest).toBe(arm64.digest);
    expect(child.manifest?.config.digest).toBe(arm64.config);
    expect(child.config).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  });

  it('reads an OCI index as buildx pushes it, attestations apart', async () => {
    const { registry } = ociIndexWithAttestations();
    const manifest = await readManifest(registry.client, 'myapp', 'multiarch');
    expect(manifest).toMatchObject({ kind: 'list', mediaType: MEDIA_TYPES.ociIndex });
    if (manifest?.kind !== 'list') return;
    expect(manifest.children).toHaveLength(4);
    expect(listPlatforms(manifest)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('reads a single-platform image as an image with its config', async () => {
    const registry = manifestRegistry();
    const pushed = registry.pushImage('myapp', { architecture: 'amd64', labels: { a: 'b' } }, 'single');
    const described = await describeImage(registry.client, 'myapp', 'single');
    expect(described).toMatchObject({ kind: 'image', manifest: { digest: pushed.digest, config: { digest: pushed.config } }, config: { architecture: 'amd64', labels: { a: 'b' } } });
  });

  it('asks each digest once per client, and a tag each time (it can move)', async () => {
    const { registry } = dockerListOfThree();
    await describeImage(registry.client, 'myapp', 'multiarch');
    await describeImage(registry.client, 'myapp', 'multiarch');
    const counts = new Map<string, number>();
    for (const request of registry.client.requests) counts.set(request, (counts.get(request) ?? 0) + 1);
    expect(counts.get('GET /v2/myapp/manifests/multiarch')).toBe(2);
    for (const [request, count] of counts) if (!request.endsWith('/multiarch')) expect(count, request).toBe(1);
    expect(registry.client.requests).toHaveLength(2 + 3 + 3);
  });

  it('sees a moved tag on the next ask', async () => {
    const registry = manifestRegistry();
    registry.pushImage('myapp', { architecture: 'amd64' }, 'multiarch');
    expect((await readManifest(registry.client, 'myapp', 'multiarch'))?.kind).toBe('image');
    dockerListOfThree(registry);
    expect((await readManifest(registry.client, 'myapp', 'multiarch'))?.kind).toBe('list');
  });

  it('is null for an unknown tag, and a child the registry does not serve has no manifest', async () => {
    const registry = manifestRegistry();
    expect(await describeImage(registry.client, 'myapp', 'nope')).toBeNull();
    const amd64 = registry.pushImage('other', { architecture: 'amd64' });
    registry.pushList('myapp', 'broken', [{ image: amd64, platform: { os: 'linux', architecture: 'amd64' } }]);
    const described = await describeImage(registry.client, 'myapp', 'broken');
    expect(described?.kind === 'list' && described.children[0]).toMatchObject({ manifest: null, config: null });
  });

  it('refuses a manifest whose bytes do not match the digest asked', async () => {
    const { registry, arm64 } = dockerListOfThree();
    const stored = registry.repositories.get('myapp')!.get(arm64.digest)!;
    stored.text = stored.text.replace('1234', '4321');
    await expect(readManifest(registry.client, 'myapp', arm64.digest)).rejects.toThrow(RegistryError);
    await expect(readManifest(registry.client, 'myapp', arm64.digest)).rejects.toThrow(/hash to/);
  });

  it("reads a list's creation date through its amd64 child", async () => {
    const registry = manifestRegistry();
    const arm64 = registry.pushImage('myapp', { architecture: 'arm64', created: '2026-01-01T00:00:00Z' });
    const amd64 = registry.pushImage('myapp', { architecture: 'amd64', created: '2026-02-02T00:00:00Z' });
    registry.pushList('myapp', 'multi', [
      { image: arm64, platform: { os: 'linux', architecture: 'arm64' } },
      { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    expect(await imageCreated(registry.client, 'myapp', 'multi')).toBe('2026-02-02T00:00:00Z');
  });
});

describe('platform spellings', () => {
  it('knows the names uname, Debian and Docker give an architecture', () => {
    expect(normaliseArchitecture('aarch64')).toEqual({ architecture: 'arm64' });
    expect(normaliseArchitecture('arm64/v8')).toEqual({ architecture: 'arm64' });
    expect(normaliseArchitecture('x86_64')).toEqual({ architecture: 'amd64' });
    expect(normaliseArchitecture('armv7l')).toEqual({ architecture: 'arm', variant: 'v7' });
    expect(normaliseArchitecture('arm/v7')).toEqual({ architecture: 'arm', variant: 'v7' });
    expect(normaliseArchitecture('linux/armhf')).toEqual({ architecture: 'arm', variant: 'v7' });
    expect(normaliseArchitecture('sparc')).toBeUndefined();
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(canonicalPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe('linux/arm64');
  });

  it("tells whether uname -m is the platform's machine", () => {
    expect(unameMatches('aarch64\n', { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(unameMatches('armv7l', { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(true);
    expect(unameMatches('x86_64', { os: 'linux', architecture: 'amd64' })).toBe(true);
    expect(unameMatches('x86_64', { os: 'linux', architecture: 'arm64' })).toBe(false);
    expect(unameMatches('armv7l', { os: 'linux', architecture: 'arm64' })).toBe(false);
    expect(unameMatches('armv6l', { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
  });
});
