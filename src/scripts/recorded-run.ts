// A recorded run: a student's script runs in a scratch copy of what it needs, with a `docker` first on its
// PATH that records every command line and performs nothing that changes the engine (see shell-shim.ts).
// The script's destructive modes are judged by what they would do, never by doing it. Reused by every probe
// that judges a script with side effects (exercise 6's cleanup modes, and later exercises' scripts). Everything
// goes through a ScriptHost: the same run happens on this machine or on a student's over SSH.
import { posix } from 'node:path';
import { engineAddressFromEnv, type EngineAddress } from '../engine/address.js';
import { isStale, ownerId } from '../engine/probe-owner.js';
import type { ProcessResult } from '../processes/types.js';
import { pick, type Lang, type LocalizedText } from '../lab/lang.js';
import type { ReportNote } from '../report/json.js';
import { NO_READ_SOCKET, notIsolatedNote, sandboxed, sandboxOutcome, THIS_MACHINE } from './sandbox.js';
import type { RecordedCall } from './command-rules.js';
import { readRecord } from './record.js';
import { cliEngineHost } from '../ssh/engine-socket.js';
import type { ScriptHost } from './script-host.js';
import { dockerShim, shellQuote, SUDO_SHIM } from './shell-shim.js';

const { join, relative, resolve } = posix;

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
  /** The same engine's whole address (TLS files), when the caller has it (EngineClient.address). */
  engineAddress?: EngineAddress;
  /** More environment for the script (e.g. a git identity). */
  env?: Record<string, string>;
  /** Prepares the scratch work folder once the files are copied (e.g. a VERSION file, a git repository). */
  setup?: (work: string, host: ScriptHost) => Promise<void>;
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
  /**
   * Why the script could not be kept from the engine (sandbox.ts): then only the shim's record tells what it did,
   * and a script going around the shim could have reached the engine. Absent: it ran isolated.
   */
  notIsolated?: LocalizedText;
}

/** Hosts where no sandbox can be made, and why: not tried again in this process. */
const noSandbox = new Map<string, LocalizedText>();
/** Hosts where a recorded run of this process ran without isolation, and why: said in the report. */
const unisolated = new Map<string, LocalizedText>();

/** Every host (its label) where recorded runs of this process ran without isolation, with the reason. */
export function unisolatedHosts(): ReadonlyMap<string, LocalizedText> {
  return unisolated;
}

/**
 * Whether recorded runs on `host` can be kept from the engine: a sandbox made around `true` in a scratch folder
 * (what `tp7 doctor` says). A host found without isolation is remembered as a recorded run would.
 */
export async function isolationOf(host: ScriptHost): Promise<{ isolated: true } | { isolated: false; reason: LocalizedText }> {
  const known = noSandbox.get(host.label);
  if (known) return { isolated: false, reason: known };
  const scratch = await host.makeScratch(SCRATCH_PREFIX, `tp7 recorded run, owner ${ownerId()}\n`);
  try {
    const box = sandboxed(scratch, 'true', []);
    const outcome = sandboxOutcome(await host.run(box.command, box.args, { cwd: scratch, timeoutMs: 30_000 }));
    if (outcome.isolated) return { isolated: true };
    noSandbox.set(host.label, outcome.reason);
    return outcome;
  } finally {
    await host.remove(scratch);
  }
}

/** A report's notes for the hosts (all of them when none is named) whose recorded runs ran without isolation. */
export function isolationNotes(lang: Lang, hosts?: readonly string[]): ReportNote[] {
  return [...unisolated]
    .filter(([host]) => !hosts || hosts.includes(host))
    .map(([host, reason]) => ({ id: 'recorded-runs-not-isolated', message: pick(notIsolatedNote(host === 'local' ? pick(THIS_MACHINE, lang) : host, reason), lang) }));
}

/** The scratch folders are named so: owned by this tool, removed after each run. */
export const SCRATCH_PREFIX = 'tp7-recorded-';

/** Bounds the record read back: a script calling docker in a loop must not fill the memory of the checker. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const OWNER_LINE = /^tp7 recorded run, owner (\S+)$/m;

interface Scratch {
  bin: string;
  work: string;
  home: string;
  record: string;
}

/** The engine's address as the caller knows it: with the TLS files of the environment when it is that engine. */
function addressOf(options: RecordedRunOptions): EngineAddress {
  if (options.engineAddress) return options.engineAddress;
  const fromEnv = engineAddressFromEnv();
  return fromEnv.host === options.engineHost ? fromEnv : { host: options.engineHost };
}

/**
 * Writes the scratch folder: bin/docker (and bin/sudo, so `sudo docker` is recorded too), work/, home/. The shim's
 * reads go to `reads` when tp7 serves them there (the run is then isolated), else to the engine as the host reaches it.
 */
