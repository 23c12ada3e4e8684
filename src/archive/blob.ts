// One entry of the archive, read once: its sha256 and size, and when it is compressed, the sha256 and size of
// what it decompresses to (a containerd layer's diff_id). Small JSON files are kept: manifest.json and the image
// config may come after the layers, so everything is remembered by path and resolved at the end.
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Header as Headers } from 'tar-stream';
import { oneLineText } from '../errors.js';
import type { LocalizedText } from '../lab/lang.js';
import type { Budget } from './budget.js';
import { decompress } from './decode.js';
import { TarLister } from './layer-list.js';
import { linkTarget, normaliseName } from './paths.js';
import { detectContent, SNIFF_BYTES } from './sniff.js';
import { ArchiveError, type Compression, type ContentKind, type LayerEntry } from './types.js';

/** JSON documents up to this size are kept (manifest.json, index.json, image configs). */
const MAX_TEXT_BYTES = 1 << 20;

export interface Listing {
  entries: LayerEntry[];
  problem?: LocalizedText;
  unsafe?: string;
}

export interface BlobRecord {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  /** For links: the archive path they lead to, or null when they lead outside the archive. */
  target?: string | null;
  rawTarget?: string;
  size: number;
  /** sha256:<hex> of the stored bytes (files only). */
  digest?: string;
  content?: ContentKind;
  decoded?: { size: number; digest: string } | { error: ArchiveError };
  listing?: Listing;
  text?: Buffer;
}

export interface BlobContext {
  budget: Budget;
  listEntries: boolean;
  /** Bytes of JSON still allowed in memory. */
  textRoom: { bytes: number };
  /** The reading's abort: a layer's decoder stops with it. */
  signal?: AbortSignal;
}

function recordType(type: Headers['type']): BlobRecord['type'] {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory' || type === 'symlink') return type;
  if (type === 'link') return 'hardlink';
  return 'other';
}

function looksLikeJson(bytes: Buffer): boolean {
  const first = bytes.toString('latin1', 0, Math.min(bytes.length, 64)).trimStart()[0];
  return first === '{' || first === '[';
}

/** Where a blob's bytes go besides the raw hash: a decoder, a tar lister, or nowhere. */
interface Route {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
  finish(record: BlobRecord): void;
  /** Stops early (the read failed elsewhere): no decoder process may outlive the read. */
  abort(): void;
}

function isFatal(error: unknown): boolean {
  return error instanceof ArchiveError && error.verdict === 'too-large';
}

/** A compressed blob: decode it alongside, hashing (and listing) what comes out. */
function decodedRoute(format: Compression, context: BlobContext): Route {
  const input = new PassThrough();
  input.on('error', () => undefined);
  const lister = context.listEntries ? new TarLister(context.budget) : undefined;
  const hash = createHash('sha256');
  let size = 0;
  let failure: unknown;
  let done = false;
  const consumer = (async () => {
    for await (const chunk of decompress(format, input, context.signal)) {
      context.budget.decoded(chunk.length);
      hash.update(chunk);
      size += chunk.length;
      await lister?.write(chunk);
    }
    await lister?.end();
  })()
    .catch((error: unknown) => {
      failure = error;
    })
    .finally(() => {
      done = true;
      input.destroy();
    });
  const rethrowFatal = (): void => {
    if (isFatal(failure)) throw failure;
  };
  return {
    async write(chunk) {
      rethrowFatal();
      if (done) return;
      if (!input.write(chunk)) await Promise.race([new Promise((resolve) => input.once('drain', resolve)), consumer]);
      rethrowFatal();
    },
    async end() {
      if (!done) input.end();
      await consumer;
      rethrowFatal();
    },
    finish(record) {
      if (failure) {
        record.decoded = { error: failure instanceof ArchiveError ? failure : new ArchiveError('corrupt', oneLineText(failure)) };
        return;
      }
      record.decoded = { size, digest: `sha256:${hash.digest('hex')}` };
      if (lister) record.listing = { entries: lister.entries, problem: lister.problem, unsafe: lister.unsafe };
    },
    abort() {
      input.destroy();
      lister?.abort();
    },
  };
}

/** A plain tar blob (a legacy layer.tar): list it when asked. */
function listedRoute(context: BlobContext): Route {
  const lister = new TarLister(context.budget);
  return {
    write: (chunk) => lister.write(chunk),
    end: () => lister.end(),
    finish(record) {
      record.listing = { entries: lister.entries, problem: lister.problem, unsafe: lister.unsafe };
    },
    abort: () => lister.abort(),
  };
}

function chooseRoute(content: ContentKind, context: BlobContext): Route | undefined {
  if (content === 'gzip' || content === 'bzip2' || content === 'xz' || content === 'zstd') {
    if (content !== 'gzip' && !context.budget.takeProcessDecode()) return undefined;
    return decodedRoute(content, context);
  }
  if (content === 'tar' && context.listEntries) return listedRoute(context);
  return undefined;
}

/** Reads one entry to its end (the tar parser needs that before the next) and describes it. */
export async function readBlob(header: Headers, stream: AsyncIterable<Buffer>, context: BlobContext): Promise<BlobRecord> {
  const path = normaliseName(header.name);
  const type = recordType(header.type);
  const record: BlobRecord = { path, type, size: 0 };
  if (type === 'symlink' || type === 'hardlink') {
    const rawTarget = header.linkname ?? '';
    record.rawTarget = rawTarget;
    record.target = linkTarget(path, rawTarget, type);
  }
  const hash = createHash('sha256');
  const keepText = type === 'file' && (header.size ?? 0) <= MAX_TEXT_BYTES && (header.size ?? 0) <= context.textRoom.bytes;
  const kept: Buffer[] = [];
  const head: Buffer[] = [];
  let headLength = 0;
  let route: Route | undefined;
  let routed = false;
  const startRoute = async (): Promise<void> => {
    const bytes = Buffer.concat(head, headLength);
    record.content = detectContent(bytes);
    route = chooseRoute(record.content, context);
    routed = true;
    if (route && bytes.length) await route.write(bytes);
  };
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      record.size += chunk.length;
      if (keepText) kept.push(chunk);
      if (routed) {
        if (route) await route.write(chunk);
        continue;
      }
      head.push(chunk);
      headLength += chunk.length;
      if (headLength >= SNIFF_BYTES) await startRoute();
    }
    if (type !== 'file') return record;
    if (!routed) await startRoute();
    if (route) {
      await route.end();
      route.finish(record);
    }
  } catch (error) {
    route?.abort();
    throw error;
  }
  record.digest = `sha256:${hash.digest('hex')}`;
  if (keepText && record.size > 0) {
    const text = Buffer.concat(kept, record.size);
    if (looksLikeJson(text)) {
      record.text = text;
      context.textRoom.bytes -= text.length;
    }
  }
  return record;
}
