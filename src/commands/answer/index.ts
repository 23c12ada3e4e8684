import type { CommandContext } from '../../cli/context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { both } from '../../lab/text.js';
import { clientsFor, findQuestion, recordAnswer, verdictText } from '../answering.js';
import { labAndExercise, printJson } from '../shared.js';

export async function run(context: CommandContext): Promise<number> {
  const { loaded } = await labAndExercise(context);
  const [, questionId, ...words] = context.args;
  const question = findQuestion(loaded.exercise, questionId);
  if (!words.length) throw new UsageError(both('usage : tp7 answer <ex> <question-id> <answer>', 'usage: tp7 answer <ex> <question-id> <answer>'));
  const clients = await clientsFor(context, [question]);
  const judged = await recordAnswer(context, loaded.exercise, question, words.join(' '), clients);
  const right = judged.outcome.status === 'pass';
  if (context.json) {
    printJson(context, {
      exercise: loaded.exercise.id,
      question: question.id,
      answer: judged.answer,
      status: judged.outcome.status,
      correct: right,
      ...(judged.replacedRight === undefined ? {} : { replacedRight: judged.replacedRight }),
    });
  } else {
    context.out(await verdictText(context, question, judged, clients));
  }
  return right ? ExitCode.ok : ExitCode.checkFailed;
}