async function prepare(host: ScriptHost, scratch: string, options: RecordedRunOptions, reads: string | undefined): Promise<Scratch> {
  const [bin, work, home, calls] = ['bin', 'work', 'home', 'calls'].map((name) => join(scratch, name)) as [string, string, string, string];
  const record = join(scratch, 'record');
  const [docker] = await Promise.all([host.findDocker(), ...[bin, work, home, calls].map((dir) => host.makeDirectory(dir))]);
  // On this machine, an ssh:// engine whose socket tp7 forwarded is read through that socket: the docker CLI's
  // own ssh would make a new connection, and start a login shell on the remote, for every forwarded read.
  const engineHost = reads ? `unix://${reads}` : host.engineHost ?? (host.label === 'local' ? cliEngineHost(options.engineHost) : options.engineHost);
  await Promise.all([
    host.writeFile(join(bin, 'docker'), dockerShim({ scratch, record, calls, docker, engineHost }), 0o755),
    host.writeFile(join(bin, 'sudo'), SUDO_SHIM, 0o755),
    host.writeFile(record, ''),
  ]);
  for (const path of [options.script, ...(options.files ?? [])]) await host.copyInto(options.workdir, work, path);
  return { bin, work, home, record };
}

/** The regular files under `folder` of the work copy (symbolic links are not followed out of it). */
async function collectFiles(host: ScriptHost, work: string, folder: string | undefined): Promise<WrittenFile[]> {
  if (!folder) return [];
  const root = resolve(work, folder);
  if (!root.startsWith(`${work}/`)) return [];
  const found: WrittenFile[] = [];
  const visit = async (dir: string) => {
    for (const entry of await host.list(dir)) {
      if (found.length >= MAX_COLLECTED_FILES) return;
      const path = join(dir, entry.name);
      if (entry.type === 'directory') await visit(path);
      else if (entry.type === 'file') {
        const content = await host.readHead(path, MAX_COLLECTED_BYTES);
        if (content) found.push({ path: relative(work, path), content });
      }
    }
  };
  await visit(root);
  return found;
}

/**
 * Runs `bash SCRIPT ARGS...` in a scratch folder of `host` and returns its result with the docker calls it
 * made. It runs in a sandbox where no engine can be reached (sandbox.ts): the shim's reads go to a socket where
 * tp7 answers them (read-proxy.ts). Where no sandbox can be made, it runs as the shim alone can keep it, with
 * DOCKER_HOST at a socket that does not exist, and the run says why (`notIsolated`).
 */
export async function recordedRun(host: ScriptHost, options: RecordedRunOptions): Promise<RecordedRun>;
/** The same, with `inspect` reading the work folder after the run (what the script wrote, its git tags...). */
export async function recordedRun<T>(host: ScriptHost, options: RecordedRunOptions, inspect: (work: string, host: ScriptHost) => Promise<T>): Promise<RecordedRunWith<T>>;
export async function recordedRun<T>(host: ScriptHost, options: RecordedRunOptions, inspect?: (work: string, host: ScriptHost) => Promise<T>): Promise<RecordedRun | RecordedRunWith<T>> {
  // Scratch folders of runs whose tp7 was killed before it could clean up: ours (OWNER says so), owner gone, as
  // probe containers are judged (src/engine/probe-owner.ts: a reused pid is not mistaken for the owner).
  await host.sweepScratch(SCRATCH_PREFIX, (text, mtimeMs) => {
    const owner = OWNER_LINE.exec(text)?.[1];
    return owner !== undefined && isStale(owner, mtimeMs);
  });
  const scratch = await host.makeScratch(SCRATCH_PREFIX, `tp7 recorded run, owner ${ownerId()}\n`);
  const proxy = await host.serveEngineReads(join(scratch, 'engine.sock'), addressOf(options)).catch(() => undefined);
  try {
    const { bin, work, home, record } = await prepare(host, scratch, options, proxy && join(scratch, 'engine.sock'));
    await options.setup?.(work, host);
    // HOME inside the scratch folder: a script writing to $HOME/docker-backups or ~/... (a backup script, a
    // release log) must not overwrite the student's real files with the stand-ins of a recorded run.
    const env: Record<string, string> = {
      HOME: home,
      ...options.env,
      DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}`,
    };
    // The shim goes first on the host's own PATH, whatever that PATH is there.
    const launch = `PATH=${shellQuote(bin)}:"$PATH"; export PATH; exec bash "$@"`;
    const script = ['-c', launch, 'bash', options.script, ...options.args];
    const runOptions = { cwd: work, timeoutMs: options.timeoutMs, env };
    let notIsolated = proxy ? noSandbox.get(host.label) : NO_READ_SOCKET;
    let result: ProcessResult | undefined;
    if (!notIsolated) {
      const box = sandboxed(scratch, 'bash', script);
      const outcome = sandboxOutcome(await host.run(box.command, box.args, runOptions));
      if (outcome.isolated) result = outcome.result;
      else noSandbox.set(host.label, (notIsolated = outcome.reason));
    }
    if (notIsolated) unisolated.set(host.label, notIsolated);
    // The script did not start in a sandbox that could not be made: it runs as the shim alone keeps it.
    result ??= await host.run('bash', script, runOptions);
    const calls = readRecord((await host.readHead(record, MAX_RECORD_BYTES)) ?? Buffer.alloc(0));
    const run = { ...result, calls, written: await collectFiles(host, work, options.collect), ...(notIsolated ? { notIsolated } : {}) };
    return inspect ? { ...run, inspected: await inspect(work, host) } : run;
  } finally {
    await proxy?.close();
    await host.remove(scratch);
  }
}
