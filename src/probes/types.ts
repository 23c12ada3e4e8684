import type { StoredReadings } from '../cache/stored-readings.js';
import type { z } from 'zod';
import type { EngineClient } from '../engine/types.js';
import type { Localized } from '../lab/text.js';
import type { FileAccess } from '../files/types.js';
import type { HttpClient } from '../http/client.js';
import type { ProcessRunner } from '../processes/types.js';
import type { RegistryClient } from '../registry/types.js';
import type { ScriptHost } from '../scripts/script-host.js';

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

/** What every probe and question returns: one shape for every check. */
export interface Outcome {
  status: CheckStatus;
  /** What the check wanted, in words a student can read (never the hidden answer of a question). */
  expected: string;
  /** What was found. */
  actual: string;
  message: Localized;
}

/** Everything a probe may touch, handed in by the caller so assertions stay apart from I/O. */
export interface ProbeClients {
  engine: EngineClient;
  registry: RegistryClient;
  /** The student's working directory: files are read relative to it. */
  workdir: string;
  /** The student's files, confined to the workdir. */
  files: FileAccess;
  /** Runs the student's scripts with a time limit. */
  processes: ProcessRunner;
  /**
   * Aborted when the check's time limit is reached (or tp7 stops): long work should give up then. The runner
   * already hands it to `processes.run` of these clients, so a probe that only runs scripts has nothing to do.
   */
  signal?: AbortSignal;
  /**
   * Where recorded runs happen (scratch folders, the shell shim, the student's scripts and git): the machine of
   * the student's files. Default: this machine, through `processes` (src/scripts/local-host.ts).
   */
  scripts?: ScriptHost;
  /** Plain HTTP GETs of services the student runs (bounded). Optional: callers that never check a web page omit it. */
  http?: HttpClient;
  /**
   * Readings of archives and images kept by earlier tp7 processes (src/cache/stored-readings.ts): given to
   * students' checks (check, watch, hint), never to `--strict` or grading, which read everything again.
   */
  stored?: StoredReadings;
}

/**
 * What a probe reads, as the names of its spec's fields holding it (`refs`, `container`, `files.path` for the
 * `path` of each item of a `files` list), or 'any' when it may read any of that kind (a listing of every
 * image). `tp7 watch` re-runs a check only when something it reads changed. A kind without `inputs` may
 * depend on anything: it is re-run on every change.
 */
export interface ProbeInputs {
  /** Image references (an engine event naming one re-runs the check). */
  images?: readonly string[] | 'any';
  /** Container names. */
  containers?: readonly string[] | 'any';
  /** Paths of the workdir (a file or folder changing under one re-runs the check). */
  files?: readonly string[] | 'any';
  /** It reads the lab's registry or Docker Hub, which tell of no change: it is re-run on each poll too. */
  registry?: boolean;
}

export interface ProbeKind<Spec extends { kind: string }> {
  kind: Spec['kind'];
  /** zod schema of the probe's fields in a lab definition (a strict object with `kind` as a literal). */
  schema: z.ZodType<Spec>;
  run(spec: Spec, clients: ProbeClients): Promise<Outcome>;
  /** What it reads; see ProbeInputs. */
  inputs?: ProbeInputs;
  /**
   * Running it does something besides reading (it runs a student's script, sends a request that changes
   * state): it is never run again while its inputs are unchanged (see src/runner/reuse.ts).
   */
  sideEffects?: boolean;
}

export function outcome(status: CheckStatus, expected: string, actual: string, message: Localized): Outcome {
  return { status, expected, actual, message };
}
