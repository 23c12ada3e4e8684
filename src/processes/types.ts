export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The time limit was reached, or `signal` aborted the run: the script's whole process group was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Relative to the workdir. */
  cwd?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  /**
   * Aborting it stops the script like its time limit does (its whole process group). The check runner passes
   * its check's signal here by itself (see withSignal): probes need not forward it.
   */
  signal?: AbortSignal;
}

/** Runs a student's script (never a docker command for a probe: probes ask the Engine API directly). */
export interface ProcessRunner {
  run(command: string, args: string[], options: RunOptions): Promise<ProcessResult>;
}

/** The same runner, with `signal` given to every run that does not bring its own. */
export function withSignal(runner: ProcessRunner, signal: AbortSignal): ProcessRunner {
  return { run: (command, args, options) => runner.run(command, args, { signal, ...options }) };
}
