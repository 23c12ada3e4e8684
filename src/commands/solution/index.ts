import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../cli/context.js';
import { UsageError } from '../../errors.js';
import { solutionsDir } from '../../lab/loader.js';
import { both } from '../../lab/text.js';
import { renderMarkdown } from '../../ui/markdown.js';
import { confirm } from '../../ui/prompt.js';
import { labAndExercise, writeProgress } from '../shared.js';

export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const id = loaded.exercise.id;
  const file = join(solutionsDir(), id, `solution.${context.lang}.md`);
  if (!existsSync(file)) throw new UsageError(both(`pas encore de solution rédigée pour ${id} (${file})`, `no written solution for ${id} yet (${file})`));
  const fr = context.lang === 'fr';
  if (!context.options.yes) {
    if (!context.interactive) throw new UsageError(both(`ajoutez --yes pour afficher la solution de ${id} sans confirmation`, `add --yes to show the solution of ${id} without a prompt`));
    const sure = await confirm(fr ? `Afficher la solution de ${id} ? Essayer d'abord (tp7 hint ${id}) fait mieux retenir.` : `Show the solution of ${id}? Trying first (tp7 hint ${id}) makes it stick.`, context.lang);
    if (!sure) return 0;
  }
  writeProgress(context, (progress) => {
    progress.solutionsViewed[id] ??= new Date().toISOString();
  });
  const markdown = readFileSync(file, 'utf8');
  context.out(context.json ? JSON.stringify({ exercise: id, solution: markdown }, null, 2) : await renderMarkdown(markdown));
  return 0;
}
