import { watch, type FSWatcher } from 'node:fs';
import type { CommandContext } from '../../cli/context.js';
import { connectEngine } from '../../engine/dockerode-client.js';
import { oneLine } from '../../errors.js';
import { buildReport } from '../../report/json.js';
import { renderText } from '../../report/text.js';
import { runExercise } from '../../runner/run.js';
import { allPassed, scoreSkills } from '../../runner/score.js';
import { style } from '../../ui/style.js';
import { connectClients, labAndExercise, readProgress } from '../shared.js';
import { settings } from '../../settings.js';

/** Re-check this long after the last change: a `docker pull` emits several events in a burst. */
const DEBOUNCE_MS = 300;

/**
 * Re-runs an exercise's checks whenever the engine reports an event, a file of the workdir changes (an answer
 * recorded from another shell included) or every few seconds, and redraws the checklist: the student keeps a
 * terminal with it open while working in another.
 */
export async function run(context: CommandContext): Promise<number> {
  const { lab, loaded } = await labAndExercise(context);
  const clients = await connectClients(context);
  const fr = context.lang === 'fr';
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;

  const round = async (): Promise<void> => {
    // A fresh client each round: the engine client caches answers for the length of one run.
    const fresh = { ...clients, engine: await connectEngine() };
    const result = await runExercise(loaded.exercise, fresh, readProgress(context), { lang: context.lang, reveal: false });
    const report = buildReport(fresh.engine.host, await fresh.engine.version(), [result], scoreSkills(lab.skills, [result], context.lang));
    if (process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
    context.out(renderText(report, context.lang));
    const time = new Date().toLocaleTimeString(fr ? 'fr-FR' : 'en-GB');
    const done = allPassed([result]) ? style.green(fr ? 'Tout est vert ! ' : 'All green! ') : '';
    context.out(style.dim(`${done}${fr ? 'Surveillance en cours' : 'Watching'} (${time}) — Ctrl+C ${fr ? 'pour quitter' : 'to stop'}`));
  };
  const check = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await round();
    } catch (error) {
      // The engine may be restarting: say so and keep watching; the next event or poll tries again.
      context.err(`tp7: ${oneLine(error)}`);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), DEBOUNCE_MS);
  };

  const stopEvents = await clients.engine.onEvents(schedule);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(context.workdir, { recursive: true }, (_, file) => {
      if (!file || !String(file).startsWith('.tp7/') || String(file) === '.tp7/progress.json') schedule();
    });
  } catch {
    // No recursive watch on this platform: the periodic check still catches file changes.
  }
  // Registries and remote state emit no engine event: look again now and then anyway.
  const poll = setInterval(schedule, settings().TP7_WATCH_POLL_MS);
  await check();
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  clearInterval(poll);
  clearTimeout(timer);
  watcher?.close();
  stopEvents();
  return 0;
}
