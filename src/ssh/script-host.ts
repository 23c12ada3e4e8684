// The student's own machine as a ScriptHost (src/scripts/script-host.ts): recorded runs happen there, over the
// same ssh master, with the same scratch folder, shell shim and time limits as on this machine.
// Housekeeping (scratch folder, copies, removal) goes over the one SFTP session, not as commands: every command
// starts the remote user's login shell, whose rc files may take seconds (measured: a pyenv .bashrc, 0.55 s alone
// and 4.9 s for eight at once on two cores), and sshd counts each against MaxSessions. A recorded run then costs
// one remote command, the script's own; the shell is kept for the rare cases SFTP v3 cannot express (a
// symbolic link to copy, a folder SFTP may not empty).
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import type { HostEntry, ScriptHost } from '../scripts/script-host.js';
import { serveEngineReads } from '../scripts/read-proxy.js';
import type { ProcessRunner } from '../processes/types.js';
import type { SshConnection } from './connection.js';
import { remoteFacts } from './remote-facts.js';
import type { FileSession } from './file-session.js';
import { isDirectoryMode, isFileMode, isLinkMode, SftpStatusError } from './sftp.js';

/** Housekeeping commands (cp, rm) are quick: this bounds a hung remote. */
const HOUSEKEEPING_MS = 30_000;
/** A file copied over SFTP is held in memory once: bigger ones are copied by `cp` on the remote. */
const MAX_SFTP_COPY_BYTES = 8 * 1024 * 1024;
const SFTP_FAILURE = 4;

/**
 * `engineHost`: the engine as the remote's own `docker` reaches it (remote-facts.ts), for the reads a recorded run
 * forwards there: the grader's ssh:// address means nothing on the student's machine.
 */
export function sshScriptHost(connection: SshConnection, runner: ProcessRunner, sftp: () => Promise<FileSession>, engineHost?: string): ScriptHost {
  // The remote's temporary folder and docker CLI: the connection's one question about itself.
  const facts = () => remoteFacts(connection, HOUSEKEEPING_MS);
  /** A POSIX sh one-liner with its arguments; fails with its stderr when it exits non-zero. */
  const shell = async (script: string, ...args: string[]): Promise<string> => {
    const result = await runner.run('sh', ['-c', script, 'sh', ...args], { cwd: '/', timeoutMs: HOUSEKEEPING_MS });
    if (result.exitCode !== 0) {
      const why = result.timedOut ? `no answer within ${HOUSEKEEPING_MS / 1000} s` : result.stderr.trim().split('\n').at(-1) ?? `exit ${result.exitCode}`;
      throw new CheckError(both(`${connection.address} : échec sur la machine distante (${why})`, `${connection.address}: failed on the remote machine (${why})`));
    }
    return result.stdout;
  };
  /** An SFTP refusal (permissions, a loop of links) as one line naming the path, as a failed command is. */
  const onRemote = async <T>(path: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof SftpStatusError)) throw error;
      throw new CheckError(both(`${connection.address} : ${path} : ${error.message}`, `${connection.address}: ${path}: ${error.message}`));
    }
  };
  /**
   * SFTP first (no shell); what it cannot empty (a folder the script made read-only) goes to rm -rf, and so does
   * everything where requests go over the shell anyway (no SFTP): one command rather than one per entry.
   */
  const remove = async (path: string): Promise<void> => {
    const session = await sftp();
    const removed = !session.overShell && (await sftpRemoveTree(session, path).then(() => true, () => false));
    if (!removed) await shell('rm -rf -- "$1"', path);
  };
  const tmp = async () => (await facts()).tmp;
  const typeOf = (mode: number): HostEntry['type'] => (isLinkMode(mode) ? 'symlink' : isDirectoryMode(mode) ? 'directory' : isFileMode(mode) ? 'file' : 'other');
  const missing = (error: unknown) => error instanceof SftpStatusError && error.status === 2;

  return {
    label: connection.address,
    ...(engineHost ? { engineHost } : {}),
    run: (command, args, options) => runner.run(command, args, options),
    async makeScratch(prefix, owner) {
      const dir = await tmp();
      return onRemote(dir, async () => makeOwnedFolder(await sftp(), dir, prefix, owner));
    },
    async makeDirectory(path) {
      await onRemote(path, async () => makeDirectories(await sftp(), path));
    },
    async writeFile(path, content, mode = 0o644) {
      await onRemote(path, async () => (await sftp()).writeFile(path, Buffer.from(content), mode));
    },
    async copyInto(from, to, path) {
      const session = await sftp();
      const source = posix.join(from, path);
      const target = posix.join(to, path);
      const copied = await onRemote(source, async () => {
        if (!(await session.stat(source, false))) return true;
        // As the local host: what was at the target goes first (never written through, never merged).
        await remove(target);
        await makeDirectories(session, posix.dirname(target));
        // Over the shell, cp does a whole tree in one command.
        return !session.overShell && sftpCopy(session, source, target);
      });
      if (!copied) await shell('rm -rf -- "$2/$3"; cp -pPR -- "$1/$3" "$2/$3"', from, to, path);
    },
    readHead(path, maxBytes) {
      return onRemote(path, async () => {
        const session = await sftp();
        const attrs = await session.stat(path);
        if (!attrs || !isFileMode(attrs.mode)) return null;
        return session.readHead(path, maxBytes);
      });
    },
    async list(path) {
      const entries = await onRemote(path, async () => (await sftp()).readdir(path).catch((error: unknown) => {
        if (missing(error)) return [];
        throw error;
      }));
      return entries.map(({ name, attrs }) => ({ name, type: typeOf(attrs.mode), size: attrs.size }));
    },
    remove,
    async findDocker() {
      return (await facts()).docker;
    },
    // tp7 answers the reads here, on the grader's side, over its own connection to the student's engine; the
    // remote's sshd carries the socket into the scratch folder (refused by an sshd without stream-local forwarding).
    async serveEngineReads(socketPath, engine) {
      const local = connection.privateSocketPath();
      const proxy = await serveEngineReads(local, engine);
      try {
        await connection.forwardToLocalSocket(socketPath, local, HOUSEKEEPING_MS);
      } catch {
        await proxy.close();
        return undefined;
      }
      return {
        async close() {
          await connection.cancelRemoteForward(socketPath, local, HOUSEKEEPING_MS).catch(() => undefined);
          await proxy.close();
        },
      };
    },
    async sweepScratch(prefix, stale) {
      const dir = await tmp();
      const session = await sftp();
      for (const entry of await session.readdir(dir).catch(() => [])) {
        if (!entry.name.startsWith(prefix) || !isDirectoryMode(entry.attrs.mode)) continue;
        const ownerFile = posix.join(dir, entry.name, 'OWNER');
        const attrs = await session.stat(ownerFile, false).catch(() => null);
        if (!attrs || !isFileMode(attrs.mode)) continue;
        const owner = (await session.readHead(ownerFile, 4096).catch(() => null))?.toString('utf8');
        // rm -rf, not SFTP: another user of the machine may have made this folder, and rm never follows a link
        // swapped in mid-removal, where SFTP requests by path would.
        if (owner !== undefined && stale(owner, attrs.mtimeMs)) await shell('rm -rf -- "$1"', posix.join(dir, entry.name));
      }
    },
  };
}

