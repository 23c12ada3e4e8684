import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallestFileFact } from '../../src/facts/smallest-file.js';
import { workdirFiles } from '../../src/files/workdir.js';
import { backupFolder, backupName } from '../../src/probes/backup-folder.js';
import { exportArchive } from '../../src/probes/export-archive.js';
import { imageArchive } from '../../src/probes/image-archive.js';
import { ProbeSchema } from '../../src/probes/index.js';
import { registryGarbageCollected } from '../../src/probes/registry-garbage-collected.js';
import type { EngineClient } from '../../src/engine/types.js';
import type { ProbeClients } from '../../src/probes/types.js';
import { tempDir } from '../tmp.js';
import { clients, fakeEngine } from './fake-engine.js';
import { FakeRegistry } from './fake-registry.js';
import { MEDIA_TYPES } from '../../src/registry/api.js';
import { compress, emptyEntriesTar, exportOf, imageOf, legacySave, ociDigests, ociDocuments, ociSave, sha256, syntheticImage, tarOf } from '../fixtures/archives/build.js';

// The archive probes with a fake engine and a real (temporary, confined) workdir holding generated archives.

const image = await syntheticImage(['nginx:alpine']);
const other = await syntheticImage(['nginx:latest']);
other.config = Buffer.from(other.config.toString().replace('"amd64"', '"arm64"'));
const save = await legacySave(image);
const engine = fakeEngine({
  'nginx:alpine': { Id: sha256(image.config), RootFS: { Type: 'layers', Layers: image.layers.map(sha256) } },
  'localhost/mon-site:1.0': { Id: sha256(image.config) },
});

