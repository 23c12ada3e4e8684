import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, readArchive, readImageArchive, type ArchiveVerdict, type ReadOptions } from '../../src/archive/index.js';
import { scanArchive } from '../../src/archive/scan.js';
import { compress, emptyEntriesTar, exportOf, imageOf, legacySave, ociSave, syntheticImage, tarOf, type Entry } from '../fixtures/archives/build.js';

// Hostile and broken archives: each gets its verdict as an ArchiveError, never a crash, a hang or a write.

function streamOf(bytes: Buffer, chunk = 4096): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
  })());
}

async function verdictOf(bytes: Buffer | Readable, options?: ReadOptions): Promise<{ verdict: ArchiveVerdict; message: string }> {
  const error = await readImageArchive(Buffer.isBuffer(bytes) ? streamOf(bytes) : bytes, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ArchiveError)) throw new Error(`expected an ArchiveError, got ${String(error)}`);
  return { verdict: error.verdict, message: error.message };
}

/** A valid legacy save with extra entries appended before manifest.json. */
async function saveWith(extra: Entry[]): Promise<Buffer> {
  const image = await syntheticImage();
  const manifest = { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l/layer.tar'] }]) };
  return tarOf([...extra, { name: 'l/layer.tar', content: image.layers[0]! }, { name: 'c.json', content: imageOf([image.layers[0]!], []).config }, manifest]);
}

describe('hostile archives', () => {
  const marker = `tp7-archive-test-${process.pid}`;

  it('refuses entries with .. in their path, and writes nothing', async () => {
    const result = await verdictOf(await saveWith([{ name: `../../../../tmp/${marker}`, content: 'pwned' }]));
    expect(result.verdict).toBe('unsafe-path');
    expect(result.message).toContain(`../../../../tmp/${marker}`);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it('refuses absolute entry paths', async () => {
    expect((await verdictOf(await saveWith([{ name: `/tmp/${marker}`, content: 'pwned' }]))).verdict).toBe('unsafe-path');
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it('refuses links that lead out of the archive', async () => {
    expect((await verdictOf(await saveWith([{ name: 'evil', type: 'symlink', linkname: '/etc/passwd' }]))).verdict).toBe('unsafe-path');
    expect((await verdictOf(await saveWith([{ name: 'a/evil', type: 'symlink', linkname: '../../etc' }]))).verdict).toBe('unsafe-path');
    expect((await verdictOf(await saveWith([{ name: 'evil', type: 'link', linkname: '../outside' }]))).verdict).toBe('unsafe-path');
  });

  it('refuses a layer whose files escape the image filesystem when listing', async () => {
    const layer = await tarOf([{ name: '../escape', content: 'x' }]);
    const save = await legacySave(imageOf([layer], ['x:1']));
    expect(await readImageArchive(streamOf(save))).toBeTruthy();
    expect((await verdictOf(save, { listEntries: true })).verdict).toBe('unsafe-path');
  });

  it('stops a gzip bomb at the default cap (1 GiB, or 20 × what was read)', { timeout: 30_000 }, async () => {
    // 1.5 GiB of zeros in one tar entry compress to about 1.5 MB: far past 20 ×.
    const header = (await tarOf([{ name: 'zeros', content: Buffer.alloc(1) }])).subarray(0, 512);
    header.write('14000000000\0', 124, 'latin1'); // size field (12 bytes), octal 1.5 GiB; checksum fixed below
    header.fill(' ', 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    // gzip members concatenate into one stream: one small member of 16 MiB of zeros, repeated.
    const zeros = Buffer.alloc(1 << 24);
    const member = gzipSync(zeros);
    const compressed = [gzipSync(Buffer.concat([header, zeros])), ...Array.from({ length: 95 }, () => member)];
    const bomb = Buffer.concat(compressed);
    expect(bomb.length).toBeLessThan(10_000_000);
    const result = await verdictOf(bomb);
    expect(result.verdict).toBe('too-large');
    expect(result.message).toMatch(/decompression bomb/);
  });

  it('counts compressed layers against the cap too', async () => {
    const layer = await tarOf([{ name: 'zeros', content: Buffer.alloc(4 << 20) }]);
    const save = await ociSave(imageOf([layer], ['x:1']), { compressLayers: 'zstd' });
    expect((await verdictOf(save, { maxUncompressedBytes: 1 << 20 })).verdict).toBe('too-large');
    expect((await readImageArchive(streamOf(save), { maxUncompressedBytes: 8 << 20 })).layers[0]!.size).toBe(layer.length);
  });

  it('caps the entries of a save, of any archive, and of the layer listings, each on its own', async () => {
    const many = await saveWith(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: 'x' })));
    expect(await readImageArchive(streamOf(many), { maxSaveEntries: 60, maxEntries: 60, maxLayerEntries: 8 })).toBeTruthy();
    expect(await verdictOf(many, { maxSaveEntries: 20 })).toMatchObject({ verdict: 'too-many-entries', message: expect.stringMatching(/more than 20 entries in what looks like a docker save/) });
    expect(await verdictOf(many, { maxEntries: 20 })).toMatchObject({ verdict: 'too-many-entries', message: expect.stringMatching(/more than 20 entries: too many for an image or a container's filesystem/) });
    // The first layer of the synthetic image holds 8 entries: listing them counts apart from the archive's 53.
    expect(await verdictOf(many, { listEntries: true, maxLayerEntries: 7 })).toMatchObject({ verdict: 'too-many-entries', message: expect.stringMatching(/more than 7 files listed in the layers/) });
  });
});

describe('archives with a huge number of empty entries', () => {
  const names = Array.from({ length: 50_000 }, (_, i) => `f${i}`);
  const timed = async (bytes: Buffer) => {
    const packed = compress(bytes, 'gzip'); // 50,000 headers: 25 MB of tar, 0.4 MB of gzip
    const started = performance.now();
    const result = await verdictOf(packed);
    return { ...result, ms: performance.now() - started };
  };

  it('stops a save-shaped archive at 10,000 entries, long before its end', async () => {
    const manifest = { name: 'manifest.json', content: '[]' };
    const result = await timed(Buffer.concat([(await tarOf([manifest])).subarray(0, 1024), emptyEntriesTar(names)]));
    expect(result).toMatchObject({ verdict: 'too-many-entries', message: expect.stringContaining('more than 10000 entries in what looks like a docker save') });
    expect(result.ms).toBeLessThan(2000); // about 250 ms here (2 busy cores)
  });

  it('refuses a manifest.json that comes after 50,000 entries, with bounded time', async () => {
    const result = await timed(emptyEntriesTar([...names, 'manifest.json']));
    expect(result).toMatchObject({ verdict: 'too-many-entries', message: expect.stringContaining('more than 10000 entries in what looks like a docker save') });
    expect(result.ms).toBeLessThan(5000); // about 500 ms here
  });

  it('keeps no record per entry past what a save could use', async () => {
    const scan = await scanArchive(streamOf(emptyEntriesTar(names), 1 << 16));
    expect(scan.entryCount).toBe(50_000);
    expect(scan.records.size).toBe(0);
    expect(scan.topLevel.size).toBe(1000); // a sample of top-level names is enough to describe an export
  });

  it('still describes a big filesystem export (more entries than any save) as an export', async () => {
    const tree = emptyEntriesTar(['.dockerenv', 'bin/', 'etc/', 'usr/', ...names.map((name) => `usr/share/${name}`)]);
    const description = await readArchive(streamOf(tree, 1 << 16));
    expect(description).toMatchObject({ kind: 'export', export: { entryCount: 50_004, hasDockerenv: true, topLevel: ['.dockerenv', 'bin', 'etc', 'usr'] } });
  });
});

describe('broken archives', async () => {
  const image = await syntheticImage();
  const save = await legacySave(image);

  it('says truncated for a tar cut in the middle of an entry', async () => {
    expect((await verdictOf(save.subarray(0, Math.floor(save.length / 2)))).verdict).toBe('truncated');
  });

  it('says truncated for a tar cut between entries (no end marker)', async () => {
    const whole = await tarOf([{ name: 'a', content: 'a' }, { name: 'b', content: 'b' }]);
    expect((await verdictOf(whole.subarray(0, 1024))).verdict).toBe('truncated');
  });

  it('says truncated for every compression cut short', async () => {
    for (const format of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
      const packed = compress(save, format);
      const result = await verdictOf(packed.subarray(0, Math.floor(packed.length * 0.6)));
      expect([format, result.verdict]).toEqual([format, 'truncated']);
    }
  });

  it('says corrupt for damaged gzip and xz data', async () => {
    for (const format of ['gzip', 'xz'] as const) {
      const damaged = Buffer.from(compress(save, format));
      for (let at = 200; at < 260; at++) damaged[at] = damaged[at]! ^ 0x5a;
      const result = await verdictOf(damaged);
      expect([format, result.verdict]).toEqual([format, 'corrupt']);
    }
  });

  it('says corrupt for a damaged tar header', async () => {
    const damaged = Buffer.from(save);
    damaged[512 * 3 + 10] = 0x41; // inside the name field of a later header: its checksum no longer matches
    const result = await verdictOf(damaged);
    expect(['corrupt', 'truncated']).toContain(result.verdict);
  });

  it('says not-a-tar for random bytes, an empty file, and compressed garbage', async () => {
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
    expect((await verdictOf(random)).verdict).toBe('not-a-tar');
    expect((await verdictOf(Buffer.alloc(0))).verdict).toBe('not-a-tar');
    const doubly = await verdictOf(compress(compress(save, 'gzip'), 'xz'));
    expect(doubly).toMatchObject({ verdict: 'not-a-tar' });
    expect(doubly.message).toContain('compressed twice');
    expect((await verdictOf(compress(random, 'gzip'))).verdict).toBe('not-a-tar');
  });

  it('says export-not-save for a docker export offered as a save', async () => {
    const result = await verdictOf(compress(await exportOf(), 'gzip'));
    expect(result.verdict).toBe('export-not-save');
    expect(result.message).toContain('.dockerenv');
  });

  it('says corrupt when a layer no longer matches the config (an altered archive)', async () => {
    const tampered = { ...image, layers: [image.layers[0]!, await tarOf([{ name: 'etc/motd', content: 'evil' }])] };
    const forged = await legacySave({ ...tampered, config: image.config });
    const result = await verdictOf(forged);
    expect(result.verdict).toBe('corrupt');
    expect(result.message).toMatch(/layer 2 does not match the image config/);
  });

  it('says corrupt when a blob does not hash to its name', async () => {
    const oci = await ociSave(image);
    const text = oci.toString('latin1');
    const at = text.indexOf('etc/motd') + 600; // the content of etc/motd in the first layer blob
    const altered = Buffer.from(oci);
    altered[at] = altered[at]! ^ 1;
    expect((await verdictOf(altered)).verdict).toBe('corrupt');
  });

  it('says corrupt when the image index index.json leads to does not hash to its name', async () => {
    const oci = await ociSave(image, { compressLayers: 'gzip', platformIndex: true });
    const at = oci.indexOf('"architecture":"arm64"');
    const altered = Buffer.from(oci);
    altered.write('"architecture":"arm65"', at, 'latin1');
    expect(await verdictOf(altered)).toMatchObject({ verdict: 'corrupt', message: expect.stringMatching(/^blob sha256:[0-9a-f]{64} does not hash to its name/) });
  });

  it('says corrupt when manifest.json names a layer the archive lacks', async () => {
    const manifest = { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: ['missing/layer.tar'] }]) };
    const result = await verdictOf(await tarOf([{ name: 'c.json', content: image.config }, manifest]));
    expect(result).toMatchObject({ verdict: 'corrupt' });
    expect(result.message).toContain('missing/layer.tar');
  });

  it('leaves no decoder process behind when a read stops half way', async () => {
    const big = await tarOf([{ name: 'data', content: Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 31) % 253)) }]);
    const oci = await ociSave(imageOf([big, big], ['x:1']), { compressLayers: 'zstd' });
    const cut = await verdictOf(oci.subarray(0, Math.floor(oci.length * 0.3)));
    expect(cut.verdict).toBe('truncated');
    const bomb = await verdictOf(compress(oci, 'xz'), { maxUncompressedBytes: 100_000 });
    expect(bomb.verdict).toBe('too-large');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const children = spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).stdout.toString();
    expect(children).not.toMatch(/zstd|xz|bzip2/);
  });

  it('says unsupported-compression when the system decoder is missing', async () => {
    const path = process.env.PATH;
    const packed = compress(save, 'bzip2');
    process.env.PATH = '/nonexistent';
    try {
      const result = await verdictOf(packed);
      expect(result.verdict).toBe('unsupported-compression');
      expect(result.message).toContain('bzip2');
    } finally {
      process.env.PATH = path;
    }
  });
});
