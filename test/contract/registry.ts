import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { deletionEnabled, imageCreated, listRepositories, listTags, MANIFEST_ACCEPT, manifestDigest, MEDIA_TYPES, nextPage } from '../../src/registry/api.js';
import type { RegistryClient } from '../../src/registry/types.js';

// The registry contract: what probes rely on a distribution registry to answer, asserted the same way against
// the fake registry of the unit tests (test/unit/registry-contract.test.ts) and a real registry:2 on the test
// engine (test/integration/contract.test.ts). Every digest here is computed from bytes the test pushed.

/** A registry the contract pushes to: over HTTP on the real side, through methods on the fake. */
export interface RegistryWorld {
  client: RegistryClient;
  pushBlob(repository: string, bytes: Buffer): Promise<void>;
  pushManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<void>;
  /** `registry garbage-collect` of the registry's own config. */
  garbageCollect(): Promise<void>;
  /** The registry process restarted (its in-memory caches gone). */
  restart(): Promise<void>;
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
const LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface Pushed {
  digest: string;
  size: number;
  config: string;
}

/** Pushes a one-layer image as docker push does (config, layer, manifest) and returns its digests. */
async function pushImage(world: RegistryWorld, repository: string, tag: string, options: { created?: string; architecture?: string; oci?: boolean; unique?: string; noHistory?: boolean } = {}): Promise<Pushed> {
  const name = options.unique ?? `${repository}:${tag}`;
  const layer = Buffer.from(`layer of ${name}`);
  const created = options.created ?? '2024-02-14T10:00:00Z';
  // As docker build writes it: one diff_id and one history step per layer (schema1 conversion reads them).
  const history = options.noHistory ? {} : { history: [{ created, created_by: `/bin/sh -c #(nop) ADD ${name}` }] };
  const config = Buffer.from(JSON.stringify({ architecture: options.architecture ?? 'amd64', os: 'linux', created, config: { Labels: { contract: name } }, rootfs: { type: 'layers', diff_ids: [sha256(layer)] }, ...history }));
  await world.pushBlob(repository, config);
  await world.pushBlob(repository, layer);
  const mediaType = options.oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: options.oci ? OCI_CONFIG : CONFIG_TYPE, size: config.length, digest: sha256(config) },
    layers: [{ mediaType: options.oci ? OCI_LAYER : LAYER_TYPE, size: layer.length, digest: sha256(layer) }],
  }));
  await world.pushManifest(repository, tag, mediaType, manifest);
  return { digest: sha256(manifest), size: manifest.length, config: sha256(config) };
}

async function pushIndex(world: RegistryWorld, repository: string, tag: string, children: Array<Pushed & { architecture: string }>, mediaType: string): Promise<string> {
  const childType = mediaType === MEDIA_TYPES.ociIndex ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifests = children.map((child) => ({ mediaType: childType, size: child.size, digest: child.digest, platform: { architecture: child.architecture, os: 'linux' } }));
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }));
  await world.pushManifest(repository, tag, mediaType, bytes);
  return sha256(bytes);
}

const codes = (body: unknown): string[] => ((body as { errors?: Array<{ code: string }> })?.errors ?? []).map((error) => error.code);

/**
 * `enabled`: a registry with storage.delete.enabled; `disabled`: registry:2 as it comes (deletion off). Each test
 * uses repositories of its own, so the suite runs on a registry that holds other things too.
 */
