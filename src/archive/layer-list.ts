import type { Header as Headers } from 'tar-stream';
import { tarStream } from './tar.js';
import type { Writable } from 'node:stream';
import { oneLineText } from '../errors.js';
import { both, type LocalizedText } from '../lab/lang.js';
import type { Budget } from './budget.js';
import { isUnsafeName, normaliseName } from './paths.js';
import { detectContent, SNIFF_BYTES } from './sniff.js';
import { ArchiveError, type LayerEntry } from './types.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

function entryType(type: Headers['type']): LayerEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** One layer entry as image analysis needs it: whiteouts name the path they delete. */
export function layerEntry(header: Headers): LayerEntry {
  const path = normaliseName(header.name);
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const base = path.slice(slash + 1);
  const type = entryType(header.type);
  const size = type === 'file' ? header.size ?? 0 : 0;
  if (base === OPAQUE) return { path: dir, size, type, whiteout: false, opaque: true };
  if (base.startsWith(WHITEOUT)) {
    const deleted = base.slice(WHITEOUT.length);
    return { path: dir ? `${dir}/${deleted}` : deleted, size, type, whiteout: true, opaque: false };
  }
  return { path, size, type, whiteout: false, opaque: false };
}

/**
 * Lists the entries of a tar fed to it chunk by chunk (a layer inside the archive). A blob that is not a tar
 * only records why; a broken budget (too many entries) is thrown, because it ends the whole read.
 */
export class TarLister {
  readonly entries: LayerEntry[] = [];
  /** Why the blob could not be listed (not a tar, damaged tar). */
  problem?: LocalizedText;
  /** The first entry whose path would escape an extraction folder. */
  unsafe?: string;
  private parser?: Writable & { destroyed: boolean };
  private finished?: Promise<void>;
  private fatal?: unknown;
  private head: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly budget: Budget) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.problem) return;
    if (!this.parser) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) return;
      chunk = Buffer.concat(this.head, this.headLength);
      this.head = [];
      if (!this.start(chunk)) return;
    }
    await this.push(chunk);
  }

  async end(): Promise<void> {
    if (!this.parser && !this.problem) {
      const rest = Buffer.concat(this.head, this.headLength);
      if (!this.start(rest)) return;
      await this.push(rest);
    }
    if (!this.parser || this.problem) return this.rethrow();
    this.parser.end();
    await this.finished;
    this.rethrow();
  }

  abort(): void {
    this.parser?.destroy();
  }

  private start(head: Buffer): boolean {
    if (detectContent(head) !== 'tar') {
      this.problem = both("ce n'est pas une archive tar", 'not a tar archive');
      return false;
    }
    const parser = tarStream().extract();
    parser.on('entry', (header, stream, next) => {
      // Before anything can fail: destroying the parser below destroys this stream with the same error.
      stream.on('error', () => undefined); // the parser's own error says what went wrong
      try {
        this.budget.layerEntry();
        if (!this.unsafe && isUnsafeName(header.name)) this.unsafe = header.name;
        this.entries.push(layerEntry(header));
      } catch (error) {
        this.fatal = error;
        parser.destroy(error as Error);
        return;
      }
      stream.on('end', next);
      stream.resume();
    });
    this.finished = new Promise((resolve) => {
      parser.on('finish', resolve);
      parser.on('close', resolve);
      parser.on('error', (error: Error) => {
        this.problem ??= both(`tar endommagé (« ${error.message} »)`, `damaged tar ("${error.message}")`);
        resolve();
      });
    });
    this.parser = parser as unknown as Writable & { destroyed: boolean };
    return true;
  }

  private async push(chunk: Buffer): Promise<void> {
    const parser = this.parser!;
    if (parser.destroyed) return this.rethrow();
    if (!parser.write(chunk)) {
      await new Promise<void>((resolve) => {
        parser.once('drain', resolve);
        void this.finished!.then(resolve);
      });
    }
    this.rethrow();
  }

  private rethrow(): void {
    if (this.fatal) throw this.fatal instanceof ArchiveError ? this.fatal : new ArchiveError('corrupt', oneLineText(this.fatal));
  }
}
