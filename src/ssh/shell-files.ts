// The requests of sftp.ts over the remote's shell, for an sshd that offers no SFTP (a hardened image without its
// `Subsystem sftp` line): one POSIX sh one-liner each (stat, head -c, cat, mkdir...), over the same ssh master,
// with the tools of GNU coreutils and of busybox alike. Slower than SFTP, since each request is a command and
// each command starts the remote user's login shell: used only where SFTP is missing (file-session.ts). Paths
// are absolute on the remote, as SFTP's are; bytes come back as they are (the output is read as a Buffer).
import type { ChildProcess } from 'node:child_process';
import { CheckError } from '../errors.js';
import { both } from '../lab/lang.js';
import { showControlsInline } from '../ui/escape.js';
import type { SshConnection } from './connection.js';
import { explainSsh, SshError, sshReason } from './errors.js';
import type { FileSession } from './file-session.js';
import { connectionTurns } from './processes.js';
import { SftpStatusError, type SftpAttrs, type SftpUnavailableError } from './sftp.js';

/** The exit code our scripts give for "no such file": SFTP's status 2 to the callers. */
const MISSING = 3;
const NO_SUCH_FILE = 2;
const FAILURE = 4;
/** One request is quick (a stat, a small file): this bounds a hung remote. Streams have no limit of their own. */
const REQUEST_MS = 30_000;

/** stat's fields, in one line: size, raw mode in hex, mtime in seconds (GNU coreutils and busybox both). */
const STAT_FORMAT = '%s %f %Y';

const SCRIPTS = {
  stat: `[ -e "$1" ] || exit ${MISSING}; exec stat -L -c '${STAT_FORMAT}' -- "$1"`,
  lstat: `[ -e "$1" ] || [ -L "$1" ] || exit ${MISSING}; exec stat -c '${STAT_FORMAT}' -- "$1"`,
  // Each entry as its stat line, then its name ended by NUL (a name may hold a line break, never a NUL).
  readdir: `[ -d "$1" ] || { [ -e "$1" ] && echo "$1: not a folder" >&2 && exit 1; exit ${MISSING}; }; cd -- "$1" || exit 1; for f in * .[!.]* ..?*; do { [ -e "$f" ] || [ -L "$f" ]; } && stat -c '${STAT_FORMAT}' -- "$f" && printf '%s\\0' "$f"; done; exit 0`,
  // busybox's realpath takes no `--`: the path is absolute.
  realpath: `[ -e "$1" ] || exit ${MISSING}; realpath "$1" 2>/dev/null || readlink -f "$1"`,
  readHead: `[ -e "$1" ] || exit ${MISSING}; exec head -c "$2" -- "$1"`,
  cat: `[ -e "$1" ] || exit ${MISSING}; exec cat -- "$1"`,
  // The content comes on stdin; the mode is set after, as SFTP's OPEN leaves an existing file's mode alone.
  writeFile: 'cat > "$1" && exec chmod "$2" -- "$1"',
  mkdir: 'exec mkdir -m "$2" -- "$1"',
  chmod: 'exec chmod "$2" -- "$1"',
  remove: `{ [ -e "$1" ] || [ -L "$1" ]; } || exit ${MISSING}; [ ! -d "$1" ] || [ -L "$1" ] || { echo "$1: a folder" >&2; exit 1; }; exec rm -f -- "$1"`,
  rmdir: `[ -e "$1" ] || exit ${MISSING}; exec rmdir -- "$1"`,
} as const;