function workdirWith(files: Record<string, Buffer | string>, withEngine: EngineClient = engine): ProbeClients {
  const root = tempDir('probe-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { ...clients(withEngine), workdir: root, files: workdirFiles(root) };
}

const saveSpec = (compression: string, path = 'nginx-save.tar') =>
  ProbeSchema.parse({ kind: 'image-archive', path, image: 'nginx:alpine', compression }) as Parameters<typeof imageArchive.run>[0];

describe('image-archive', () => {
  it('passes for a save of the image, compressed as asked', async () => {
    const result = await imageArchive.run(saveSpec('xz', 'a.tar.xz'), workdirWith({ 'a.tar.xz': compress(save, 'xz') }));
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.message.en).toBe('a.tar.xz is a complete save of nginx:alpine: 2 layer(s) verified.');
  });

  it('names what a file really is when its content does not match its name', async () => {
    const result = await imageArchive.run(saveSpec('gzip', 'a.tar.gz'), workdirWith({ 'a.tar.gz': compress(save, 'bzip2') }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('By its content, a.tar.gz is bzip2-compressed, not gzip');
    expect(result.message.fr).toContain("D'après son contenu, a.tar.gz est compressé en bzip2");
  });

  it('tells an export offered as a save', async () => {
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': await exportOf() }));
    expect(result.message.en).toContain('nginx-save.tar is a container export');
  });

  it('tells another image saved under the expected name', async () => {
    const elsewhere = imageOf([await tarOf([{ name: 'etc/motd', content: 'another image' }])], ['nginx:latest']);
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': await legacySave(elsewhere) }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe(`nginx-save.tar holds image ${sha256(elsewhere.config).slice(7, 19)} (nginx:latest), not nginx:alpine (${sha256(image.config).slice(7, 19)} on your engine).`);
  });

  it('tells an image with the same layers but another ID (a rebuild, a commit)', async () => {
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': await legacySave(other) }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/nginx-save.tar holds an image with the same layers as nginx:alpine, but another ID \([0-9a-f]{12}, not [0-9a-f]{12}\)/);
  });

  it('tells a save without the tag (saved by ID)', async () => {
    const untagged = await legacySave({ ...image, repoTags: [] });
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': untagged }));
    expect(result.message.en).toContain('without the name nginx:alpine');
  });

  it('turns every verdict into a message: missing, truncated, not a tar', async () => {
    expect((await imageArchive.run(saveSpec('none'), workdirWith({}))).message.en).toBe('nginx-save.tar is not in your working directory.');
    const cut = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': save.subarray(0, 3000) }));
    expect(cut.message.en).toContain('nginx-save.tar is truncated');
    const garbage = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': 'not an archive at all' }));
    expect(garbage.message.en).toContain('nginx-save.tar is not a tar archive');
    const crowded = emptyEntriesTar(['manifest.json', ...Array.from({ length: 10_000 }, (_, i) => `blobs/sha256/${i}`)]);
    const many = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': crowded }));
    expect(many).toMatchObject({ status: 'fail', actual: expect.stringMatching(/^too-many-entries: more than 10000 entries/) });
    expect(many.message.en).toContain('nginx-save.tar holds far too many entries for an image save or a container export: reading stopped');
  });

  it('fails when the image is not on the engine any more', async () => {
    const spec = { ...saveSpec('none'), image: 'nginx:1.25' };
    const result = await imageArchive.run(spec, workdirWith({ 'nginx-save.tar': save }));
    expect(result.message.en).toContain('nginx:1.25 is not on your Docker engine');
  });
});

// The containerd image store (default on new engine 29 installs) names an image by its manifest digest, or its
// index digest for a multi-platform image, not by its config digest; its saves keep layer blobs compressed.
const containerd = { compressLayers: 'gzip' } as const;
const multiPlatform = { compressLayers: 'gzip', platformIndex: true } as const;
const diffIds = image.layers.map(sha256);

function containerdEngine(id: string, layers = diffIds, more: Record<string, unknown> = {}): EngineClient {
  return fakeEngine({ 'nginx:alpine': { Id: id, RootFS: { Type: 'layers', Layers: layers }, ...more } });
}

describe('image-archive against a containerd image store', () => {
  it('passes when the engine knows the image by its manifest digest', async () => {
    const files = { 'nginx-save.tar': await ociSave(image, containerd) };
    const result = await imageArchive.run(saveSpec('none'), workdirWith(files, containerdEngine(ociDigests(image, containerd).manifest)));
    expect(result).toMatchObject({ status: 'pass', actual: expect.stringContaining(`save of ${ociDigests(image, containerd).manifest.slice(7, 19)} (nginx:alpine)`) });
  });

  it('passes when the engine knows it by its index digest (a multi-platform image)', async () => {
    const files = { 'nginx-save.tar': compress(await ociSave(image, multiPlatform), 'gzip') };
    const result = await imageArchive.run(saveSpec('gzip'), workdirWith(files, containerdEngine(ociDigests(image, multiPlatform).index!)));
    expect(result.status).toBe('pass');
  });

  it('fails when the ID matches but the layers are not those the engine has (another platform)', async () => {
    const files = { 'nginx-save.tar': await ociSave(image, multiPlatform) };
    const engine = containerdEngine(ociDigests(image, multiPlatform).index!, [diffIds[0]!, sha256(Buffer.from('arm64 layer'))]);
    const result = await imageArchive.run(saveSpec('none'), workdirWith(files, engine));
    expect(result.status).toBe('fail');
    expect(result.message.en).toMatch(/nginx-save.tar carries the ID of nginx:alpine \([0-9a-f]{12}\), but not the layers it has on your engine \(2 layer\(s\) against 2\): another platform\?/);
  });

  it('the same branch catches a config digest that matches with other layers', async () => {
    const engine = containerdEngine(sha256(image.config), diffIds.slice(0, 1));
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': save }, engine));
    expect(result.message.en).toContain('but not the layers it has on your engine (2 layer(s) against 1)');
  });

  it("does not take a classic save's config digest for the containerd store's ID", async () => {
    const result = await imageArchive.run(saveSpec('none'), workdirWith({ 'nginx-save.tar': save }, containerdEngine(ociDigests(image, containerd).manifest)));
    expect(result.message.en).toContain('holds an image with the same layers as nginx:alpine, but another ID');
  });
});

describe('registry-garbage-collected against a containerd image store', async () => {
  const gc = { kind: 'registry-garbage-collected' as const, image: 'nginx:1.25', repository: 'nginx' };
  const { manifest } = ociDigests(image, containerd);
  const config = sha256(image.config);
  // Pushed as localhost:5000/nginx:old, then deleted: the engine's ID is the pushed manifest's digest.
  const engine = fakeEngine({ 'nginx:1.25': { Id: manifest, RepoDigests: [`localhost:5000/nginx@${manifest}`], RootFS: { Type: 'layers', Layers: diffIds }, save: await ociSave(image, containerd) } });
  const withRegistry = (registry: FakeRegistry): ProbeClients => ({ ...clients(engine), registry });
  /** The registry after `docker push localhost:5000/nginx:old` from that store, then a DELETE of its manifest. */
  async function pushedThenDeleted(): Promise<FakeRegistry> {
    const registry = new FakeRegistry({ deleteEnabled: true });
    const documents = ociDocuments(image, containerd);
    for (const blob of [...documents.blobs, image.config]) registry.pushBlob('nginx', blob);
    expect(registry.pushManifest('nginx', 'old', MEDIA_TYPES.ociManifest, documents.manifest)).toBe(manifest);
    expect((await registry.request('DELETE', `/v2/nginx/manifests/${manifest}`)).status).toBe(202);
    return registry;
  }

  it('fails while the config blob is still served, though no blob is named after the image ID', async () => {
    const registry = await pushedThenDeleted();
    const result = await registryGarbageCollected.run(gc, withRegistry(registry));
    expect(result).toMatchObject({ status: 'fail', actual: `blob ${config.slice(0, 19)}… still served` });
    expect(registry.requests).toContain(`HEAD /v2/nginx/blobs/${config}`);
  });

  it('passes once the config blob is gone: collected, and the registry restarted', async () => {
    const registry = await pushedThenDeleted();
    registry.garbageCollect();
    // The in-memory descriptor cache still answers for the blob until the registry restarts.
    expect((await registryGarbageCollected.run(gc, withRegistry(registry))).status).toBe('fail');
    registry.restart();
    const result = await registryGarbageCollected.run(gc, withRegistry(registry));
    expect(result).toMatchObject({ status: 'pass', actual: `blob ${config.slice(0, 19)}… gone` });
  });
});

describe('export-archive', () => {
  const spec = { kind: 'export-archive' as const, path: 'container-export.tar' };
  it('passes for a container export', async () => {
    expect((await exportArchive.run(spec, workdirWith({ 'container-export.tar': await exportOf() }))).status).toBe('pass');
  });
  it('tells a save offered as an export', async () => {
    const result = await exportArchive.run(spec, workdirWith({ 'container-export.tar': save }));
    expect(result.message.en).toContain('container-export.tar is an image save (docker save of nginx:alpine: manifest.json and 2 layer(s))');
  });
  it('tells a tar holding a bare .dockerenv (the cheapest imitation) from an export', async () => {
    const bare = await tarOf([{ name: '.dockerenv', content: '' }, { name: 'etc/', type: 'directory' }, { name: 'etc/hostname', content: '' }]);
    const result = await exportArchive.run(spec, workdirWith({ 'container-export.tar': bare }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toBe('container-export.tar holds /.dockerenv, but not the folders Docker makes in every container (missing: /dev, /proc, /sys): it is not a container exported by Docker.');
  });
  it('tells a flat tree that no container exported', async () => {
    const { tarOf } = await import('../fixtures/archives/build.js');
    const tree = await tarOf([{ name: 'bin/sh', content: 'x' }, { name: 'etc/passwd', content: 'x' }]);
    expect((await exportArchive.run(spec, workdirWith({ 'container-export.tar': tree }))).message.en).toContain('without /.dockerenv');
  });
});

describe('backup-folder', () => {
  const spec = ProbeSchema.parse({ kind: 'backup-folder', script: 'backup-images.sh', images: ['localhost/mon-site:1.0'] }) as Parameters<typeof backupFolder.run>[0];
  const tagged = legacySave({ ...image, repoTags: ['localhost/mon-site:1.0'] });

  it('names archives as the course script does', () => {
    expect(backupName('localhost/mon-site:1.0', '20240101-120000')).toBe('localhost_mon-site_1.0_20240101-120000.tar.gz');
  });

  it('passes when the newest index has every archive, each a gzip save of its image', async () => {
    const result = await backupFolder.run(spec, workdirWith({
      'backup-images.sh': '#!/bin/bash\n',
      'docker-backups/images_20240101-000000.txt': 'localhost/old:1\n',
      'docker-backups/images_20240102-000000.txt': 'localhost/mon-site:1.0\n',
      'docker-backups/localhost_mon-site_1.0_20240102-000000.tar.gz': compress(await tagged, 'gzip'),
    }));
    expect(result).toMatchObject({ status: 'pass', actual: 'images_20240102-000000.txt: localhost/mon-site:1.0' });
  });

  it('fails without the script, without an index, or when an image is left out', async () => {
    expect((await backupFolder.run(spec, workdirWith({}))).message.en).toContain('The script backup-images.sh is not in your working directory');
    expect((await backupFolder.run(spec, workdirWith({ 'backup-images.sh': '' }))).message.en).toContain('No images_<date>.txt index');
    const leftOut = await backupFolder.run(spec, workdirWith({ 'backup-images.sh': '', 'docker-backups/images_1.txt': 'localhost/other:1\n' }));
    expect(leftOut.message.en).toContain('images_1.txt does not list localhost/mon-site:1.0');
  });

  it('lists every archive that is missing, uncompressed or of another image', async () => {
    const result = await backupFolder.run(spec, workdirWith({
      'backup-images.sh': '',
      'docker-backups/images_2.txt': 'localhost/mon-site:1.0\nlocalhost/b:1\nlocalhost/c:1\n',
      'docker-backups/localhost_mon-site_1.0_2.tar.gz': await tagged,
      'docker-backups/localhost_b_1_2.tar.gz': compress(await tagged, 'gzip'),
    }));
    expect(result.status).toBe('fail');
    expect(result.message.en).toContain('localhost_mon-site_1.0_2.tar.gz is not gzip-compressed (content: tar (uncompressed))');
    expect(result.message.en).toContain('localhost_b_1_2.tar.gz does not hold localhost/b:1 (it holds: localhost/mon-site:1.0)');
    expect(result.message.en).toContain('localhost_c_1_2.tar.gz is missing');
  });
});

describe('smallest-file fact', () => {
  const spec = { kind: 'smallest-file' as const, files: [{ path: 'a.gz', answer: 'gzip' }, { path: 'a.xz', answer: 'xz' }] };
  it('answers with the smallest file, sizes read from disk', async () => {
    expect(await smallestFileFact.read(spec, workdirWith({ 'a.gz': 'x'.repeat(10), 'a.xz': 'x'.repeat(5) }))).toEqual({ value: 'xz', synonyms: ['a.xz', 'xz', '.xz'] });
    expect(await smallestFileFact.read(spec, workdirWith({ 'a.gz': 'x', 'a.xz': 'x'.repeat(5) }))).toEqual({ value: 'gzip', synonyms: ['a.gz', 'gz', '.gz'] });
  });
  it('cannot answer before the files exist', async () => {
    expect(await smallestFileFact.read(spec, workdirWith({ 'a.gz': 'x' }))).toEqual({ value: null, missing: { fr: 'a.xz absent(s) de votre dossier de travail', en: 'a.xz not in your working directory' } });
  });
});
