import { watch, type FSWatcher } from 'node:fs';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { changeOf } from '../../engine/events.js';
import { pick } from '../../lab/lang.js';
import { buildReport } from '../../report/json.js';
import { renderText } from '../../report/text.js';
import { affects, ANY_CHANGE, inputsOf, mergeChanges, type Change, type Item } from '../../runner/inputs.js';
import { runExercise } from '../../runner/run.js';
import { allPassed, scoreSkills } from '../../runner/score.js';
import type { ExerciseResult } from '../../runner/types.js';
import { settings } from '../../settings.js';
import { untilStopped } from '../../stop.js';
import { style } from '../../ui/style.js';
import { connectClients, labAndExercise, readProgress } from '../shared.js';
import { boardToSubmitTo, submitToBoard } from '../submitting.js';
import { roundFailure } from './round-error.js';
import { isolationNotes } from '../../scripts/recorded-run.js';

/** Events closer than this make one round: a `docker pull` or a loop of `docker tag` emits a burst. */
const COALESCE_MS = 30;

/** Whatever the change, the file a recorded answer lands in is the one `.tp7/` file that counts. */
function changeOfFile(file: string | null): Change | null {
  if (!file) return { files: 'any', progress: true };
  const path = String(file);
  if (path === '.tp7/progress.json') return { progress: true };
  return path.startsWith('.tp7/') ? null : { files: [path] };
}

/**
 * Re-runs an exercise's checks when something they read changes (an engine event naming their image or
 * container, a file of the workdir, an answer recorded from another shell) or every few seconds for what tells
 * of no change (the registry), and redraws the checklist when it changed. Events of tp7's own making (its probe
 * containers, its reads) are ignored: an idle watch does nothing between polls.
 */
export async function run(context: CommandContext): Promise<number> {
  const { lab, loaded } = await labAndExercise(context);
  const { exercise } = loaded;
  const board = await boardToSubmitTo(context);
  const clients = await connectClients(context);
  // Listening from the start: Ctrl+C during the first round ends the watch too, and stops its checks in flight.
  const stopped = untilStopped();
  const stopping = new AbortController();
  void stopped.then(() => stopping.abort());
  const fr = context.lang === 'fr';
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending: Change | undefined = ANY_CHANGE;
  let last: ExerciseResult | undefined;
  let shown = '';

  const draw = (result: ExerciseResult, report: string): void => {
    if (process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
    context.out(report);
    const time = new Date().toLocaleTimeString(fr ? 'fr-FR' : 'en-GB');
    const done = allPassed([result]) ? style.green(fr ? 'Tout est vert ! ' : 'All green! ') : '';
    context.out(style.dim(`${done}${fr ? 'Surveillance en cours' : 'Watching'} (${time}) — Ctrl+C ${fr ? 'pour quitter' : 'to stop'}`));
  };

  const round = async (change: Change): Promise<void> => {
    const rerun = (item: Item) => affects(change, inputsOf(item));
    const items: Item[] = [...exercise.checks.map((check): Item => ({ kind: 'check', check })), ...exercise.questions.map((question): Item => ({ kind: 'question', question }))];
    if (last && !items.some(rerun)) return;
    // A fresh client each round: the engine client keeps answers for the length of one run (what never
    // changes, a file read from an image ID, is kept for the life of the process).
    const fresh = { ...clients, engine: await connectEngine() };
    const result = await runExercise(exercise, fresh, readProgress(context), { lang: context.lang, reveal: false, previous: last, rerun: last ? rerun : undefined, reuseStored: true, signal: stopping.signal });
    last = result;
    const built = buildReport(fresh.engine.host, await fresh.engine.version(), [result], scoreSkills(lab.skills, [result], context.lang), board?.name, { notes: isolationNotes(context.lang) });
    const report = renderText(built, context.lang);
    if (report === shown) return;
    shown = report;
    draw(result, report);
    // Queued, not sent: the next round never waits for the board.
    if (board) void submitToBoard(context, board, built, lab, fresh.engine);
  };
  const check = async (): Promise<void> => {
    if (running || !pending) return;
    running = true;
    const change = pending;
    pending = undefined;
    try {
      await round(change);
    } catch (error) {
      // The engine may be restarting: say so and keep watching; the next event or poll tries again.
      context.err(`tp7: ${pick(roundFailure(error), context.lang)}`);
      last = undefined;
    } finally {
      running = false;
    }
    if (pending) schedule();
  };
  const notice = (change: Change | null): void => {
    if (!change) return;
    pending = pending ? mergeChanges(pending, change) : change;
    schedule();
  };
  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), COALESCE_MS);
  }

  const stopEvents = await clients.engine.onEvents((event) => notice(changeOf(event)));
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(context.workdir, { recursive: true }, (_, file) => notice(changeOfFile(file)));
  } catch {
    // No recursive watch on this platform: the periodic check still catches file changes.
  }
  // Registries and remote state emit no engine event: look again now and then anyway (cheap: what cannot have
  // changed is reused, and nothing is redrawn unless the checklist changed).
  const poll = setInterval(() => notice(ANY_CHANGE), settings().TP7_WATCH_POLL_MS);
  await Promise.race([check(), stopped]);
  const signal = await stopped;
  clearInterval(poll);
  clearTimeout(timer);
  watcher?.close();
  stopEvents();
  return signal === 'SIGINT' ? 0 : 128 + 15;
}
