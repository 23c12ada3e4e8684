import { ArchiveError, type ReadOptions } from './types.js';

/** Below this, decompressed output is never refused: a small image may compress very well. */
export const UNCOMPRESSED_FLOOR = 1 << 30;
/** A real image compresses 2 to 5 times; 20 times leaves room for sparse files and still stops a bomb. */
export const MAX_RATIO = 20;
export const DEFAULT_MAX_ENTRIES = 1_000_000;
/** Layers stored compressed with bzip2, xz or zstd each start a decoder process: a real image has < 128 layers. */
export const MAX_PROCESS_DECODES = 256;

/** What one read may consume: input bytes seen, bytes decompression produced, entries walked. */
export class Budget {
  bytesRead = 0;
  produced = 0;
  entries = 0;
  processDecodes = 0;
  private readonly maxEntries: number;

  constructor(private readonly options: ReadOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Input bytes (compressed, as read from the file or the engine). */
  read(bytes: number): void {
    this.bytesRead += bytes;
    this.options.onProgress?.(this.bytesRead);
  }

  /** Bytes a decompressor produced: the whole file's decoder or a compressed layer's. */
  decoded(bytes: number): void {
    this.produced += bytes;
    const limit = this.options.maxUncompressedBytes ?? Math.max(UNCOMPRESSED_FLOOR, MAX_RATIO * this.bytesRead);
    if (this.produced > limit) {
      throw new ArchiveError('too-large', `decompression produced over ${limit} bytes from ${this.bytesRead} read: a decompression bomb, not an image`);
    }
  }

  entry(): void {
    if (++this.entries > this.maxEntries) {
      throw new ArchiveError('too-large', `more than ${this.maxEntries} entries: too many for an image archive`);
    }
  }

  /** False once too many compressed layers asked for a decoder process. */
  takeProcessDecode(): boolean {
    return ++this.processDecodes <= MAX_PROCESS_DECODES;
  }
}
