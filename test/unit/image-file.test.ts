import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { firstFile } from '../../src/engine/image-file.js';
import { tarOf } from '../fixtures/archives/build.js';

/** A tar as the engine streams it: in 16 kB chunks, so the archive is not read in one go. */
async function chunked(size: number): Promise<Readable> {
  const tar = await tarOf([{ name: 'app.bin', content: Buffer.alloc(size, 1) }]);
  const chunks: Buffer[] = [];
  for (let at = 0; at < tar.length; at += 16_384) chunks.push(tar.subarray(at, at + 16_384));
  return Readable.from(chunks);
}

describe('firstFile', () => {
  it('reads a file with its size and permission bits (the engine-client integration test proves the archive is drained)', async () => {
    const file = await firstFile(await chunked(500_000), 1 << 20);
    expect(file).toMatchObject({ found: true, size: 500_000, mode: 0o644 });
    if (file.found) expect(file.content.length).toBe(500_000);
    expect(await firstFile(await chunked(10), 4)).toMatchObject({ found: true, size: 10, content: Buffer.alloc(4, 1) });
  });
});
