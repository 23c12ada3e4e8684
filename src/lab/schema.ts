import { z } from 'zod';
import { ProbeSchema } from '../probes/index.js';
import { QuestionSchema } from '../questions/schema.js';
import { SetupSchema } from '../setup/schema.js';
import { ExerciseId, Id, ImageRef } from './ids.js';
import { EngineText, Localized } from './text.js';

/** The one format version of lab files. Bump it (and migrate every file) when the format changes incompatibly. */
export const FORMAT_VERSION = 1;

const FormatVersion = z.literal(FORMAT_VERSION, { error: `format_version must be ${FORMAT_VERSION}` });

export const TaskSchema = z.strictObject({
  id: z.string().regex(/^[0-9]+(\.[0-9]+)*$/, { error: 'task ids follow the course numbering, e.g. "1.1"' }),
  title: Localized,
});

export const CheckSchema = z
  .strictObject({
    id: Id.describe('Check id, unique within the exercise'),
    task: z.string().optional().describe('The task (e.g. "1.1") this check belongs to'),
    title: Localized.describe('What is checked, as a checklist line'),
    points: z.number().int().positive().default(1).describe('Points earned when the check passes'),
    probe: ProbeSchema,
    hints: z
      .array(EngineText)
      .min(1, { error: 'every check needs at least one hint (a nudge first, the command last)' })
      .describe('Hints shown one at a time: first a nudge, last the command to use'),
  })
  .describe('One line of the validation checklist, verified against the engine or registry');

export const ResourcesSchema = z
  .strictObject({
    images: z.array(ImageRef).default([]).describe('Image references the exercise has the student create'),
    containers: z.array(z.string()).default([]).describe('Container names the exercise has the student create'),
    volumes: z.array(z.string()).default([]).describe('Volume names the exercise has the student create'),
  })
  .describe('What the exercise creates on the engine: the only things tests and `tp7 reset` may remove');

export const ExerciseSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path to the JSON Schema, for editor completion'),
    format_version: FormatVersion,
    id: ExerciseId,
    title: Localized,
    summary: Localized.describe('One or two sentences shown in `tp7 list`'),
    tasks: z.array(TaskSchema).min(1),
    checks: z.array(CheckSchema).default([]),
    questions: z.array(QuestionSchema).default([]),
    resources: ResourcesSchema.default({ images: [], containers: [], volumes: [] }),
    setup: SetupSchema.optional().describe('Waste or fixtures `tp7 setup` makes for the student to work on'),
  })
  .describe('A TP7 exercise: its tasks, questions and checks');
export type Exercise = z.infer<typeof ExerciseSchema>;
export type Check = z.infer<typeof CheckSchema>;

export const SkillsSchema = z
  .strictObject({
    $schema: z.string().optional(),
    format_version: FormatVersion,
    skills: z
      .array(
        z.strictObject({
          id: Id,
          label: Localized.describe('The line of the course final checklist'),
          exercises: z.array(ExerciseId).min(1).describe('Exercises of the course that prove this skill'),
        }),
      )
      .min(1),
  })
  .describe('The skills of the final checklist ("Checklist de validation"), each mapped to the exercises that prove it');
export type Skills = z.infer<typeof SkillsSchema>;
export type Skill = Skills['skills'][number];
