import type { CommandContext } from '../../cli/context.js';
import { loadLab } from '../../lab/loader.js';
import { pick } from '../../lab/text.js';
import { style } from '../../ui/style.js';
import { printJson, readProgress } from '../shared.js';

export async function run(context: CommandContext): Promise<number> {
  const lab = await loadLab();
  const progress = readProgress(context);
  const rows = lab.exercises.map(({ exercise }) => {
    const last = progress.runs.findLast((run) => run.exercise === exercise.id);
    const answered = Object.keys(progress.answers[exercise.id] ?? {}).length;
    return {
      id: exercise.id,
      title: pick(exercise.title, context.lang),
      summary: pick(exercise.summary, context.lang),
      questions: exercise.questions.length,
      answered,
      lastCheck: last ? { at: last.at, earned: last.earned, possible: last.possible } : null,
    };
  });
  if (context.json) {
    printJson(context, rows);
    return 0;
  }
  for (const row of rows) {
    const done = row.lastCheck && row.lastCheck.earned === row.lastCheck.possible;
    const score = row.lastCheck ? `${row.lastCheck.earned}/${row.lastCheck.possible}` : context.lang === 'fr' ? 'non vérifié' : 'not checked';
    context.out(`${done ? style.green('✔') : ' '} ${style.bold(row.id.padEnd(4))} ${row.title}  ${style.dim(score)}`);
    context.out(`       ${style.dim(row.summary)}`);
  }
  return 0;
}
