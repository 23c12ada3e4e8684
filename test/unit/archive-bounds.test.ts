import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveError, readArchive, readImageArchive, type ReadOptions } from '../../src/archive/index.js';
import { scanArchive } from '../../src/archive/scan.js';
import { compress, legacySave, ociSave, syntheticImage, tarHeader } from '../fixtures/archives/build.js';
import { tempDir } from '../tmp.js';

// Where a reading stops: at tar's end-of-archive marker, at the bound a caller knows (the image's size), and
// when the caller gives up (a check's time limit). Huge inputs are generated lazily: nothing is held in memory.

const MiB = 1 << 20;
const ZEROS = Buffer.alloc(MiB);

/**
 * `head`, then `zeros` bytes of zeros made on demand (Infinity: never ending), with a turn of the event loop now
 * and then as a file or a socket gives (timers, such as a check's time limit, run between reads).
 */
function lazy(head: Buffer, zeros: number): Readable {
  return Readable.from((async function* () {
    yield head;
    let chunks = 0;
    for (let left = zeros; left > 0; left -= MiB) {
      if (++chunks % 16 === 0) await new Promise(setImmediate);
      yield left >= MiB ? ZEROS : ZEROS.subarray(0, left);
    }
  })(), { objectMode: false });
}

/** Reads and returns the outcome with the most input bytes read. */
async function measured(input: Readable, options: ReadOptions = {}): Promise<{ error?: unknown; bytesRead: number; ms: number }> {
  let bytesRead = 0;
  const started = performance.now();
  const error = await readArchive(input, { ...options, onProgress: (bytes) => (bytesRead = bytes) }).then(() => undefined, (e: unknown) => e);
  return { error, bytesRead, ms: performance.now() - started };
}

function decoderChildren(): string {
  return spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).stdout.toString();
}

describe("tar's end-of-archive marker", async () => {
  const save = await legacySave(await syntheticImage(['nginx:alpine']));

  it('ends the reading: 2 GiB of zeros after a save are not read', async () => {
    let bytesRead = 0;
    const image = await readImageArchive(lazy(save, 2048 * MiB), { onProgress: (bytes) => (bytesRead = bytes) });
    expect(image.repoTags).toEqual(['nginx:alpine']);
    expect(bytesRead).toBeLessThan(save.length + 4 * MiB);
  });

  it('makes a file of zeros (a sparse file) an empty tar, told after a few blocks', async () => {
    const result = await measured(lazy(Buffer.alloc(0), 4096 * MiB));
    expect(result.error).toBeInstanceOf(ArchiveError);
    expect((result.error as ArchiveError).verdict).toBe('not-a-save');
    expect(result.bytesRead).toBeLessThan(4 * MiB);
  });

  it('ends a compressed reading too: zeros compressed after the save are not decoded', async () => {
    // 96 gzip members of 16 MiB of zeros each (1.5 GiB decoded) after the save: past the decompression cap.
    const member = gzipSync(Buffer.alloc(16 * MiB));
    const packed = Buffer.concat([gzipSync(save), ...Array.from({ length: 96 }, () => member)]);
    const image = await readImageArchive(Readable.from([packed]));
    expect(image.compression).toBe('gzip');
  });

  it('still says truncated when the marker is missing, and reads a trailer-padded tar as the tar tool does', async () => {
    await expect(readImageArchive(Readable.from([save.subarray(0, save.length - 1024)]))).rejects.toMatchObject({ verdict: 'truncated' });
    // GNU tar pads its output to 10 KiB records with zeros after the marker.
    const padded = Buffer.concat([save, Buffer.alloc(10240 - (save.length % 10240))]);
    expect((await readImageArchive(Readable.from([padded]))).repoTags).toEqual(['nginx:alpine']);
  });

  it('still checks the compressed stream is whole when its end follows the marker', async () => {
    for (const format of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
      const packed = compress(save, format);
      const cut = packed.subarray(0, packed.length - 4);
      const error = await readImageArchive(Readable.from([cut])).then(() => undefined, (e: unknown) => e);
      expect([format, (error as ArchiveError)?.verdict]).toEqual([format, 'truncated']);
    }
  });
});

