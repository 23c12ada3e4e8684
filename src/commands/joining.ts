import type { CommandContext } from '../cli/context.js';
import { ExitCode, Tp7Error, UsageError } from '../errors.js';
import { both, pick, type LocalizedText } from '../lab/lang.js';
import { defaultStudent } from '../report/json.js';
import { settings } from '../settings.js';
import { boardHealth, joinBoard, type JoinOutcome } from '../submit/board-client.js';
import { classCode, readJoinedBoard, writeJoinedBoard, type JoinedBoard } from '../submit/board-file.js';
import { notABoardText, refusedText, unreachableText } from '../submit/messages.js';
import { displayName, nameKey, nameProblem, nameProblemText } from '../student-name.js';
import { showControlsInline } from '../ui/escape.js';
import { input } from '../ui/prompt.js';

// Joining a classroom board (BOARD-API.md): `tp7 join URL`, and the offer `tp7 check --submit` makes in a
// terminal when the workdir has joined none. The board is asked first whether it is one (GET /api/health), so a
// wrong address is said as such rather than as a refused name.

/** A board that cannot be reached: not the student's mistake (exit 69, EX_UNAVAILABLE). */
export class BoardUnreachableError extends Tp7Error {
  constructor(text: LocalizedText) {
    super(text, ExitCode.unavailable);
  }
}

/** Tries a prompt gets when the board refuses the code or the name, before giving up. */
const PROMPT_TRIES = 3;
/** The name as the board will read it (src/student-name.ts), refused here first with the same words. */
function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(nameProblemText(problem));
  return displayName(name);
}

async function ask(context: CommandContext, question: LocalizedText, given: string | undefined, option: string): Promise<string> {
  if (given !== undefined) return given;
  if (!context.interactive || context.json) {
    throw new UsageError(both(`sans terminal, donnez ${option} ; usage : \`tp7 join URL --name NOM --code CODE\``, `without a terminal, give ${option}; usage: \`tp7 join URL --name NAME --code CODE\``));
  }
  return input(pick(question, context.lang));
}

function refusal(outcome: Exclude<JoinOutcome, { kind: 'joined' }>, url: string): Tp7Error {
  if (outcome.kind === 'unreachable') return new BoardUnreachableError(unreachableText(url, outcome));
  if (outcome.kind === 'not-a-board') return new UsageError(notABoardText(url, outcome));
  if (outcome.status === 403 && outcome.error === 'bad-code') return new UsageError(both("code de classe refusé par le tableau : vérifiez-le auprès de l'enseignant", 'the board refused the class code: check it with your instructor'));
  return new UsageError(refusedText(outcome));
}

function nameTaken(name: string): UsageError {
  return new UsageError(both(
    `le nom « ${name} » est déjà pris sur ce tableau : choisissez-en un autre (--name), ou demandez à l'enseignant de le libérer`,
    `the name "${name}" is already taken on this board: choose another (--name), or ask your instructor to release it`,
  ));
}

/**
 * Joins the board at `url` (an origin, see boardOrigin) under a name and with the class code, given as options or
 * asked in a terminal (asked again when the board refuses them), and keeps the token in `.tp7/board.json`.
 */
export async function joinClassBoard(context: CommandContext, url: string, given: { name?: string; code?: string }): Promise<JoinedBoard> {
  const timeoutMs = settings().TP7_BOARD_TIMEOUT_MS;
  const health = await boardHealth(url, timeoutMs);
  if (health.kind === 'unreachable') throw new BoardUnreachableError(unreachableText(url, health));
  if (health.kind === 'not-a-board') throw new UsageError(notABoardText(url, health));
  const previous = readJoinedBoard(context.workdir);
  let name = given.name;
  let code = given.code;
  for (let tries = 1; ; tries++) {
    const wanted = checkName(await ask(context, both('Votre nom (tel que l’enseignant le verra)', 'Your name (as your instructor will see it)'), name ?? (context.interactive ? undefined : defaultStudent()), '--name'));
    const typed = classCode(await ask(context, both('Le code de la classe (donné par l’enseignant)', 'The class code (from your instructor)'), code, '--code'));
    const outcome = await joinBoard(url, wanted, typed, timeoutMs);
    if (outcome.kind === 'joined') {
      const board = { url, name: outcome.student, code: typed, token: outcome.token, joinedAt: new Date().toISOString() };
      writeJoinedBoard(context.workdir, board);
      return board;
    }
    const taken = outcome.kind === 'refused' && outcome.status === 409 && outcome.error === 'name-taken';
    // Our own name on this board, still held for our token: joined already.
    if (taken && previous?.url === url && nameKey(previous.name) === nameKey(wanted)) return previous;
    const error = taken ? nameTaken(showControlsInline(wanted)) : refusal(outcome, url);
    const badCode = outcome.kind === 'refused' && outcome.status === 403 && outcome.error === 'bad-code';
    const canAsk = context.interactive && !context.json && tries < PROMPT_TRIES;
    // In a terminal, only what was refused is asked again (and only if it was typed, not given as an option).
    if (canAsk && taken && given.name === undefined) [name, code] = [undefined, typed];
    else if (canAsk && badCode && given.code === undefined) [name, code] = [wanted, undefined];
    else throw error;
    context.err(`tp7: ${pick(error.text, context.lang)}`);
  }
}