interface Reply {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const octal = (mode: number) => (mode & 0o7777).toString(8);

function parseAttrs(line: string): SftpAttrs {
  const [size = '0', mode = '0', mtime = '0'] = line.trim().split(' ');
  return { size: Number(size), mode: parseInt(mode, 16), mtimeMs: Number(mtime) * 1000 };
}

export function shellFileSession(connection: SshConnection, unavailable: SftpUnavailableError): FileSession {
  const turn = connectionTurns(connection);
  const start = (script: string, args: readonly string[]): ChildProcess => connection.exec(['sh', '-c', script, 'sh', ...args]);

  /**
   * What went wrong, as SFTP would say it: no such file (status 2), or the remote's own words (status 4: a
   * permission, a folder that exists). A tool the shell lacks (126, 127) is SFTP's absence that nothing could make
   * up for: the one line saying what to add to sshd_config, and what the shell said.
   */
  const failure = (reply: Reply, path: string): Error => {
    if (reply.code === MISSING) return new SftpStatusError(NO_SUCH_FILE, `${path}: no such file`);
    // 255 before anything ran: ssh itself failed (the master went away, the host is gone).
    if (reply.code === 255) return new CheckError(explainSsh(new SshError(sshReason(reply.stderr, 'ssh exited with 255'), 255), connection.address));
    const said = showControlsInline(reply.stderr.trim().split('\n').at(-1) || `exit ${reply.code}`).slice(0, 240);
    if (reply.code !== 126 && reply.code !== 127) return new SftpStatusError(FAILURE, said);
    return new CheckError(both(`${unavailable.text.fr} (son shell n'a pas pu le remplacer : « ${said} »)`, `${unavailable.text.en} (its shell could not stand in: "${said}")`));
  };

  /** Runs one script within a turn of the connection's commands; the whole output, or the failure. */
  const request = (script: string, args: readonly string[], path: string, input?: Buffer): Promise<Buffer> =>
    turn(
      () =>
        new Promise<Reply>((resolve, reject) => {
          const child = start(script, args);
          const out: Buffer[] = [];
          let stderr = '';
          const limit = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new CheckError(both(`${connection.address} : pas de réponse en ${REQUEST_MS / 1000} s`, `${connection.address}: no answer within ${REQUEST_MS / 1000} s`)));
          }, REQUEST_MS);
          child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
          child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
          child.stdin!.on('error', () => undefined);
          child.stdin!.end(input);
          child.once('error', (error) => {
            clearTimeout(limit);
            reject(error);
          });
          child.once('close', (code) => {
            clearTimeout(limit);
            resolve({ code, stdout: Buffer.concat(out), stderr });
          });
        }),
    ).then((reply) => {
      if (reply.code !== 0) throw failure(reply, path);
      return reply.stdout;
    });

  const stat = async (path: string, follow = true): Promise<SftpAttrs | null> => {
    try {
      return parseAttrs((await request(follow ? SCRIPTS.stat : SCRIPTS.lstat, [path], path)).toString('utf8'));
    } catch (error) {
      if (error instanceof SftpStatusError && error.status === NO_SUCH_FILE) return null;
      throw error;
    }
  };

  return {
    overShell: true,
    stat,
    async realpath(path) {
      return (await request(SCRIPTS.realpath, [path], path)).toString('utf8').replace(/\n$/, '');
    },
    async readdir(path) {
      const text = (await request(SCRIPTS.readdir, [path], path)).toString('utf8');
      const entries: Array<{ name: string; attrs: SftpAttrs }> = [];
      for (let at = 0; at < text.length; ) {
        const lineEnd = text.indexOf('\n', at);
        const nameEnd = text.indexOf('\0', lineEnd + 1);
        if (lineEnd < 0 || nameEnd < 0) break;
        entries.push({ attrs: parseAttrs(text.slice(at, lineEnd)), name: text.slice(lineEnd + 1, nameEnd) });
        at = nameEnd + 1;
      }
      return entries;
    },
    readHead: (path, maxBytes) => request(SCRIPTS.readHead, [path, String(maxBytes)], path),
    async *chunks(path) {
      // The stream holds one of the connection's command turns until it ends or its reader lets it go.
      let child: ChildProcess | undefined;
      let begun!: () => void;
      const started = new Promise<void>((resolve) => (begun = resolve));
      let stderr = '';
      const closed = turn(
        () =>
          new Promise<number | null>((resolve) => {
            child = start(SCRIPTS.cat, [path]);
            child.stdin!.end();
            child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
            child.once('error', () => resolve(null));
            child.once('close', resolve);
            begun();
          }),
      );
      await started;
      try {
        for await (const chunk of child!.stdout!) yield chunk as Buffer;
        const code = await closed;
        if (code !== 0) throw failure({ code, stdout: Buffer.alloc(0), stderr }, path);
      } finally {
        if (child!.exitCode === null && child!.signalCode === null) child!.kill('SIGTERM');
      }
    },
    async writeFile(path, content, mode) {
      await request(SCRIPTS.writeFile, [path, octal(mode)], path, content);
    },
    async mkdir(path, mode = 0o755) {
      await request(SCRIPTS.mkdir, [path, octal(mode)], path);
    },
    async chmod(path, mode) {
      await request(SCRIPTS.chmod, [path, octal(mode)], path);
    },
    async remove(path) {
      await request(SCRIPTS.remove, [path], path);
    },
    async rmdir(path) {
      await request(SCRIPTS.rmdir, [path], path);
    },
    end() {},
  };
}
