import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineBlockProblems } from './engine-text.js';
import { both, LANGS, type Localized } from './text.js';
import type { Exercise, Skill } from './schema.js';

/** Rules zod cannot see in one object: unique ids, references between fields, files beside the definition. */
export function crossCheckExercise(exercise: Exercise, dir: string, folder: string): Localized[] {
  const problems: Localized[] = [];
  if (exercise.id !== folder) problems.push(both(`id : « ${exercise.id} » doit être le nom de son dossier, « ${folder} »`, `id: "${exercise.id}" must equal its folder name "${folder}"`));
  const seen = new Map<string, string>();
  const items = [
    ...exercise.checks.map((check, i) => ({ id: check.id, path: `checks[${i}]`, task: check.task })),
    ...exercise.questions.map((question, i) => ({ id: question.id, path: `questions[${i}]`, task: question.task })),
  ];
  const taskIds = new Set(exercise.tasks.map((task) => task.id));
  for (const item of items) {
    const earlier = seen.get(item.id);
    if (earlier) problems.push(both(`${item.path}.id : « ${item.id} » est déjà pris par ${earlier} ; les id sont uniques dans un exercice`, `${item.path}.id: "${item.id}" is already used by ${earlier}; ids must be unique in an exercise`));
    seen.set(item.id, item.path);
    if (item.task && !taskIds.has(item.task)) {
      const known = [...taskIds].join(', ');
      problems.push(both(`${item.path}.task : pas de tâche « ${item.task} » dans tasks (connues : ${known})`, `${item.path}.task: no task "${item.task}" in tasks (known: ${known})`));
    }
  }
  exercise.questions.forEach((question, i) => {
    if (question.kind !== 'single-choice' && question.kind !== 'multiple-choice') return;
    const choiceIds = question.choices.map((choice) => choice.id);
    const answers = question.kind === 'single-choice' ? [question.answer] : question.answers;
    for (const answer of answers.filter((id) => !choiceIds.includes(id))) {
      const choices = choiceIds.join(', ');
      problems.push(both(`questions[${i}] : la réponse « ${answer} » ne figure pas parmi les choix (${choices})`, `questions[${i}]: answer "${answer}" is not one of the choices (${choices})`));
    }
    if (new Set(choiceIds).size !== choiceIds.length) problems.push(both(`questions[${i}].choices : les id des choix doivent être uniques`, `questions[${i}].choices: choice ids must be unique`));
  });
  for (const lang of LANGS) {
    const file = join(dir, `instructions.${lang}.md`);
    if (!existsSync(file)) {
      problems.push(both(`instructions.${lang}.md : absent à côté de la définition`, `instructions.${lang}.md: missing beside the definition`));
      continue;
    }
    for (const problem of engineBlockProblems(readFileSync(file, 'utf8'))) problems.push(both(`instructions.${lang}.md : ${problem.fr}`, `instructions.${lang}.md: ${problem.en}`));
  }
  if (!exercise.checks.length && !exercise.questions.length) problems.push(both('checks : un exercice a besoin d’au moins une vérification ou une question', 'checks: an exercise needs at least one check or question'));
  return problems;
}

export function crossCheckSkills(skills: Skill[], exerciseIds: string[]): Localized[] {
  const problems: Localized[] = [];
  const ids = skills.map((skill) => skill.id);
  if (new Set(ids).size !== ids.length) problems.push(both('skills : les id des compétences doivent être uniques', 'skills: skill ids must be unique'));
  const fed = new Set(skills.flatMap((skill) => skill.exercises));
  for (const id of exerciseIds.filter((exerciseId) => !fed.has(exerciseId))) {
    problems.push(both(`skills : l'exercice ${id} ne prouve aucune compétence ; ajoutez-le aux exercices d'au moins une compétence`, `skills: exercise ${id} proves no skill: add it to the exercises of at least one skill`));
  }
  return problems;
}
