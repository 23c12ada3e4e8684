// The outer walk: sniff the file, undo its compression, and read every tar entry once, in stream order.
import type { Header as Headers } from 'tar-stream';
import { tarStream } from './tar.js';
import type { Writable } from 'node:stream';
import { both } from '../lab/lang.js';
import { readBlob, type BlobRecord } from './blob.js';
import { Budget } from './budget.js';
import { decompress } from './decode.js';
import { isSaveName, isUnsafeName, normaliseName } from './paths.js';
import { detectContent, SNIFF_BYTES } from './sniff.js';
import { drained } from './drain.js';
import { ArchiveError, type Compression, type ReadOptions } from './types.js';

/** JSON kept in memory for one read (configs with a long history are ~100 KB). */
const TEXT_ROOM_BYTES = 32 << 20;
const TRAILER_BYTES = 1024;
/** Top-level names kept to describe an export: a filesystem has a few dozen. */
const MAX_TOP_LEVEL = 1000;

export interface Scan {
  compression: Compression | 'none';
  /**
   * The entries a save can need (files with content, links, the save's own files) by normalised path, a later
   * entry with the same path replacing the earlier one. Kept only among the first maxSaveEntries entries: a
   * save never has more, so past them memory holds nothing per entry.
   */
  records: Map<string, BlobRecord>;
  entryCount: number;
  /** What describes an export, seen over every entry: its top-level names (up to MAX_TOP_LEVEL) and /.dockerenv. */
  topLevel: Set<string>;
  hasDockerenv: boolean;
}

/** The input itself failed (a file that cannot be read, a lost engine connection): not a verdict on the archive. */
export class InputError extends Error {}

async function* counted(input: NodeJS.ReadableStream, budget: Budget): AsyncGenerator<Buffer> {
  const iterator = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new InputError((error as Error).message ?? String(error));
      }
      if (next.done) return;
      const bytes = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      budget.read(bytes.length);
      yield bytes;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Splits the first SNIFF_BYTES off a stream so its kind can be told, then replays them. */
async function peek(source: AsyncIterable<Buffer>): Promise<{ head: Buffer; stream: AsyncGenerator<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks, length);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head, stream: replay() };
}

function notATar(head: Buffer, compression: Compression | 'none'): ArchiveError {
  if (compression !== 'none') {
    const inner = detectContent(head);
    const other = inner === 'unknown' || inner === 'empty';
    return new ArchiveError('not-a-tar', both(
      `le fichier est compressé en ${compression}, mais il contient ${other ? 'autre chose' : `des données ${inner} (compressé deux fois)`}, pas une archive tar`,
      `the file is ${compression}-compressed, but what it holds is ${other ? 'something else' : `${inner} data (compressed twice)`}, not a tar archive`,
    ));
  }
  if (!head.length) return new ArchiveError('not-a-tar', both('le fichier est vide', 'the file is empty'));
  return new ArchiveError('not-a-tar', both(
    "le fichier n'est ni une archive tar ni une compression connue (gzip, bzip2, xz, zstd)",
    'the file is neither a tar archive nor a known compression (gzip, bzip2, xz, zstd)',
  ));
}

/** Keeps the last TRAILER_BYTES of the tar stream: a complete tar ends with two zero blocks. */
async function* watchTrailer(source: AsyncIterable<Buffer>, budget: Budget, decoded: boolean, tail: { bytes: Buffer }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (decoded) budget.decoded(chunk.length);
    tail.bytes = chunk.length >= TRAILER_BYTES ? chunk.subarray(chunk.length - TRAILER_BYTES) : Buffer.concat([tail.bytes, chunk]).subarray(-TRAILER_BYTES);
    yield chunk;
  }
}

