import { z } from 'zod';
import { ExerciseSchema, SkillsSchema } from '../../lab/schema.js';

/** JSON Schemas generated from the zod schemas, for completion and validation in editors (YAML language server). */
export function schemaFiles(): Array<{ file: string; content: string }> {
  const render = (schema: z.ZodType) => `${JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
  return [
    { file: 'exercise.schema.json', content: render(ExerciseSchema) },
    { file: 'skills.schema.json', content: render(SkillsSchema) },
  ];
}
