import type { Readable } from 'node:stream';

export interface FileInfo {
  /** Path relative to the workdir, as the student would type it. */
  path: string;
  size: number;
  isFile: boolean;
  isDirectory: boolean;
  mtimeMs: number;
  /** Device and inode, when the file system has them: with size and mtime, they tell whether a file is the same. */
  dev?: number;
  ino?: number;
  /** Status change time: unlike mtime, no command can set it back, so a rewrite that restores mtime still shows. */
  ctimeMs?: number;
}

/**
 * The student's files, as probes see them: every path is relative to the workdir and may not leave it, so a
 * lab definition (or a student's symlink) can never make a probe read outside the lab.
 */
export interface FileAccess {
  readonly root: string;
  stat(path: string): Promise<FileInfo | null>;
  list(dir: string): Promise<FileInfo[]>;
  readText(path: string, maxBytes?: number): Promise<string>;
  /** A stream of the file's bytes, for archives too large to hold in memory. */
  open(path: string): Readable;
}
