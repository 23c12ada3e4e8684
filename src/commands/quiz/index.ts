import type { CommandContext } from '../../cli/context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { evaluateQuestion } from '../../questions/evaluate.js';
import { clientsFor } from '../answering.js';
import { labAndExercise, readProgress } from '../shared.js';
import { askQuestion } from './ask.js';

export async function run(context: CommandContext): Promise<number> {
  const { loaded } = labAndExercise(context);
  if (!context.interactive) {
    throw new UsageError(`quiz needs a terminal; from a script use: tp7 answer ${loaded.exercise.id} <question-id> <answer>`);
  }
  const { exercise } = loaded;
  const clients = await clientsFor(context, exercise.questions);
  const stored = readProgress(context).answers[exercise.id] ?? {};
  let allRight = true;
  for (const question of exercise.questions) {
    const previous = stored[question.id]?.answer;
    if (!context.options.all && previous !== undefined && (await evaluateQuestion(question, previous, clients)).status === 'pass') continue;
    allRight = (await askQuestion(context, exercise, question, clients)) && allRight;
  }
  return allRight ? ExitCode.ok : ExitCode.checkFailed;
}
