import type { z } from 'zod';
import type { EngineClient } from '../engine/types.js';
import type { Localized } from '../lab/text.js';
import type { FileAccess } from '../files/types.js';
import type { HttpClient } from '../http/client.js';
import type { ProcessRunner } from '../processes/types.js';
import type { RegistryClient } from '../registry/types.js';

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
  /** Plain HTTP GETs of services the student runs (bounded). Optional: callers that never check a web page omit it. */
  http?: HttpClient;
}

export interface ProbeKind<Spec extends { kind: string }> {
  kind: Spec['kind'];
  /** zod schema of the probe's fields in a lab definition (a strict object with `kind` as a literal). */
  schema: z.ZodType<Spec>;
  run(spec: Spec, clients: ProbeClients): Promise<Outcome>;
}

export function outcome(status: CheckStatus, expected: string, actual: string, message: Localized): Outcome {
  return { status, expected, actual, message };
}
