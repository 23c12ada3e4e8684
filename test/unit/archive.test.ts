import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArchiveError, readArchive, readImageArchive, sniffCompression, type ReadOptions } from '../../src/archive/index.js';
import { compress, exportOf, legacySave, ociDigests, ociSave, sha256, syntheticImage, tarOf } from '../fixtures/archives/build.js';

/** A stream of these bytes in small chunks, as a file or the engine would hand them. */
function streamOf(bytes: Buffer, chunk = 7000): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  })());
}

const read = (bytes: Buffer, options?: ReadOptions) => readImageArchive(streamOf(bytes), options);

describe('readImageArchive: the three docker save layouts', async () => {
  const image = await syntheticImage();
  const diffIds = image.layers.map(sha256);

  it('reads the legacy layout, finding layers through manifest.json written last', async () => {
    const archive = await read(await legacySave(image));
    expect(archive).toMatchObject({ layout: 'legacy', repoTags: ['tp7-test/synthetic:1.0'], configDigest: sha256(image.config), compression: 'none' });
    expect(archive.layers.map((layer) => layer.diffId)).toEqual(diffIds);
    expect(archive.layers.map((layer) => layer.size)).toEqual(image.layers.map((layer) => layer.length));
    expect(archive.config.rootfs?.diff_ids).toEqual(diffIds);
    expect(archive.layers[0]!.entries).toBeUndefined();
  });

  it('reads manifest.json written before the layers the same way', async () => {
    const archive = await read(await legacySave(image, { manifestFirst: true }));
    expect(archive.layers.map((layer) => layer.diffId)).toEqual(diffIds);
  });

  it('follows the symlink docker save writes for a repeated layer', async () => {
    const repeated = { ...image, layers: [image.layers[0]!, image.layers[0]!] };
    repeated.config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [diffIds[0], diffIds[0]] } }));
    const archive = await read(await legacySave(repeated, { linkRepeatedLayers: true }));
    expect(archive.layers.map((layer) => layer.diffId)).toEqual([diffIds[0], diffIds[0]]);
  });

  it('reads the OCI layout of engines 25+ (blobs named by digest)', async () => {
    const archive = await read(await ociSave(image));
    expect(archive).toMatchObject({ layout: 'oci', configDigest: sha256(image.config) });
    expect(archive.layers.map((layer) => [layer.diffId, layer.storedAs])).toEqual(diffIds.map((id) => [id, 'none']));
  });

  it('reads the containerd layout: compressed blobs, diff_ids hashed from the decompressed stream', async () => {
    for (const format of ['gzip', 'zstd'] as const) {
      const archive = await read(await ociSave(image, { compressLayers: format }));
      expect(archive.layout).toBe('containerd');
      expect(archive.layers.map((layer) => layer.diffId)).toEqual(diffIds);
      expect(archive.layers.every((layer) => layer.storedAs === format)).toBe(true);
      expect(archive.layers[0]!.size).toBe(image.layers[0]!.length);
    }
  });

  it('names each OCI image by the digests of the manifest and index that index.json leads to', async () => {
    expect(await read(await legacySave(image))).not.toHaveProperty('manifestDigest');
    const oci = await read(await ociSave(image));
    expect(oci).toMatchObject({ manifestDigest: ociDigests(image).manifest });
    expect(oci).not.toHaveProperty('indexDigest');
    const options = { compressLayers: 'gzip', platformIndex: true } as const;
    const digests = ociDigests(image, options);
    const containerd = await read(await ociSave(image, options));
    expect(containerd).toMatchObject({ layout: 'containerd', configDigest: sha256(image.config), manifestDigest: digests.manifest, indexDigest: digests.index });
    expect(new Set([digests.manifest, digests.index, containerd.configDigest]).size).toBe(3);
  });

  it('lists the files of every layer, whiteouts and opaque folders marked', async () => {
    for (const save of [await legacySave(image), await ociSave(image, { compressLayers: 'gzip' })]) {
      const archive = await read(save, { listEntries: true });
      const [base, top] = archive.layers;
      expect(base!.entries).toContainEqual({ path: 'bin/busybox', size: 5000, type: 'file', whiteout: false, opaque: false });
      expect(base!.entries).toContainEqual({ path: 'bin/sh', size: 0, type: 'symlink', whiteout: false, opaque: false });
      expect(top!.entries).toContainEqual({ path: 'etc/old.conf', size: 0, type: 'file', whiteout: true, opaque: false });
      expect(top!.entries).toContainEqual({ path: 'var/cache', size: 0, type: 'file', whiteout: false, opaque: true });
      expect(top!.entries).toContainEqual({ path: 'bin/ash', size: 0, type: 'hardlink', whiteout: false, opaque: false });
    }
  });

  it('accepts every outer compression docker load accepts, told by content', async () => {
    const save = await legacySave(image);
    for (const format of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
      const archive = await read(compress(save, format));
      expect(archive.compression).toBe(format);
      expect(archive.configDigest).toBe(sha256(image.config));
    }
  });

  it('reports progress in input bytes', async () => {
    const save = compress(await legacySave(image), 'gzip');
    const seen: number[] = [];
    await read(save, { onProgress: (bytes) => seen.push(bytes) });
    expect(seen.at(-1)).toBe(save.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('describes an export as a flat filesystem, and refuses it as a save', async () => {
    const description = await readArchive(streamOf(compress(await exportOf(), 'xz')));
    expect(description).toMatchObject({ kind: 'export', export: { compression: 'xz', hasDockerenv: true } });
    expect(description.kind === 'export' && description.export.topLevel).toEqual(['.dockerenv', 'bin', 'dev', 'etc', 'proc', 'sys', 'usr']);
    await expect(read(await exportOf())).rejects.toMatchObject({ verdict: 'export-not-save' });
  });

  it('refuses a tar without manifest.json that is no filesystem either', async () => {
    const error = await read(await tarOf([{ name: 'notes.txt', content: 'hi' }])).catch((e: ArchiveError) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect(error).toMatchObject({ verdict: 'not-a-save' });
  });
});

describe('sniffCompression', () => {
  it('tells formats apart by their first bytes', async () => {
    const tar = await tarOf([{ name: 'a', content: 'a' }]);
    expect(await sniffCompression(tar)).toBe('tar');
    expect(await sniffCompression(compress(tar, 'gzip'))).toBe('gzip');
    expect(await sniffCompression(streamOf(compress(tar, 'bzip2'), 3))).toBe('bzip2');
    expect(await sniffCompression(compress(tar, 'xz'))).toBe('xz');
    expect(await sniffCompression(compress(tar, 'zstd'))).toBe('zstd');
    expect(await sniffCompression(Buffer.from('hello world'))).toBe('unknown');
    expect(await sniffCompression(Buffer.alloc(0))).toBe('empty');
  });
});

describe('terminalProgress', () => {
  const terminal = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, out: { isTTY, columns: 60, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
  };

  it('shows one line per read on a terminal, and clears it when done', async () => {
    const { terminalProgress } = await import('../../src/archive/index.js');
    const { writes, out } = terminal(true);
    const progress = terminalProgress('nginx-save.tar', 1000, out);
    progress.onProgress(500);
    expect(writes.at(-1)).toContain('nginx-save.tar 50 %');
    progress.done();
    expect(writes.at(-1)).toBe('\u001b[2K\r');
  });

  it('prints nothing when stderr is not a terminal', async () => {
    const { terminalProgress } = await import('../../src/archive/index.js');
    const { writes, out } = terminal(false);
    const progress = terminalProgress('a.tar', 10, out);
    progress.onProgress(5);
    progress.done();
    expect(writes).toEqual([]);
  });
});
