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
import { abortError, whenAborted } from './abort.js';
import { TarEnd } from './tar-end.js';
import { ArchiveError, type Compression, type ReadOptions } from './types.js';

/** JSON kept in memory for one read (configs with a long history are ~100 KB). */
const TEXT_ROOM_BYTES = 32 << 20;
/**
 * Past the end marker of a compressed tar, what its decoder may still produce before the rest is left unread:
 * enough for the compressed stream's own end (its check) and a tar tool's padding, not for gigabytes of zeros.
 */
const AFTER_END_BYTES = 1 << 20;
const BLOCK = 512;
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

/** The input's chunks, counted; `stopped` (the caller's abort) ends a wait for the next one. */
async function* counted(input: NodeJS.ReadableStream, budget: Budget, stopped?: Promise<never>): AsyncGenerator<Buffer> {
  const iterator = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await (stopped ? Promise.race([iterator.next(), stopped]) : iterator.next());
      } catch (error) {
        if ((error as Error)?.name === 'AbortError') throw error;
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

const megabytes = (bytes: number) => Math.max(1, Math.round(bytes / 1e6));

function oversized(declared: number, bound: number): ArchiveError {
  return new ArchiveError('oversized', both(
    `l'archive déclare au moins ${megabytes(declared)} Mo avant sa fin, plus que ce qui est attendu ne pourrait en contenir (${megabytes(bound)} Mo au plus)`,
    `the archive declares at least ${megabytes(declared)} MB before its end, more than what is expected could hold (${megabytes(bound)} MB at most)`,
  ));
}

/**
 * The tar stream up to its end-of-archive marker (two zero blocks), bounded by `maxTarBytes`. Past the marker a
 * plain file is left unread, as tar leaves it; a decoder only gets to finish its own stream (AFTER_END_BYTES).
 */
async function* untilEnd(source: AsyncIterable<Buffer>, budget: Budget, decoded: boolean, end: TarEnd, maxTarBytes: number | undefined): AsyncGenerator<Buffer> {
  let tarBytes = 0;
  let after = 0;
  for await (const chunk of source) {
    if (decoded) budget.decoded(chunk.length);
    if (end.ended) {
      after += chunk.length;
      if (after > AFTER_END_BYTES) return;
      continue;
    }
    const kept = end.take(chunk);
    tarBytes += kept;
    if (maxTarBytes !== undefined && tarBytes > maxTarBytes) throw oversized(tarBytes, maxTarBytes);
    if (kept) yield kept === chunk.length ? chunk : chunk.subarray(0, kept);
    if (end.ended) {
      after = chunk.length - kept;
      if (!decoded || after > AFTER_END_BYTES) return;
    }
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
  const { signal } = options;
  const destroyInput = () => (input as { destroy?: () => void }).destroy?.();
  const abort = whenAborted(signal);
  // Aborted: the input goes first (a file descriptor, an engine stream), then every stage waiting on it ends.
  signal?.addEventListener('abort', destroyInput, { once: true });
  try {
    if (signal?.aborted) {
      destroyInput();
      throw abortError(signal);
    }
    return await scan(input, options, abort.stopped);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  } finally {
    abort.release();
    signal?.removeEventListener('abort', destroyInput);
  }
}

async function scan(input: NodeJS.ReadableStream, options: ReadOptions, stopped: Promise<never> | undefined): Promise<Scan> {
  const { signal } = options;
  const budget = new Budget(options);
  const records = new Map<string, BlobRecord>();
  const end = new TarEnd();
  const outer = await peek(counted(input, budget, stopped));
  const kind = detectContent(outer.head);
  let compression: Compression | 'none' = 'none';
  let tar = outer;
  if (kind === 'gzip' || kind === 'bzip2' || kind === 'xz' || kind === 'zstd') {
    compression = kind;
    tar = await peek(decompress(kind, outer.stream, signal));
  }
  if (detectContent(tar.head) !== 'tar') {
    await tar.stream.return(undefined);
    (input as { destroy?: () => void }).destroy?.();
    throw notATar(tar.head, compression);
  }
  const parser = tarStream().extract() as unknown as Writable & { destroyed: boolean } & AsyncIterable<AsyncIterable<Buffer> & { header: Headers }>;
  feedParser(untilEnd(tar.stream, budget, compression !== 'none', end, options.maxTarBytes), parser);
  const stopParser = () => parser.destroy(abortError(signal!));
  signal?.addEventListener('abort', stopParser, { once: true });
  const context = { budget, listEntries: Boolean(options.listEntries), textRoom: { bytes: TEXT_ROOM_BYTES }, signal };
  const topLevel = new Set<string>();
  let hasDockerenv = false;
  let looksLikeSave = false;
  /** What the headers seen so far say the tar holds up to the end of the current entry. */
  let declared = 0;
  try {
    for await (const entry of parser) {
      (entry as unknown as NodeJS.EventEmitter).on('error', () => undefined); // reported through the parser
      const { header } = entry;
      declared += BLOCK + Math.ceil((header.size ?? 0) / BLOCK) * BLOCK;
      if (options.maxTarBytes !== undefined && declared > options.maxTarBytes) throw oversized(declared, options.maxTarBytes);
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
  } finally {
    signal?.removeEventListener('abort', stopParser);
  }
  if (!end.ended) {
    throw new ArchiveError('truncated', both("l'archive tar n'a pas de marque de fin : le fichier a été coupé", 'the tar archive has no end marker: the file was cut short'));
  }
  return { compression, records, entryCount: budget.entries, topLevel, hasDockerenv };
}
