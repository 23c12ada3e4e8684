import type { CommandContext } from '../../cli/context.js';
import type { Exercise } from '../../lab/schema.js';
import { pick } from '../../lab/text.js';
import type { ProbeClients } from '../../probes/types.js';
import type { Question } from '../../questions/schema.js';
import { input, multiSelect, select } from '../../ui/prompt.js';
import { style } from '../../ui/style.js';
import { recordAnswer, verdictText } from '../answering.js';

/** Asks one question in the terminal, records the answer and prints the verdict. Returns whether it was right. */
export async function askQuestion(context: CommandContext, exercise: Exercise, question: Question, clients: ProbeClients): Promise<boolean> {
  const prompt = pick(question.prompt, context.lang);
  let raw: string;
  if (question.kind === 'single-choice' || question.kind === 'multiple-choice') {
    const choices = question.choices.map((choice) => ({ name: choice.id, message: pick(choice.text, context.lang) }));
    raw = question.kind === 'single-choice' ? await select(prompt, choices) : (await multiSelect(prompt, choices, context.lang)).join(',');
  } else {
    raw = await input(prompt);
  }
  const judged = await recordAnswer(context, exercise, question, raw, clients);
  const right = judged.outcome.status === 'pass';
  context.out(`${right ? style.green('✔') : style.red('✘')} ${await verdictText(context, question, judged, clients)}\n`);
  return right;
}
