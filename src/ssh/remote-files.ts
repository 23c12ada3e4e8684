// The student's working directory on their own machine, read over SFTP (or the remote's shell where its sshd
// offers no SFTP: file-session.ts), with the confinement of
// src/files/workdir.ts: neither `..` nor a symbolic link (resolved by the server) leads out of it.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import type { FileAccess, FileInfo } from '../files/types.js';
import { notRegular } from '../files/workdir.js';
import type { FileSession } from './file-session.js';
import { isDirectoryMode, isFileMode, SftpStatusError } from './sftp.js';

/** Same cap as the local workdir's readText. */
const MAX_TEXT_BYTES = 1 << 20;

function escapes(base: string, path: string): boolean {
  const rel = posix.relative(base, path);
  return rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel);
}

export function remoteWorkdirFiles(sftp: () => Promise<FileSession>, root: string): FileAccess {
  const base = posix.resolve('/', root);
  let realBase: Promise<string> | undefined;
  const outside = (path: string) => new CheckError(both(`${path} est hors du dossier de travail`, `${path} is outside the working directory`));

  /** Both the path as written and where its links lead (as the server resolves them) stay inside the workdir. */
  const inside = async (path: string): Promise<{ session: FileSession; full: string }> => {
    const full = posix.resolve(base, path);
    if (escapes(base, full)) throw outside(path);
    const session = await sftp();
    realBase ??= session.realpath(base).catch(() => base);
    const real = await session.realpath(full).catch((error: unknown) => {
      if (error instanceof SftpStatusError) return full; // a missing file: stat answers null for it
      throw error;
    });
    if (escapes(await realBase, real) && escapes(base, real)) throw outside(path);
    return { session, full };
  };

  /**
   * Only a regular file is opened: the server's open(2) of a FIFO would wait for a writer, and with it every later
   * request of the session (sftp-server answers one at a time).
   */
  const regular = async (path: string): Promise<{ session: FileSession; full: string }> => {
    const found = await inside(path);
    const attrs = await found.session.stat(found.full);
    if (attrs && !isFileMode(attrs.mode)) throw notRegular(path);
    return found;
  };

  const info = async (path: string): Promise<FileInfo | null> => {
    const { session, full } = await inside(path);
    const attrs = await session.stat(full);
    return attrs && { path, size: attrs.size, isFile: isFileMode(attrs.mode), isDirectory: isDirectoryMode(attrs.mode), mtimeMs: attrs.mtimeMs };
  };

  return {
    root: base,
    stat: info,
    async list(dir) {
      const { session, full } = await inside(dir);
      const names = await session.readdir(full).then(
        (entries) => entries.map((entry) => entry.name),
        (error: unknown) => {
          if (error instanceof SftpStatusError && error.status === 2) return [] as string[];
          throw error;
        },
      );
      const entries = await Promise.all(names.sort().map((name) => info(posix.join(dir, name))));
      return entries.filter((entry): entry is FileInfo => entry !== null);
    },
    async readText(path, maxBytes = MAX_TEXT_BYTES) {
      const { session, full } = await regular(path);
      return (await session.readHead(full, maxBytes)).toString('utf8');
    },
    open(path) {
      return Readable.from(
        (async function* () {
          const { session, full } = await regular(path);
          yield* session.chunks(full);
        })(),
      );
    },
  };
}
