import { constants, createReadStream, realpathSync } from 'node:fs';
import { open as openFile, readdir, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import type { FileAccess, FileInfo } from './types.js';

/** Default cap on readText: student scripts and index files are small; an archive is read as a stream. */
const MAX_TEXT_BYTES = 1 << 20;

function escapes(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** A FIFO, a device, a folder: what a probe must never open for reading (a FIFO blocks until a writer comes). */
export function notRegular(path: string): CheckError {
  return new CheckError(both(`${path} n'est pas un fichier ordinaire`, `${path} is not a regular file`));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // a missing file: stat answers null for it
  }
}

export function workdirFiles(root: string): FileAccess {
  const base = resolve(root);
  /** Both the path as written and where its links lead must stay inside the workdir. */
  const inside = (path: string): string => {
    const full = resolve(base, path);
    if (escapes(base, full) || escapes(realOrSelf(base), realOrSelf(full))) throw new CheckError(both(`${path} est hors du dossier de travail`, `${path} is outside the working directory`));
    return full;
  };
  const info = async (path: string): Promise<FileInfo | null> => {
    try {
      const stats = await stat(inside(path));
      return { path, size: stats.size, isFile: stats.isFile(), isDirectory: stats.isDirectory(), mtimeMs: stats.mtimeMs, dev: stats.dev, ino: stats.ino, ctimeMs: stats.ctimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  return {
    root: base,
    stat: info,
    async list(dir) {
      const names = await readdir(inside(dir)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      const entries = await Promise.all(names.sort().map((name) => info(join(dir, name))));
      return entries.filter((entry): entry is FileInfo => entry !== null);
    },
    async readText(path, maxBytes = MAX_TEXT_BYTES) {
      const handle = await openRegular(inside(path), path);
      try {
        const buffer = Buffer.alloc(maxBytes);
        const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
        return buffer.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    },
    open(path) {
      // Opened without waiting (O_NONBLOCK) and checked first: a FIFO put in place of an archive errors at once.
      return Readable.from((async function* () {
        const handle = await openRegular(inside(path), path);
        yield* createReadStream('', { fd: handle });
      })());
    },
  };
}

/** Opens a regular file for reading, refusing anything else without waiting on it (a FIFO, a device, a folder). */
async function openRegular(full: string, path: string) {
  const handle = await openFile(full, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(path);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
