export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** Relative to the workdir. */
  cwd?: string;
  timeoutMs: number;
  env?: Record<string, string>;
}

/** Runs a student's script (never a docker command for a probe: probes ask the Engine API directly). */
export interface ProcessRunner {
  run(command: string, args: string[], options: RunOptions): Promise<ProcessResult>;
}
