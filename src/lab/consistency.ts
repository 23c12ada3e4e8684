import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS } from './text.js';
import type { Exercise, Skill } from './schema.js';

/** Rules zod cannot see in one object: unique ids, references between fields, files beside the definition. */
export function crossCheckExercise(exercise: Exercise, dir: string, folder: string): string[] {
  const problems: string[] = [];
  if (exercise.id !== folder) problems.push(`id: "${exercise.id}" must equal its folder name "${folder}"`);
  const seen = new Map<string, string>();
  const items = [
    ...exercise.checks.map((check, i) => ({ id: check.id, path: `checks[${i}]`, task: check.task })),
    ...exercise.questions.map((question, i) => ({ id: question.id, path: `questions[${i}]`, task: question.task })),
  ];
  const taskIds = new Set(exercise.tasks.map((task) => task.id));
  for (const item of items) {
    const earlier = seen.get(item.id);
    if (earlier) problems.push(`${item.path}.id: "${item.id}" is already used by ${earlier}; ids must be unique in an exercise`);
    seen.set(item.id, item.path);
    if (item.task && !taskIds.has(item.task)) {
      problems.push(`${item.path}.task: no task "${item.task}" in tasks (known: ${[...taskIds].join(', ')})`);
    }
  }
  exercise.questions.forEach((question, i) => {
    if (question.kind !== 'single-choice' && question.kind !== 'multiple-choice') return;
    const choiceIds = question.choices.map((choice) => choice.id);
    const answers = question.kind === 'single-choice' ? [question.answer] : question.answers;
    for (const answer of answers.filter((id) => !choiceIds.includes(id))) {
      problems.push(`questions[${i}]: answer "${answer}" is not one of the choices (${choiceIds.join(', ')})`);
    }
    if (new Set(choiceIds).size !== choiceIds.length) problems.push(`questions[${i}].choices: choice ids must be unique`);
  });
  for (const lang of LANGS) {
    if (!existsSync(join(dir, `instructions.${lang}.md`))) problems.push(`instructions.${lang}.md: missing beside the definition`);
  }
  if (!exercise.checks.length && !exercise.questions.length) problems.push('checks: an exercise needs at least one check or question');
  return problems;
}

export function crossCheckSkills(skills: Skill[], exerciseIds: string[]): string[] {
  const problems: string[] = [];
  const ids = skills.map((skill) => skill.id);
  if (new Set(ids).size !== ids.length) problems.push('skills: skill ids must be unique');
  const fed = new Set(skills.flatMap((skill) => skill.exercises));
  for (const id of exerciseIds.filter((exerciseId) => !fed.has(exerciseId))) {
    problems.push(`skills: exercise ${id} proves no skill: add it to the exercises of at least one skill`);
  }
  return problems;
}