describe('the marker found in what tar tools write (pax records, GNU long names, record padding)', () => {
  const tree = tempDir('tree-');
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  mkdirSync(join(tree, 'd'.repeat(120)));
  writeFileSync(join(tree, long), 'x'.repeat(3000));
  writeFileSync(join(tree, 'small'), 'y');

  for (const format of ['pax', 'gnu', 'ustar'] as const) {
    it(`${format}: every entry is seen, and the zeros after the end are not read`, async () => {
      const made = spawnSync('tar', [`--format=${format}`, '-C', tree, '-cf', '-', 'small', ...(format === 'ustar' ? [] : [long])], { maxBuffer: 1 << 26 });
      expect(made.status).toBe(0);
      let bytesRead = 0;
      const scan = await scanArchive(lazy(made.stdout, 512 * MiB), { onProgress: (bytes) => (bytesRead = bytes) });
      expect([...scan.records.keys()].sort()).toEqual(format === 'ustar' ? ['small'] : [long, 'small']);
      expect(scan.records.get(long)?.size ?? 3000).toBe(3000);
      expect(bytesRead).toBeLessThan(made.stdout.length + 4 * MiB);
    });
  }
});

describe('the bound a caller gives (maxTarBytes: what a save of the image can hold)', () => {
  it('refuses an entry declaring more than the bound at its header, without reading it', async () => {
    const result = await measured(lazy(tarHeader('blobs/sha256/huge', 40 * 1024 * MiB), 4096 * MiB), { maxTarBytes: 100 * MiB });
    expect(result.error).toMatchObject({ verdict: 'oversized' });
    expect((result.error as ArchiveError).message).toMatch(/declares .* more than .* could hold/);
    expect(result.bytesRead).toBeLessThan(4 * MiB);
  });

  it('refuses entries whose sizes add up past the bound, before the one that crosses it is read', async () => {
    const entry = (name: string) => Buffer.concat([tarHeader(name, 30 * MiB), Buffer.alloc(30 * MiB)]);
    const result = await measured(Readable.from([entry('a'), entry('b'), tarHeader('c', 80 * MiB), Buffer.alloc(MiB)]), { maxTarBytes: 100 * MiB });
    expect(result.error).toMatchObject({ verdict: 'oversized' });
    expect(result.bytesRead).toBeLessThan(70 * MiB);
  });

  it('leaves a save within its bound alone', async () => {
    const save = await ociSave(await syntheticImage(['x:1']), { compressLayers: 'gzip' });
    const [image] = await readArchive(Readable.from([save]), { maxTarBytes: save.length + 1024 }).then((d) => (d.kind === 'save' ? d.images : []));
    expect(image?.layout).toBe('containerd');
  });
});

/** A never-ending input: a tar entry of 40 GiB of zeros, compressed on the fly as `format` says. */
function endless(format: 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd'): { input: Readable; stop(): void } {
  const raw = lazy(tarHeader('blobs/sha256/endless', 40 * 1024 * MiB), Infinity);
  if (format === 'none') return { input: raw, stop: () => raw.destroy() };
  if (format === 'gzip') {
    const gzip = raw.pipe(createGzip({ level: 1 }));
    return { input: gzip, stop: () => (raw.destroy(), gzip.destroy()) };
  }
  const child = spawn(format, format === 'zstd' ? ['-1', '-cq'] : ['-1', '-c'], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => undefined);
  raw.pipe(child.stdin);
  return { input: child.stdout, stop: () => (raw.destroy(), child.kill('SIGKILL')) };
}

describe('a signal (the check time limit) stops the reading and everything it started', () => {
  for (const format of ['none', 'gzip', 'bzip2', 'xz', 'zstd'] as const) {
    it(`${format}: rejects soon after the abort, the input destroyed, no decoder left`, { timeout: 10_000 }, async () => {
      const { input, stop } = endless(format);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      try {
        const started = performance.now();
        const error = await readArchive(input, { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
        expect((error as Error)?.name).toBe('AbortError');
        expect(performance.now() - started).toBeLessThan(1500);
        expect(input.destroyed).toBe(true);
      } finally {
        stop();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(decoderChildren()).not.toMatch(/^(zstd|xz|bzip2)$/m);
    });
  }

  it('an already aborted signal reads nothing', async () => {
    const input = lazy(Buffer.alloc(0), Infinity);
    const error = await readArchive(input, { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e);
    expect((error as Error)?.name).toBe('AbortError');
    expect(input.destroyed).toBe(true);
  });
});
