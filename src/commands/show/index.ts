import type { CommandContext } from '../../cli/context.js';
import { publicExercise } from '../../lab/public.js';
import { renderMarkdown } from '../../ui/markdown.js';
import { style } from '../../ui/style.js';
import { instructions, labAndExercise, printJson } from '../shared.js';

export async function run(context: CommandContext): Promise<number> {
  const { lab, loaded } = await labAndExercise(context);
  const view = publicExercise(loaded.exercise, context.lang);
  const skills = lab.skills.filter((skill) => skill.exercises.includes(view.id)).map((skill) => skill.id);
  if (context.json) {
    printJson(context, { ...view, skills, instructions: await instructions(loaded.dir, context.lang) });
    return 0;
  }
  context.out(await renderMarkdown(await instructions(loaded.dir, context.lang)));
  const fr = context.lang === 'fr';
  context.out(style.bold(fr ? 'Questions' : 'Questions'));
  for (const question of view.questions) {
    context.out(`  ${style.cyan(question.id)}  ${question.prompt}`);
    for (const choice of question.choices ?? []) context.out(`      ${choice.id}) ${choice.text}`);
  }
  context.out('');
  context.out(style.bold(fr ? 'Vérifications' : 'Checks'));
  for (const check of view.checks) context.out(`  ${style.dim(check.task ? `[${check.task}]` : '')} ${check.title}`);
  context.out('');
  context.out(style.dim(fr
    ? `Répondre : tp7 quiz ${view.id} · Vérifier : tp7 check ${view.id} · Indice : tp7 hint ${view.id}`
    : `Answer: tp7 quiz ${view.id} · Check: tp7 check ${view.id} · Hint: tp7 hint ${view.id}`));
  return 0;
}
