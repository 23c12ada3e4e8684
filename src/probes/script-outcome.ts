// What every probe that runs a student's script says when the script is missing, too slow or failing: one
// wording for all of them, so exercise 4 and exercise 5 read alike.
import { both } from '../lab/text.js';
import type { ProcessResult } from '../processes/types.js';
import { outcome, type Outcome } from './types.js';

/** The `fail` outcome for a script that is not in the workdir. */
export function scriptMissing(script: string, expected: string): Outcome {
  return outcome('fail', expected, `${script} not found`, both(
    `${script} est introuvable dans votre dossier de travail.`,
    `${script} is not in your working directory.`,
  ));
}

/**
 * The last line of stderr that says something: a script under `set -e` ends on the error that stopped it,
 * while its first lines are often progress or warnings.
 */
export function lastErrorLine(stderr: string): string {
  return stderr.split('\n').map((line) => line.trim()).filter(Boolean).pop() ?? '';
}

/**
 * The `fail` outcome for a run that timed out or ended with a non-zero code, or undefined when it succeeded.
 * `command` is what the student would type (the script and its arguments).
 */
export function scriptRunProblem(command: string, run: ProcessResult, timeoutSeconds: number, expected: string): Outcome | undefined {
  if (run.timedOut) {
    return outcome('fail', expected, `timed out after ${timeoutSeconds} s`, both(
      `${command} n'a pas fini en ${timeoutSeconds} s.`,
      `${command} did not finish within ${timeoutSeconds} s.`,
    ));
  }
  if (run.exitCode === 0) return undefined;
  const line = lastErrorLine(run.stderr);
  const code = run.exitCode === null ? 'stopped by a signal' : `exit code ${run.exitCode}`;
  const codeFr = run.exitCode === null ? 'arrêté par un signal' : `code ${run.exitCode}`;
  return outcome('fail', expected, `${code}${line ? `: ${line}` : ''}`, both(
    `${command} a échoué (${codeFr})${line ? ` : ${line}` : ''}.`,
    `${command} failed (${code})${line ? `: ${line}` : ''}.`,
  ));
}
