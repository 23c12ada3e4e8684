// One error module: every failure the user should see as a one-line message (not a stack trace)
// is a Tp7Error carrying its exit code. The single exit point in cli/main.ts turns them into output.

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  invalidLab: 2,
  engineUnreachable: 3,
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class Tp7Error extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Extra lines shown under the message (never a stack trace). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends Tp7Error {
  constructor(message: string, details: string[] = []) {
    super(message, ExitCode.usage, details);
  }
}

/** A lab definition that does not validate: every problem is listed, one `file: path: message` per line. */
export class LabDefinitionError extends Tp7Error {
  constructor(readonly problems: string[]) {
    super(`invalid lab definitions (${problems.length} problem${problems.length === 1 ? '' : 's'})`, ExitCode.invalidLab, problems);
  }
}

export class EngineUnreachableError extends Tp7Error {
  constructor(host: string, reason: string) {
    super(
      `cannot reach the Docker engine at ${host} (${reason}); start Docker or set DOCKER_HOST, then run \`tp7 doctor\``,
      ExitCode.engineUnreachable,
    );
  }
}

/** Shortens any thrown value to one readable line (for check errors recorded in a report). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim().slice(0, 300);
}
