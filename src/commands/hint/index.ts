import type { CommandContext } from '../../cli/context.js';
import { UsageError } from '../../errors.js';
import { textFor } from '../../lab/engine-text.js';
import { both, pick, type EngineText, type Localized } from '../../lab/text.js';
import type { ProbeClients } from '../../probes/types.js';
import { runExercise } from '../../runner/run.js';
import { style } from '../../ui/style.js';
import { connectClients, labAndExercise, printJson, readProgress, studentStore, writeProgress } from '../shared.js';

/**
 * Hints come one at a time for one check: the first that is not green (or the one named). Each call reveals
 * the next level, from a nudge to the command; the level reached is remembered in the progress file.
 */
export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const { exercise } = loaded;
  const items: Array<{ id: string; title: Localized; hints: EngineText[] }> = [
    ...exercise.checks.map((check) => ({ id: check.id, title: check.title, hints: check.hints })),
    ...exercise.questions.map((question) => ({ id: question.id, title: question.prompt, hints: question.hints })),
  ];
  const fr = context.lang === 'fr';
  const progress = readProgress(context);
  let target = context.args[1] ? items.find((item) => item.id === context.args[1]) : undefined;
  if (context.args[1] && !target) {
    throw new UsageError(both(`pas de vérification ni de question « ${context.args[1]} » dans ${exercise.id}`, `no check or question "${context.args[1]}" in ${exercise.id}`));
  }
  let clients: ProbeClients | undefined;
  if (!target) {
    clients = await connectClients(context);
    const result = await runExercise(exercise, clients, progress, { lang: context.lang, reveal: false, reuseStored: true });
    const firstOpen = result.checks.find((check) => check.status !== 'pass' && items.find((item) => item.id === check.id)?.hints.length);
    target = firstOpen && items.find((item) => item.id === firstOpen.id);
  }
  if (!target) {
    if (context.json) printJson(context, { exercise: exercise.id, check: null, hint: null });
    else context.out(fr ? `Tout est vert dans ${exercise.id} : pas besoin d'indice.` : `Everything in ${exercise.id} is green: no hint needed.`);
    return 0;
  }
  if (!target.hints.length) {
    // Some questions have none: their explanation, shown once answered, is the help.
    if (context.json) printJson(context, { exercise: exercise.id, check: target.id, level: 0, of: 0, hint: null });
    else context.out(fr ? `Pas d'indice pour « ${target.id} » : relisez les consignes (tp7 show ${exercise.id}).` : `No hint for "${target.id}": read the instructions again (tp7 show ${exercise.id}).`);
    return 0;
  }
  const shown = progress.hints[exercise.id]?.[target.id] ?? 0;
  const level = Math.min(shown + 1, target.hints.length);
  writeProgress(context, (stored) => {
    (stored.hints[exercise.id] ??= {})[target.id] = level;
  });
  const hint = target.hints[level - 1]!;
  // A hint written otherwise for the containerd image store is given in the student's engine's form.
  const text = pick(textFor(hint, hint.containerd ? await studentStore(clients) : undefined), context.lang);
  if (context.json) {
    printJson(context, { exercise: exercise.id, check: target.id, level, of: target.hints.length, hint: text });
    return 0;
  }
  context.out(style.bold(`${fr ? 'Indice' : 'Hint'} ${level}/${target.hints.length} — ${pick(target.title, context.lang)}`));
  context.out(text);
  if (level < target.hints.length) context.out(style.dim(fr ? `(encore bloqué ? relancez tp7 hint ${exercise.id})` : `(still stuck? run tp7 hint ${exercise.id} again)`));
  return 0;
}
