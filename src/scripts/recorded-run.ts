// A recorded run: a student's script runs in a scratch copy of what it needs, with a `docker` first on its
// PATH that records every command line and performs nothing that changes the engine (see docker-shim.ts).
// The script's destructive modes are judged by what they would do, never by doing it. Reused by every probe
// that judges a script with side effects (exercise 6's cleanup modes, and later exercises' scripts).
import {
  accessSync, closeSync, constants, cpSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale, ownerId } from '../engine/probe-owner.js';
import type { ProcessResult, ProcessRunner } from '../processes/types.js';
import type { RecordedCall } from './command-rules.js';

export interface RecordedRunOptions {
  /** The student's workdir (absolute): the script and `files` are copied from there. */
  workdir: string;
  /** The script, relative to the workdir; run with bash. */
  script: string;
  args: string[];
  /** Other files or folders the script reads, relative to the workdir (copied when they exist). */
  files?: string[];
  timeoutMs: number;
  /** The engine the read-only commands are answered from (the checker's own, e.g. unix:///var/run/docker.sock). */
  engineHost: string;
  /** More environment for the script (e.g. a git identity). */
  env?: Record<string, string>;
  /** Prepares the scratch work folder once the files are copied (e.g. a VERSION file, a git repository). */
  setup?: (work: string) => Promise<void>;
  /** A folder of the run (relative to its working directory) whose files are returned: what the script wrote there. */
  collect?: string;
}

export interface RecordedRunWith<T> extends RecordedRun {
  /** What `inspect` read in the work folder after the run, before it was removed. */
  inspected: T;
}

/** A file the script left in the collected folder; `content` holds at most its first MAX_COLLECTED_BYTES. */
export interface WrittenFile {
  /** Relative to the run's working directory. */
  path: string;
  content: Buffer;
}

/** Enough of a file to read the stand-ins of save-stand-in.ts, compressed or not; and a bound on how many. */
const MAX_COLLECTED_BYTES = 1024 * 1024;
const MAX_COLLECTED_FILES = 200;

export interface RecordedRun extends ProcessResult {
  /** Every docker command line the script made, in order. */
  calls: RecordedCall[];
  /** The files left in the `collect` folder (none without one). */
  written: WrittenFile[];
}

/** The scratch folders are named so: owned by this tool, removed after each run. */
export const SCRATCH_PREFIX = 'tp7-recorded-';

/** The compiled shim; run from the sources (unit tests), the built copy of the project is used. */
function shimPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'docker-shim.js');
  return existsSync(beside) ? beside : resolve(here, '../../dist/scripts/docker-shim.js');
}

/** The real docker CLI on PATH, if any: what the shim forwards reads to. */
export function findDockerCli(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'docker');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function copyInto(from: string, to: string, path: string): void {
  const source = resolve(from, path);
  if (!existsSync(source)) return;
  const target = resolve(to, path);
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
}

/** Writes the scratch folder: bin/docker (and bin/sudo, so `sudo docker` is recorded too) and work/. */
function prepare(scratch: string, options: RecordedRunOptions): { bin: string; work: string; record: string } {
  const bin = join(scratch, 'bin');
  const work = join(scratch, 'work');
  mkdirSync(bin);
  mkdirSync(work);
  writeFileSync(join(scratch, 'OWNER'), `tp7 recorded run, owner ${ownerId()}\n`);
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(shimPath())} "$@"\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n', { mode: 0o755 });
  for (const path of [options.script, ...(options.files ?? [])]) copyInto(options.workdir, work, path);
  const record = join(scratch, 'record.jsonl');
  writeFileSync(record, '');
  return { bin, work, record };
}

/**
 * Scratch folders of runs whose tp7 was killed before it could clean up: ours (OWNER says so), owner gone, as
 * probe containers are judged (src/engine/probe-owner.ts: a reused pid is not mistaken for the owner).
 */
function sweepStale(): void {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(SCRATCH_PREFIX))) {
    const folder = join(tmpdir(), name);
    try {
      const file = join(folder, 'OWNER');
      const owner = /^tp7 recorded run, owner (\S+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
      if (owner && isStale(owner, statSync(file).mtimeMs)) rmSync(folder, { recursive: true, force: true });
    } catch {
      // not one of ours, or another process is removing it
    }
  }
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(fstatSync(fd).size, MAX_COLLECTED_BYTES));
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The regular files under `folder` of the work copy (symbolic links are not followed out of it). */
function collectFiles(work: string, folder: string | undefined): WrittenFile[] {
  if (!folder) return [];
  const root = resolve(work, folder);
  if (!root.startsWith(`${work}/`) || !existsSync(root)) return [];
  const found: WrittenFile[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (found.length >= MAX_COLLECTED_FILES) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) found.push({ path: relative(work, path), content: readHead(path) });
    }
  };
  visit(root);
  return found;
}

function readRecord(file: string): RecordedCall[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCall);
}

/**
 * Runs `bash SCRIPT ARGS...` in a scratch folder and returns its result with the docker calls it made.
 * DOCKER_HOST points at a socket that does not exist, so a script calling docker by its full path (around the
 * shim) reaches no engine; only the shim knows the real one.
 */
export async function recordedRun(runner: ProcessRunner, options: RecordedRunOptions): Promise<RecordedRun>;
/** The same, with `inspect` reading the work folder after the run (what the script wrote, its git tags...). */
export async function recordedRun<T>(runner: ProcessRunner, options: RecordedRunOptions, inspect: (work: string) => Promise<T>): Promise<RecordedRunWith<T>>;
export async function recordedRun<T>(runner: ProcessRunner, options: RecordedRunOptions, inspect?: (work: string) => Promise<T>): Promise<RecordedRun | RecordedRunWith<T>> {
  sweepStale();
  const scratch = mkdtempSync(join(tmpdir(), SCRATCH_PREFIX));
  try {
    const { bin, work, record } = prepare(scratch, options);
    await options.setup?.(work);
    // HOME inside the scratch folder: a script writing to $HOME/docker-backups or ~/... (a backup script, a
    // release log) must not overwrite the student's real files with the stand-ins of a recorded run.
    const home = join(scratch, 'home');
    mkdirSync(home, { recursive: true });
    const env: Record<string, string> = {
      HOME: home,
      ...options.env,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}`,
      TP7_RECORD_FILE: record,
      TP7_REAL_DOCKER: findDockerCli() ?? '',
      TP7_REAL_DOCKER_HOST: options.engineHost,
    };
    const result = await runner.run('bash', [options.script, ...options.args], { cwd: work, timeoutMs: options.timeoutMs, env });
    const run = { ...result, calls: readRecord(record), written: collectFiles(work, options.collect) };
    return inspect ? { ...run, inspected: await inspect(work) } : run;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
