// One error module: every failure the user should see as a one-line message (not a stack trace)
// is a Tp7Error carrying its exit code. The single exit point in cli/main.ts turns them into output,
// in the language of the run: a message is a `both(fr, en)` pair, never English alone.
import { both, type LocalizedText } from './lab/lang.js';

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  invalidLab: 2,
  engineUnreachable: 3,
  /** tp7 grade: some students could not be graded (their rows say why); the others were. */
  gradeIncomplete: 4,
  /** EX_UNAVAILABLE: the classroom board cannot be reached (`tp7 join`). */
  unavailable: 69,
  internal: 70,
  /** EX_IOERR: the output could not be written (a full disk behind `> file`). */
  outputFailed: 74,
  /** 128 + SIGPIPE: the reader of the output went away (`tp7 show ex1 | head -1`). */
  outputClosed: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A plain string is accepted for text that reads the same in both languages (a path, a command line). */
function localized(message: LocalizedText | string): LocalizedText {
  return typeof message === 'string' ? both(message, message) : message;
}

export class Tp7Error extends Error {
  /** The message in both languages; `message` holds the English one for logs and stack traces. */
  readonly text: LocalizedText;

  constructor(
    message: LocalizedText | string,
    readonly exitCode: ExitCode,
    /** Extra lines shown under the message (never a stack trace); a plain string reads the same in both languages. */
    readonly details: Array<LocalizedText | string> = [],
  ) {
    const text = localized(message);
    super(text.en);
    this.text = text;
    this.name = new.target.name;
  }
}

export class UsageError extends Tp7Error {
  constructor(message: LocalizedText | string, details: Array<LocalizedText | string> = []) {
    super(message, ExitCode.usage, details);
  }
}

/** A lab definition that does not validate: every problem is listed, one `file: path: message` per line. */
export class LabDefinitionError extends Tp7Error {
  constructor(readonly problems: LocalizedText[]) {
    const count = problems.length;
    super(
      both(`définitions du lab invalides (${count} problème${count === 1 ? '' : 's'})`, `invalid lab definitions (${count} problem${count === 1 ? '' : 's'})`),
      ExitCode.invalidLab,
      problems,
    );
  }
}

export class EngineUnreachableError extends Tp7Error {
  /** Why, without the advice around it (tp7 grade shows it on a student's row). */
  readonly reason: LocalizedText;

  constructor(host: string, reason: LocalizedText | string) {
    const why = localized(reason);
    super(
      both(
        `impossible de joindre le moteur Docker à ${host} (${why.fr}) ; démarrez Docker ou définissez DOCKER_HOST, puis lancez \`tp7 doctor\``,
        `cannot reach the Docker engine at ${host} (${why.en}); start Docker or set DOCKER_HOST, then run \`tp7 doctor\``,
      ),
      ExitCode.engineUnreachable,
    );
    this.reason = why;
  }
}

/** A failure a check reports as its error (not the whole run's), worded in both languages. */
export class CheckError extends Error {
  constructor(readonly text: LocalizedText) {
    super(text.en);
    this.name = new.target.name;
  }
}

/** Shortens any thrown value to one readable line (for check errors recorded in a report). */
export function oneLine(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error));
}

/**
 * Any thrown value as one line in both languages: errors that carry their own `text` pair (Tp7Error,
 * RegistryError, ArchiveError) keep it; anything else (a bug, a library's message) reads the same in both.
 */
export function oneLineText(error: unknown): LocalizedText {
  const text = (error as { text?: unknown } | null)?.text;
  if (text && typeof text === 'object' && typeof (text as LocalizedText).fr === 'string' && typeof (text as LocalizedText).en === 'string') {
    const pair = text as LocalizedText;
    return both(firstLine(pair.fr), firstLine(pair.en));
  }
  return localized(oneLine(error));
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim().slice(0, 300);
}