export function registryContract(label: string, worlds: () => { enabled: RegistryWorld; disabled: RegistryWorld }): void {
  describe(`registry contract: ${label}`, () => {
    let enabled: RegistryWorld;
    let disabled: RegistryWorld;
    let registry: RegistryClient;
    beforeAll(() => {
      ({ enabled, disabled } = worlds());
      registry = enabled.client;
    });

    it('answers /v2/ as a distribution registry', async () => {
      const answer = await registry.request('GET', '/v2/');
      expect(answer.status).toBe(200);
      expect(answer.headers['docker-distribution-api-version']).toBe('registry/2.0');
    });

    it('names a manifest by the sha256 of its bytes, under every tag that points to it', async () => {
      const pushed = await pushImage(enabled, 'contract/digests', 'a');
      const again = await pushImage(enabled, 'contract/digests', 'b', { unique: 'contract/digests:a' });
      expect(again.digest).toBe(pushed.digest);
      expect(await manifestDigest(registry, 'contract/digests', 'a')).toBe(pushed.digest);
      expect(await manifestDigest(registry, 'contract/digests', 'b')).toBe(pushed.digest);
      const byDigest = await registry.request('GET', `/v2/contract/digests/manifests/${pushed.digest}`, MANIFEST_ACCEPT);
      expect(byDigest.status).toBe(200);
      expect(sha256(Buffer.from(byDigest.text))).toBe(pushed.digest);
      expect(byDigest.headers['content-type']).toBe(MEDIA_TYPES.dockerManifest);
      expect(await manifestDigest(registry, 'contract/digests', 'c')).toBeNull();
      const unknown = await registry.request('GET', '/v2/contract/digests/manifests/c', MANIFEST_ACCEPT);
      expect([unknown.status, codes(unknown.json)]).toEqual([404, ['MANIFEST_UNKNOWN']]);
    });

    it('rewrites a schema2 manifest asked by tag without its media type to schema1, under another digest', async () => {
      const pushed = await pushImage(enabled, 'contract/schema1', 'old-client');
      const byTag = await registry.request('GET', '/v2/contract/schema1/manifests/old-client');
      expect(byTag.status).toBe(200);
      expect(byTag.headers['content-type']).toBe(SCHEMA1_SIGNED);
      expect(byTag.headers['docker-content-digest']).not.toBe(pushed.digest);
      // Asked by digest, the manifest cannot change: it comes as pushed.
      const byDigest = await registry.request('GET', `/v2/contract/schema1/manifests/${pushed.digest}`);
      expect([byDigest.status, byDigest.headers['content-type'], byDigest.headers['docker-content-digest']]).toEqual([200, MEDIA_TYPES.dockerManifest, pushed.digest]);
      // A config without a history step for its layer cannot be rewritten.
      await pushImage(enabled, 'contract/schema1', 'no-history', { noHistory: true });
      const refused = await registry.request('GET', '/v2/contract/schema1/manifests/no-history');
      expect([refused.status, codes(refused.json)]).toEqual([400, ['MANIFEST_INVALID']]);
    });

    it('serves a manifest list whole to a client that asks for it, and its linux/amd64 image to one that does not', async () => {
      const amd64 = await pushImage(enabled, 'contract/multi', 'amd64', { created: '2024-03-01T00:00:00Z' });
      const arm64 = await pushImage(enabled, 'contract/multi', 'arm64', { architecture: 'arm64', created: '2024-03-02T00:00:00Z' });
      const list = await pushIndex(enabled, 'contract/multi', 'latest', [{ ...arm64, architecture: 'arm64' }, { ...amd64, architecture: 'amd64' }], MEDIA_TYPES.dockerList);
      const whole = await registry.request('GET', '/v2/contract/multi/manifests/latest', MANIFEST_ACCEPT);
      expect([whole.status, whole.headers['content-type'], whole.headers['docker-content-digest']]).toEqual([200, MEDIA_TYPES.dockerList, list]);
      const child = await registry.request('GET', '/v2/contract/multi/manifests/latest', [MEDIA_TYPES.dockerManifest]);
      expect([child.status, child.headers['content-type'], child.headers['docker-content-digest']]).toEqual([200, MEDIA_TYPES.dockerManifest, amd64.digest]);
      expect(await imageCreated(registry, 'contract/multi', 'latest')).toBe('2024-03-01T00:00:00Z');
    });

    it('serves OCI manifests and indexes only to a client that accepts them', async () => {
      const image = await pushImage(enabled, 'contract/oci', 'image', { oci: true });
      const index = await pushIndex(enabled, 'contract/oci', 'index', [{ ...image, architecture: 'amd64' }], MEDIA_TYPES.ociIndex);
      for (const [tag, digest, mediaType] of [['image', image.digest, MEDIA_TYPES.ociManifest], ['index', index, MEDIA_TYPES.ociIndex]] as const) {
        const refused = await registry.request('GET', `/v2/contract/oci/manifests/${tag}`, [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerList]);
        expect([refused.status, codes(refused.json)], tag).toEqual([404, ['MANIFEST_UNKNOWN']]);
        const served = await registry.request('GET', `/v2/contract/oci/manifests/${tag}`, MANIFEST_ACCEPT);
        expect([served.status, served.headers['content-type'], served.headers['docker-content-digest']], tag).toEqual([200, mediaType, digest]);
      }
      expect(await imageCreated(registry, 'contract/oci', 'index')).toBe('2024-02-14T10:00:00Z');
    });

    it('serves a blob only in a repository it was pushed to', async () => {
      const pushed = await pushImage(enabled, 'contract/blobs', 'one');
      const head = await registry.request('HEAD', `/v2/contract/blobs/blobs/${pushed.config}`);
      expect([head.status, head.headers['docker-content-digest']]).toEqual([200, pushed.config]);
      const get = await registry.request('GET', `/v2/contract/blobs/blobs/${pushed.config}`);
      expect(sha256(Buffer.from(get.text))).toBe(pushed.config);
      const unknown = await registry.request('GET', `/v2/contract/blobs/blobs/sha256:${'0'.repeat(64)}`);
      expect([unknown.status, codes(unknown.json)]).toEqual([404, ['BLOB_UNKNOWN']]);
      await pushImage(enabled, 'contract/elsewhere', 'one', { unique: 'elsewhere' });
      expect((await registry.request('HEAD', `/v2/contract/elsewhere/blobs/${pushed.config}`)).status).toBe(404);
    });

    it('lists tags whole and sorted, and says when a repository is unknown', async () => {
      for (const tag of ['v2', 'v1', 'latest']) await pushImage(enabled, 'contract/tags', tag);
      expect(await listTags(registry, 'contract/tags')).toEqual({ found: true, tags: ['latest', 'v1', 'v2'] });
      // Registry 2.8 does not page tag lists (Docker Hub and distribution 3 do): n is ignored, no Link.
      const asked = await registry.request('GET', '/v2/contract/tags/tags/list?n=1');
      expect([asked.json, asked.headers.link]).toEqual([{ name: 'contract/tags', tags: ['latest', 'v1', 'v2'] }, undefined]);
      const unknown = await registry.request('GET', '/v2/contract/never-pushed/tags/list');
      expect([unknown.status, codes(unknown.json)]).toEqual([404, ['NAME_UNKNOWN']]);
      expect(await listTags(registry, 'contract/never-pushed')).toEqual({ found: false, reason: 'unknown' });
    });

    it('pages the catalog with n, last and a Link header to the next page', async () => {
      for (const name of ['contract/page-a', 'contract/page-b', 'contract/page-c']) await pushImage(enabled, name, 'latest');
      const first = await registry.request('GET', '/v2/_catalog?n=1');
      expect((first.json as { repositories: string[] }).repositories).toHaveLength(1);
      const name = (first.json as { repositories: string[] }).repositories[0]!;
      expect(first.headers.link).toBe(`</v2/_catalog?last=${encodeURIComponent(name)}&n=1>; rel="next"`);
      const second = await registry.request('GET', nextPage(first.headers.link)!);
      expect((second.json as { repositories: string[] }).repositories[0]! > name).toBe(true);
      const all = await listRepositories(registry, 2);
      expect(all).toEqual([...all].sort());
      expect(all).toEqual(expect.arrayContaining(['contract/page-a', 'contract/page-b', 'contract/page-c']));
      const tail = await registry.request('GET', `/v2/_catalog?n=1000&last=${encodeURIComponent(all.at(-2)!)}`);
      expect([(tail.json as { repositories: string[] }).repositories, tail.headers.link]).toEqual([[all.at(-1)], undefined]);
    });

    it('deletes a manifest by digest with every tag on it; "tags": null once none is left; the name stays listed', async () => {
      const shared = await pushImage(enabled, 'contract/delete', 'a');
      await pushImage(enabled, 'contract/delete', 'b', { unique: 'contract/delete:a' });
      const other = await pushImage(enabled, 'contract/delete', 'c');
      const deleted = await registry.request('DELETE', `/v2/contract/delete/manifests/${shared.digest}`);
      expect(deleted.status).toBe(202);
      expect(await listTags(registry, 'contract/delete')).toEqual({ found: true, tags: ['c'] });
      const gone = await registry.request('GET', `/v2/contract/delete/manifests/${shared.digest}`, MANIFEST_ACCEPT);
      expect([gone.status, codes(gone.json)]).toEqual([404, ['MANIFEST_UNKNOWN']]);
      const twice = await registry.request('DELETE', `/v2/contract/delete/manifests/${shared.digest}`);
      expect([twice.status, codes(twice.json)]).toEqual([404, ['MANIFEST_UNKNOWN']]);
      expect((await registry.request('DELETE', `/v2/contract/delete/manifests/${other.digest}`)).status).toBe(202);
      const empty = await registry.request('GET', '/v2/contract/delete/tags/list');
      expect([empty.status, empty.json]).toEqual([200, { name: 'contract/delete', tags: null }]);
      expect(await listRepositories(registry)).toContain('contract/delete');
      expect(await deletionEnabled(registry, 'contract/delete')).toEqual({ enabled: true, answer: 'HTTP 404 MANIFEST_UNKNOWN' });
    });

    it('refuses every DELETE with 405 UNSUPPORTED when deletion is disabled', async () => {
      const pushed = await pushImage(disabled, 'contract/kept', 'a');
      const refused = await disabled.client.request('DELETE', `/v2/contract/kept/manifests/${pushed.digest}`);
      expect([refused.status, codes(refused.json)]).toEqual([405, ['UNSUPPORTED']]);
      expect(await listTags(disabled.client, 'contract/kept')).toEqual({ found: true, tags: ['a'] });
      expect(await deletionEnabled(disabled.client, 'contract/kept')).toEqual({ enabled: false, answer: 'HTTP 405 UNSUPPORTED' });
    });

    it("collects a deleted image's blobs, still answered from the cache until the registry restarts", async () => {
      const pushed = await pushImage(enabled, 'contract/gc', 'old');
      const kept = await pushImage(enabled, 'contract/gc', 'kept');
      expect((await registry.request('DELETE', `/v2/contract/gc/manifests/${pushed.digest}`)).status).toBe(202);
      const blob = (digest: string) => registry.request('HEAD', `/v2/contract/gc/blobs/${digest}`).then((answer) => answer.status);
      expect(await blob(pushed.config)).toBe(200);
      await enabled.garbageCollect();
      expect(await blob(pushed.config)).toBe(200);
      await enabled.restart();
      expect(await blob(pushed.config)).toBe(404);
      expect(await blob(kept.config)).toBe(200);
    });
  });
}
