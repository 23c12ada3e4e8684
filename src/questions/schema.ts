import { z } from 'zod';
import { FactSchema } from '../facts/index.js';
import { Id, Pattern } from '../lab/ids.js';
import { EngineText, Localized } from '../lab/text.js';
import { MATCHERS } from './match.js';

const Choice = z.strictObject({
  id: Id.describe('What the student types to pick this choice (e.g. a, b, yes)'),
  text: Localized,
});

const common = {
  id: Id.describe('Question id, unique within the exercise'),
  task: z.string().optional().describe('The task (e.g. "1.1") this question belongs to'),
  prompt: Localized.describe('The question as the student reads it'),
  explanation: EngineText.describe('Shown once the question is answered: why the answer is what it is'),
  points: z.number().int().positive().default(1).describe('Points earned by a right answer'),
  hints: z.array(EngineText).default([]).describe('Hints, from a nudge to the answer path (never the answer itself)'),
};

export const SingleChoiceQuestion = z
  .strictObject({
    ...common,
    kind: z.literal('single-choice'),
    choices: z.array(Choice).min(2),
    answer: Id.describe('The id of the right choice'),
  })
  .describe('Pick one choice');

export const MultipleChoiceQuestion = z
  .strictObject({
    ...common,
    kind: z.literal('multiple-choice'),
    choices: z.array(Choice).min(2),
    answers: z.array(Id).min(1).describe('The ids of every right choice (all and only these)'),
  })
  .describe('Pick every right choice');

export const TextQuestion = z
  .strictObject({
    ...common,
    kind: z.literal('text'),
    accept: z.array(z.string().min(1)).min(1).describe('Accepted answers, compared after normalisation (case, accents, spacing)'),
    patterns: z.array(Pattern).default([]).describe('Regular expressions also accepted (tested on the normalised answer)'),
  })
  .describe('A short free-text answer');

export const EngineQuestion = z
  .strictObject({
    ...common,
    kind: z.literal('engine'),
    derive: FactSchema,
    match: z.enum(MATCHERS).describe('How the answer is compared with the value read from the engine'),
    alsoAccept: z
      .array(
        z.strictObject({
          answer: z.string().min(1).describe('Another defensible answer, compared with the same matcher (e.g. "0" for the bytes tags add)'),
          because: Localized.describe('The reasoning that makes it right, shown to the student who gives it'),
        }),
      )
      .default([])
      .describe('Answers that are right by another defensible reading of the question'),
  })
  .describe("A question whose expected answer is read from the student's own engine at check time");

export const QuestionSchema = z.discriminatedUnion('kind', [
  SingleChoiceQuestion,
  MultipleChoiceQuestion,
  TextQuestion,
  EngineQuestion,
]);
export type Question = z.infer<typeof QuestionSchema>;
