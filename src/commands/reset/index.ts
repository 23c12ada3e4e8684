import type { CommandContext } from '../../cli/context.js';
import { removeResources } from './resources.js';
import { UsageError } from '../../errors.js';
import { confirm } from '../../ui/prompt.js';
import { labAndExercise, writeProgress } from '../shared.js';

/**
 * Forgets answers and hints of one exercise. Files, images and containers are the student's: never touched.
 * With --resources, removes instead what `tp7 setup` made (found by its label), and nothing else.
 */
export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const id = loaded.exercise.id;
  const fr = context.lang === 'fr';
  if (context.options.resources) return removeResources(context, loaded.exercise);
  if (!context.options.yes) {
    if (!context.interactive) throw new UsageError(`add --yes to reset ${id} without a prompt`);
    if (!(await confirm(fr ? `Effacer vos réponses et indices de ${id} ?` : `Forget your answers and hints for ${id}?`))) return 0;
  }
  writeProgress(context, (progress) => {
    delete progress.answers[id];
    delete progress.hints[id];
  });
  context.out(fr
    ? `${id} remis à zéro (réponses et indices). Vos fichiers et images Docker n'ont pas été touchés.`
    : `${id} reset (answers and hints). Your files and Docker images were not touched.`);
  return 0;
}
