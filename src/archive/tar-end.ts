// Where a tar archive ends: at its end-of-archive marker, two blocks of zeros where a header would be. tar-stream
// skips zero blocks and reads on to the end of its input, so a save followed by gigabytes of zeros (or a sparse
// file, all zeros) was read to its last byte. This walks the same blocks as the parser (a header, its data
// padded to 512, pax `size` records and long names as tar-stream reads them) only to find that marker.

const BLOCK = 512;
/** A pax header's records are kept up to this size to find its `size` (tar-stream refuses larger ones). */
const MAX_PAX_BYTES = 4 << 20;

const padded = (size: number): number => Math.ceil(size / BLOCK) * BLOCK;

/**
 * A block tar-stream takes for no header: zeros, but for the checksum field (its checksum, counted with that
 * field as spaces, is 8 × 32). Two in a row end the archive.
 */
function isNullBlock(block: Buffer): boolean {
  let sum = 8 * 32;
  for (let at = 0; at < BLOCK; at++) if (at < 148 || at >= 156) sum += block[at]!;
  return sum === 8 * 32;
}

/** A numeric header field: octal text, or base-256 when its first byte has the high bit (GNU, sizes over 8 GiB). */
export function numericField(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    if (field[0] !== 0x80) return -1; // negative
    let value = 0;
    for (let at = 1; at < field.length; at++) value = value * 256 + field[at]!;
    return value;
  }
  const text = field.toString('latin1').replace(/^[ \0]+/, '').split(/[ \0]/)[0] ?? '';
  return text ? parseInt(text, 8) : 0;
}

/** The `size` record of pax data ("27 size=53687091200\n"), when there is one. */
function paxSize(data: Buffer): number | undefined {
  const text = data.toString('latin1'); // record lengths count bytes
  let found: number | undefined;
  for (let at = 0; at < text.length; ) {
    const space = text.indexOf(' ', at);
    const length = parseInt(text.slice(at, space), 10);
    if (space < 0 || !(length > 0)) break;
    const record = text.slice(space + 1, at + length - 1);
    if (record.startsWith('size=')) found = parseInt(record.slice(5), 10);
    at += length;
  }
  return found !== undefined && found >= 0 ? found : undefined;
}

export class TarEnd {
  /** Set once the end-of-archive marker went by. */
  ended = false;
  private readonly block = Buffer.alloc(BLOCK);
  private filled = 0;
  private nullBlocks = 0;
  /** Data bytes (padding included) before the next header. */
  private skip = 0;
  /** The data of a pax header being read: its records apply to the next entry (or all, for a global one). */
  private pax?: { chunks: Buffer[]; left: number; global: boolean };
  private localPax?: Buffer;
  private globalPax?: Buffer;

  /** How many bytes of `chunk` belong to the archive: all of it until the marker, then up to the marker's end. */
  take(chunk: Buffer): number {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const length = Math.min(this.skip, chunk.length - at);
        this.collectPax(chunk.subarray(at, at + length));
        this.skip -= length;
        at += length;
        if (this.skip === 0) this.endPax();
        continue;
      }
      const length = Math.min(BLOCK - this.filled, chunk.length - at);
      chunk.copy(this.block, this.filled, at, at + length);
      this.filled += length;
      at += length;
      if (this.filled === BLOCK) {
        this.filled = 0;
        this.header();
      }
    }
    return at;
  }

  private header(): void {
    if (isNullBlock(this.block)) {
      this.ended = ++this.nullBlocks === 2;
      return;
    }
    // A lone zero block followed by a header is skipped, as tar-stream (and GNU tar, with a warning) does.
    this.nullBlocks = 0;
    const type = String.fromCharCode(this.block[156]!);
    const size = Math.max(0, numericField(this.block, 124, 12));
    if (type === 'x' || type === 'g') {
      this.pax = { chunks: [], left: Math.min(size, MAX_PAX_BYTES), global: type === 'g' };
      this.skip = padded(size);
      if (this.skip === 0) this.endPax();
      return;
    }
    if (type === 'L' || type === 'K') {
      this.skip = padded(size);
      return;
    }
    // tar-stream applies a pax header (merged over the global one) to the next entry only, and gives a
    // directory no data whatever its size field says.
    const override = this.localPax ? paxSize(Buffer.concat([this.globalPax ?? Buffer.alloc(0), this.localPax])) : undefined;
    this.localPax = undefined;
    this.skip = type === '5' ? 0 : padded(override ?? size);
  }

  private collectPax(data: Buffer): void {
    if (!this.pax || this.pax.left <= 0) return;
    const kept = data.subarray(0, this.pax.left);
    this.pax.chunks.push(Buffer.from(kept));
    this.pax.left -= kept.length;
  }

  private endPax(): void {
    if (!this.pax) return;
    const data = Buffer.concat(this.pax.chunks);
    if (this.pax.global) this.globalPax = data;
    else this.localPax = data;
    this.pax = undefined;
  }
}
