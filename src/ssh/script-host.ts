// The student's own machine as a ScriptHost (src/scripts/script-host.ts): recorded runs happen there, over the
// same ssh master, with the same scratch folder, shell shim and time limits as on this machine. Files move
// over SFTP; what POSIX tools do in one line (mktemp, cp -pPR, rm -rf) runs as a command.
import { posix } from 'node:path';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import type { HostEntry, ScriptHost } from '../scripts/script-host.js';
import type { ProcessRunner } from '../processes/types.js';
import type { SshConnection } from './connection.js';
import { isDirectoryMode, isFileMode, isLinkMode, SftpStatusError, type SftpSession } from './sftp.js';

/** Housekeeping commands (mkdir, cp, rm) are quick: this bounds a hung remote. */
const HOUSEKEEPING_MS = 30_000;

/**
 * `engineHost`: the engine as the remote's own `docker` reaches it (its DOCKER_HOST, else the default socket), for
 * the reads a recorded run forwards there: the grader's ssh:// address means nothing on the student's machine.
 */
export function sshScriptHost(connection: SshConnection, runner: ProcessRunner, sftp: () => Promise<SftpSession>, engineHost?: string): ScriptHost {
  /** A POSIX sh one-liner with its arguments; fails with its stderr when it exits non-zero. */
  const shell = async (script: string, ...args: string[]): Promise<string> => {
    const result = await runner.run('sh', ['-c', script, 'sh', ...args], { cwd: '/', timeoutMs: HOUSEKEEPING_MS });
    if (result.exitCode !== 0) {
      const why = result.timedOut ? `no answer within ${HOUSEKEEPING_MS / 1000} s` : result.stderr.trim().split('\n').at(-1) ?? `exit ${result.exitCode}`;
      throw new CheckError(both(`${connection.address} : échec sur la machine distante (${why})`, `${connection.address}: failed on the remote machine (${why})`));
    }
    return result.stdout;
  };
  let temporary: Promise<string> | undefined;
  const tmp = () => (temporary ??= shell('printf %s "${TMPDIR:-/tmp}"').then((dir) => dir.replace(/\/+$/, '') || '/tmp'));
  const typeOf = (mode: number): HostEntry['type'] => (isLinkMode(mode) ? 'symlink' : isDirectoryMode(mode) ? 'directory' : isFileMode(mode) ? 'file' : 'other');
  const missing = (error: unknown) => error instanceof SftpStatusError && error.status === 2;

  return {
    label: connection.address,
    ...(engineHost ? { engineHost } : {}),
    run: (command, args, options) => runner.run(command, args, options),
    async makeScratch(prefix, owner) {
      const dir = await shell('umask 077 && d=$(mktemp -d "$1/$2XXXXXXXX") && printf %s "$3" > "$d/OWNER" && printf %s "$d"', await tmp(), prefix, owner);
      return dir.trim();
    },
    async makeDirectory(path) {
      await shell('mkdir -p -- "$1"', path);
    },
    async writeFile(path, content, mode = 0o644) {
      await (await sftp()).writeFile(path, Buffer.from(content), mode);
    },
    async copyInto(from, to, path) {
      await shell('[ -e "$1/$3" ] || [ -L "$1/$3" ] || exit 0; mkdir -p -- "$(dirname -- "$2/$3")" && cp -pPR -- "$1/$3" "$2/$3"', from, to, path);
    },
    async readHead(path, maxBytes) {
      const session = await sftp();
      const attrs = await session.stat(path);
      if (!attrs || !isFileMode(attrs.mode)) return null;
      return session.readHead(path, maxBytes);
    },
    async list(path) {
      const entries = await (await sftp()).readdir(path).catch((error: unknown) => {
        if (missing(error)) return [];
        throw error;
      });
      return entries.map(({ name, attrs }) => ({ name, type: typeOf(attrs.mode), size: attrs.size }));
    },
    async remove(path) {
      await shell('rm -rf -- "$1"', path);
    },
    async findDocker() {
      const found = (await shell('command -v docker || true')).trim();
      return posix.isAbsolute(found) ? found : undefined;
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
        if (owner !== undefined && stale(owner, attrs.mtimeMs)) await shell('rm -rf -- "$1"', posix.join(dir, entry.name));
      }
    },
  };
}
