import type { CommandContext } from '../cli/context.js';
import type { EngineClient } from '../engine/types.js';
import { oneLine, UsageError } from '../errors.js';
import { both, pick } from '../lab/lang.js';
import type { Lab } from '../lab/loader.js';
import type { Report } from '../report/json.js';
import { completeReport } from '../report/merge.js';
import { boardOrigin, readJoinedBoard, type JoinedBoard } from '../submit/board-file.js';
import { engineHash } from '../submit/engine-hash.js';
import { lastQueuedReport, queueReport } from '../submit/queue.js';
import { readStatus } from '../submit/status.js';
import { showControlsInline } from '../ui/escape.js';
import { confirm, input } from '../ui/prompt.js';
import { joinClassBoard } from './joining.js';

// `--submit [URL]` on check and watch (and the menu's checks once joined): which board, decided before any check
// runs; then, after each report, the report queued for it in one step that never waits on the network.

/** The value of `--submit`: '' (or true) for the joined board, else the board's address; undefined when absent. */
export const BOARD_ADDRESS = both('Adresse du tableau (donnée par l’enseignant, par exemple http://192.168.1.20:7070)', 'Board address (from your instructor, e.g. http://192.168.1.20:7070)');

function submitOption(context: CommandContext): string | undefined {
  const value = context.options.submit;
  if (value === undefined || value === false) return undefined;
  return value === true ? '' : String(value);
}

/**
 * The board `--submit` sends to: the joined one (the one named, when a URL is given). Not joined yet: in a
 * terminal tp7 offers to join now; otherwise a one-line usage error names `tp7 join`.
 */
export async function boardToSubmitTo(context: CommandContext): Promise<JoinedBoard | undefined> {
  const option = submitOption(context);
  if (option === undefined) return undefined;
  const wanted = option ? boardOrigin(option) : undefined;
  const joined = readJoinedBoard(context.workdir);
  const student = context.options.student;
  if (joined && (!wanted || wanted === joined.url)) {
    if (typeof student === 'string' && student !== joined.name) {
      throw new UsageError(both(`--student ne peut pas changer le nom envoyé au tableau : ce dossier l'a rejoint sous « ${joined.name} »`, `--student cannot change the name sent to the board: this folder joined it as "${joined.name}"`));
    }
    return joined;
  }
  const join = wanted ? `tp7 join ${wanted}` : 'tp7 join URL';
  const notJoined = both(`ce dossier n'a pas rejoint ${wanted ?? 'de tableau de classe'} : lancez d'abord \`${join}\``, `this folder has not joined ${wanted ?? 'a class board'}: run \`${join}\` first`);
  if (!context.interactive || context.json) throw new UsageError(notJoined);
  const question = wanted ? both(`Rejoindre maintenant le tableau ${wanted} ?`, `Join the board at ${wanted} now?`) : both('Ce dossier n’a rejoint aucun tableau de classe. Le rejoindre maintenant ?', 'This folder has joined no class board. Join one now?');
  if (!(await confirm(pick(question, context.lang), context.lang))) throw new UsageError(notJoined);
  const url = wanted ?? boardOrigin(await input(pick(BOARD_ADDRESS, context.lang)));
  return joinClassBoard(context, url, {});
}

/** The engine's mark per board code, asked of the engine once per process (watch submits many times). */
const marks = new Map<string, Promise<string>>();

function engineMark(board: JoinedBoard, engine: EngineClient): Promise<string> {
  const key = `${board.code}\u0000${engine.host}`;
  let mark = marks.get(key);
  if (!mark) {
    mark = engine.engineId().then((id) => engineHash(board.code, id));
    marks.set(key, mark);
    mark.catch(() => marks.delete(key));
  }
  return mark;
}

/**
 * The report as it goes to the board: under the joined name, completed with the exercises of the previous one
 * (a check of one exercise does not erase the others on the board), with the engine's mark.
 */
export async function reportForBoard(context: CommandContext, board: JoinedBoard, report: Report, lab: Lab, engine: EngineClient): Promise<Report> {
  const named = { ...report, student: board.name };
  const order = lab.exercises.map(({ exercise }) => exercise.id);
  const complete = completeReport(lastQueuedReport(context.workdir, board), named, order, lab.skills, context.lang);
  return { ...complete, integrity: { engine: await engineMark(board, engine) } };
}

/**
 * Queues the report for the board and says so in one line on stderr (stdout may hold --json). Never throws: a
 * report that cannot be queued (a full disk) is said, and the check keeps its own result and exit code.
 */
export async function submitToBoard(context: CommandContext, board: JoinedBoard, report: Report, lab: Lab, engine: EngineClient): Promise<void> {
  const url = showControlsInline(board.url);
  try {
    const { superseded } = queueReport(context.workdir, board, await reportForBoard(context, board, report, lab, engine));
    const previous = readStatus(context.workdir).lastError;
    const replaced = superseded ? both(' (il remplace celui qui attendait)', ' (it replaces the one waiting)') : both('', '');
    const down = previous?.next === 'retry' && previous.url === board.url ? both(` ; dernier essai : ${previous.what.fr}`, `; last try: ${previous.what.en}`) : both('', '');
    context.err(`tp7: ${pick(both(
      `rapport mis en attente pour le tableau ${url}${replaced.fr}, envoyé en arrière-plan${down.fr} (\`tp7 submit --status\`)`,
      `report queued for the board at ${url}${replaced.en}, sent in the background${down.en} (\`tp7 submit --status\`)`,
    ), context.lang)}`);
  } catch (error) {
    const why = oneLine(error);
    context.err(`tp7: ${pick(both(`le rapport n'a pas pu être mis en attente pour le tableau : ${why}`, `the report could not be queued for the board: ${why}`), context.lang)}`);
  }
}
