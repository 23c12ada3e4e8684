// The machine a student's script runs on in a recorded run: this one (local-host.ts), or the student's own over
// SSH (src/ssh/). A recorded run and the `setup`/`inspect` steps of the probes that use one go through this
// interface only, so the same safe run (scratch folder, shell shim, HOME inside it, no engine on DOCKER_HOST)
// happens wherever the student's files are. Every path here is absolute on that machine, in POSIX form.
import type { EngineAddress } from '../engine/address.js';
import { withSignal, type ProcessRunner } from '../processes/types.js';
import type { ReadProxy } from './read-proxy.js';

/** One entry of a folder, as `lstat` sees it: a symbolic link is a link, never what it points to. */
export interface HostEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
}

/**
 * Runs commands (`run`, as ProcessRunner: `cwd` absolute, `env` added to the host's own environment, the time
 * limit and `signal` kill the whole process group) and works on files, on one machine.
 */
export interface ScriptHost extends ProcessRunner {
  /** Where the host is, for messages: "local", or the ssh:// address. */
  readonly label: string;
  /**
   * The engine as commands run on this host reach it (DOCKER_HOST of the reads a recorded run forwards), when
   * it differs from the probe's engine address: the student's own socket when the grader reaches it by ssh://.
   */
  readonly engineHost?: string;
  /**
   * Makes a new, empty folder in the host's temporary folder, named `prefix` and something unique, owned by the
   * running user only (mode 0700), with a file `OWNER` holding `owner`. Returns its absolute path.
   */
  makeScratch(prefix: string, owner: string): Promise<string>;
  /** Makes a folder and its parents; an existing folder is fine. */
  makeDirectory(path: string): Promise<void>;
  /** Writes a whole file (replacing it), with `mode` (e.g. 0o755 for a script; default 0o644). */
  writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void>;
  /**
   * Copies `path` (relative) from the folder `from` to the same relative path under `to`, folders recursively,
   * modes kept, symbolic links as links to where the originals point (a relative target made absolute).
   * Nothing when `from/path` does not exist.
   */
  copyInto(from: string, to: string, path: string): Promise<void>;
  /** The first `maxBytes` bytes of a regular file; null when there is no such file (or it is not one). */
  readHead(path: string, maxBytes: number): Promise<Buffer | null>;
  /** The entries of a folder, without `.` and `..`; empty when there is no such folder. */
  list(path: string): Promise<HostEntry[]>;
  /** Removes a file or a folder with everything in it; nothing when it does not exist. */
  remove(path: string): Promise<void>;
  /** The real docker CLI on the host's PATH (an absolute path), if any. */
  findDocker(): Promise<string | undefined>;
  /**
   * Makes a unix socket at `socketPath` (absolute, on the host, its folder existing) where tp7 itself answers the
   * engine's reads a recorded run's shim forwards (read-proxy.ts), from `engine`; undefined when it cannot be
   * made there (an sshd refusing to forward a socket).
   */
  serveEngineReads(socketPath: string, engine: EngineAddress): Promise<ReadProxy | undefined>;
  /**
   * Removes the folders of the temporary folder named `prefix…` whose OWNER file's text and modification time
   * `stale` judges abandoned; a folder without a readable OWNER is left alone.
   */
  sweepScratch(prefix: string, stale: (owner: string, mtimeMs: number) => boolean): Promise<void>;
}

/** The same host, with `signal` given to every run that does not bring its own (as withSignal for a runner). */
export function hostWithSignal(host: ScriptHost, signal: AbortSignal): ScriptHost {
  const run = withSignal(host, signal).run;
  // A proxy rather than a copy: an implementation written as a class keeps its methods and private fields.
  return new Proxy(host, {
    get(target, key) {
      if (key === 'run') return run;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