function tarFailure(error: unknown): Error {
  if (error instanceof ArchiveError || error instanceof InputError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (/unexpected end/i.test(message)) {
    return new ArchiveError('truncated', both("l'archive tar s'arrête au milieu d'une entrée : le fichier a été coupé", 'the tar archive ends in the middle of an entry: the file was cut short'));
  }
  return new ArchiveError('corrupt', both(`l'archive tar est endommagée (« ${message} »)`, `the tar archive is damaged ("${message}")`));
}


/** Feeds the tar parser, handing any failure of the source (decoder, budget) to it so the entry loop sees it. */
function feedParser(source: AsyncGenerator<Buffer>, parser: Writable & { destroyed: boolean }): void {
  void (async () => {
    for await (const chunk of source) {
      if (parser.destroyed) return;
      if (!parser.write(chunk)) await drained(parser);
    }
    if (!parser.destroyed) parser.end();
  })().catch((error: unknown) => parser.destroy(error as Error));
}

/** Directories, empty files and devices cannot be a manifest, a config or a layer: they need no record. */
function mayMatter(header: Headers, path: string): boolean {
  if (header.type === 'symlink' || header.type === 'link') return true;
  if (header.type !== 'file' && header.type !== 'contiguous-file') return false;
  return (header.size ?? 0) > 0 || isSaveName(path);
}

/** Reads an entry to its end without looking at it (the parser needs that before the next). */
async function skip(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of entry) void chunk;
}

export async function scanArchive(input: NodeJS.ReadableStream, options: ReadOptions = {}): Promise<Scan> {
  const budget = new Budget(options);
  const records = new Map<string, BlobRecord>();
  const tail = { bytes: Buffer.alloc(0) };
  const outer = await peek(counted(input, budget));
  const kind = detectContent(outer.head);
  let compression: Compression | 'none' = 'none';
  let tar = outer;
  if (kind === 'gzip' || kind === 'bzip2' || kind === 'xz' || kind === 'zstd') {
    compression = kind;
    tar = await peek(decompress(kind, outer.stream));
  }
  if (detectContent(tar.head) !== 'tar') {
    await tar.stream.return(undefined);
    (input as { destroy?: () => void }).destroy?.();
    throw notATar(tar.head, compression);
  }
  const parser = tarStream().extract() as unknown as Writable & { destroyed: boolean } & AsyncIterable<AsyncIterable<Buffer> & { header: Headers }>;
  feedParser(watchTrailer(tar.stream, budget, compression !== 'none', tail), parser);
  const context = { budget, listEntries: Boolean(options.listEntries), textRoom: { bytes: TEXT_ROOM_BYTES } };
  const topLevel = new Set<string>();
  let hasDockerenv = false;
  let looksLikeSave = false;
  try {
    for await (const entry of parser) {
      (entry as unknown as NodeJS.EventEmitter).on('error', () => undefined); // reported through the parser
      const { header } = entry;
      if (isUnsafeName(header.name)) {
        throw new ArchiveError('unsafe-path', both(
          `l'entrée « ${header.name} » sort de l'archive (chemin absolu ou « .. »)`,
          `entry "${header.name}" points outside the archive (absolute path or "..")`,
        ));
      }
      const path = normaliseName(header.name);
      looksLikeSave ||= isSaveName(path);
      budget.entry(looksLikeSave);
      const top = path.split('/')[0]!;
      if (top && topLevel.size < MAX_TOP_LEVEL) topLevel.add(top);
      hasDockerenv ||= path === '.dockerenv';
      // Past a save's cap with no sign of one, this can only be an export: count it, remember nothing more.
      if (budget.beyondSave() || !mayMatter(header, path)) {
        await skip(entry);
        continue;
      }
      const record = await readBlob(header, entry, context);
      records.set(record.path, record);
    }
  } catch (error) {
    parser.destroy();
    (input as { destroy?: () => void }).destroy?.();
    throw tarFailure(error);
  }
  if (tail.bytes.length < TRAILER_BYTES || tail.bytes.some((byte) => byte !== 0)) {
    throw new ArchiveError('truncated', both("l'archive tar n'a pas de marque de fin : le fichier a été coupé", 'the tar archive has no end marker: the file was cut short'));
  }
  return { compression, records, entryCount: budget.entries, topLevel, hasDockerenv };
}