/** As mktemp -d: a new name, made by mkdir (which never reuses nor follows an existing path), mode 0700, with OWNER. */
async function makeOwnedFolder(session: FileSession, dir: string, prefix: string, owner: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const scratch = posix.join(dir, `${prefix}${randomBytes(6).toString('hex')}`);
    try {
      await session.mkdir(scratch, 0o700);
    } catch (error) {
      if (attempt < 3 && error instanceof SftpStatusError && error.status === SFTP_FAILURE) continue;
      throw error;
    }
    await session.writeFile(posix.join(scratch, 'OWNER'), Buffer.from(owner), 0o600);
    return scratch;
  }
}

/** mkdir -p over SFTP: an existing folder is fine, missing parents are made first. */
async function makeDirectories(session: FileSession, path: string): Promise<void> {
  const attrs = await session.stat(path);
  if (attrs && isDirectoryMode(attrs.mode)) return;
  const parent = posix.dirname(path);
  if (parent !== path) await makeDirectories(session, parent);
  try {
    await session.mkdir(path);
  } catch (error) {
    // Made meanwhile by a concurrent caller: fine. Anything else is the server's own reason.
    const now = await session.stat(path);
    if (!now || !isDirectoryMode(now.mode)) throw error;
  }
}

/**
 * Copies a file or a folder (recursively) over SFTP, permission bits kept; false, having copied nothing of it,
 * when the tree holds what SFTP v3 cannot make as `cp -pPR` would (a symbolic link, a device, a large file).
 */
async function sftpCopy(session: FileSession, source: string, target: string): Promise<boolean> {
  if (!(await copiableOverSftp(session, source))) return false;
  await copyTree(session, source, target);
  return true;
}

async function copiableOverSftp(session: FileSession, path: string): Promise<boolean> {
  const attrs = await session.stat(path, false);
  if (!attrs) return true;
  if (isFileMode(attrs.mode)) return attrs.size <= MAX_SFTP_COPY_BYTES;
  if (!isDirectoryMode(attrs.mode)) return false;
  for (const entry of await session.readdir(path)) {
    if (!(await copiableOverSftp(session, posix.join(path, entry.name)))) return false;
  }
  return true;
}

async function copyTree(session: FileSession, source: string, target: string): Promise<void> {
  const attrs = await session.stat(source, false);
  if (!attrs) return;
  const mode = attrs.mode & 0o7777;
  if (isFileMode(attrs.mode)) {
    await session.writeFile(target, await session.readHead(source, attrs.size + 1), mode);
    return;
  }
  await makeDirectories(session, target);
  for (const entry of await session.readdir(source)) await copyTree(session, posix.join(source, entry.name), posix.join(target, entry.name));
  await session.chmod(target, mode);
}

/** rm -rf over SFTP: links removed as links, never followed; nothing when the path does not exist. */
async function sftpRemoveTree(session: FileSession, path: string): Promise<void> {
  const attrs = await session.stat(path, false);
  if (!attrs) return;
  if (!isDirectoryMode(attrs.mode)) return session.remove(path);
  await Promise.all((await session.readdir(path)).map((entry) => sftpRemoveTree(session, posix.join(path, entry.name))));
  await session.rmdir(path);
}
