// The requests the student's files are worked on with, on a machine reached by ssh: over SFTP (sftp.ts), or,
// where the sshd offers no SFTP, over the remote's shell (shell-files.ts). openFileSession picks, once per
// connection's session: the file probes (remote-files.ts) and the recorded runs' housekeeping (script-host.ts)
// see the same interface either way.
import type { SshConnection } from './connection.js';
import { shellFileSession } from './shell-files.js';
import { SftpSession, SftpUnavailableError, type SftpAttrs } from './sftp.js';

export interface FileSession {
  /** True when the requests go over the shell: a whole tree is then better worked on by one command (rm, cp). */
  readonly overShell: boolean;
  /** The canonical absolute path, symbolic links resolved by the remote. */
  realpath(path: string): Promise<string>;
  /** `stat` (links followed) or `lstat`; null when there is no such file. */
  stat(path: string, follow?: boolean): Promise<SftpAttrs | null>;
  /** Entries of a folder (lstat attributes), without . and .. */
  readdir(path: string): Promise<Array<{ name: string; attrs: SftpAttrs }>>;
  /** Up to `maxBytes` from the start of a file. */
  readHead(path: string, maxBytes: number): Promise<Buffer>;
  /** The whole file, chunk by chunk, for a stream. */
  chunks(path: string): AsyncGenerator<Buffer>;
  writeFile(path: string, content: Buffer, mode: number): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Removes a file or a symbolic link (never what it points to). */
  remove(path: string): Promise<void>;
  /** Removes an empty folder. */
  rmdir(path: string): Promise<void>;
  end(): void;
}

/** SFTP when the remote's sshd offers it, else its shell; any other failure of ssh is the caller's. */
export async function openFileSession(connection: SshConnection): Promise<FileSession> {
  const sftp = new SftpSession(connection.subsystem('sftp'), connection.address);
  try {
    await sftp.ready();
    return sftp;
  } catch (error) {
    if (error instanceof SftpUnavailableError) return shellFileSession(connection, error);
    throw error;
  }
}
