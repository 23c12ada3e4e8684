import type { CommandContext } from '../../cli/context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { both } from '../../lab/text.js';
import { evaluateQuestion } from '../../questions/evaluate.js';
import { lazyClients } from '../answering.js';
import { labAndExercise, readProgress } from '../shared.js';
import { askQuestion } from './ask.js';

export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  if (!context.interactive) {
    const command = `tp7 answer ${loaded.exercise.id} <question-id> <answer>`;
    throw new UsageError(both(`quiz a besoin d'un terminal ; depuis un script : ${command}`, `quiz needs a terminal; from a script use: ${command}`));
  }
  const { exercise } = loaded;
  const clientsOf = lazyClients(context);
  const stored = readProgress(context).answers[exercise.id] ?? {};
  let allRight = true;
  let skipped = 0;
  let asked = 0;
  for (const question of exercise.questions) {
    const clients = await clientsOf(question);
    if (!clients) {
      skipped += 1; // engine-derived, and the engine is down: the rest of the quiz goes on
      continue;
    }
    const previous = stored[question.id]?.answer;
    if (!context.options.all && previous !== undefined && (await evaluateQuestion(question, previous, clients, exercise.id)).status === 'pass') continue;
    asked += 1;
    allRight = (await askQuestion(context, exercise, question, clients)) && allRight;
  }
  if (!asked && !skipped) context.out(nothingLeft(context, exercise.id, exercise.questions.length));
  if (skipped) {
    context.err(context.lang === 'fr'
      ? `${skipped} question(s) lue(s) sur le moteur Docker attendront qu'il réponde.`
      : `${skipped} question(s) read from the Docker engine will wait until it answers.`);
    return ExitCode.engineUnreachable;
  }
  return allRight ? ExitCode.ok : ExitCode.checkFailed;
}

/** Said instead of an empty quiz: every question already has a right answer (or the exercise has none). */
function nothingLeft(context: CommandContext, exerciseId: string, questions: number): string {
  if (!questions) return context.lang === 'fr' ? `${exerciseId} n'a pas de question.` : `${exerciseId} has no questions.`;
  return context.lang === 'fr'
    ? `Toutes les questions de ${exerciseId} ont déjà une bonne réponse : rien à répondre. Pour les reprendre : tp7 quiz ${exerciseId} --all`
    : `Every question of ${exerciseId} already has a right answer: nothing left to answer. To go over them again: tp7 quiz ${exerciseId} --all`;
}
