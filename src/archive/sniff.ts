import type { ContentKind } from './types.js';

/** Bytes needed to tell every kind apart: a tar's `ustar` magic sits at offset 257. */
export const SNIFF_BYTES = 512;

const MAGICS: ReadonlyArray<[Exclude<ContentKind, 'tar' | 'empty' | 'unknown'>, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

/** A block of 512 zero bytes: the end-of-archive marker, so an empty tar starts with one. */
function isZeroBlock(head: Uint8Array): boolean {
  return head.length >= 512 && head.subarray(0, 512).every((byte) => byte === 0);
}

/** Tells a file's kind from its first bytes (at least SNIFF_BYTES of them when the file is that long). */
export function detectContent(head: Uint8Array): ContentKind {
  if (head.length === 0) return 'empty';
  for (const [kind, magic] of MAGICS) if (startsWith(head, magic)) return kind;
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  if (isZeroBlock(head)) return 'tar';
  return 'unknown';
}

/**
 * Reads the first bytes of a stream (or looks at a buffer) and says what it holds: gzip (1F 8B), bzip2 (42 5A 68),
 * xz (FD 37 7A 58 5A 00), zstd (28 B5 2F FD), a tar ('ustar' at 257) or unknown. A stream is read only that far,
 * then destroyed: open the file again to read it whole.
 */
export async function sniffCompression(input: NodeJS.ReadableStream | Uint8Array): Promise<ContentKind> {
  if (input instanceof Uint8Array) return detectContent(input);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      length += bytes.length;
      if (length >= SNIFF_BYTES) break;
    }
  } finally {
    (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  return detectContent(Buffer.concat(chunks, length));
}
