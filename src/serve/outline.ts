import type { LocalizedText } from '../lab/lang.js';
import type { Lab } from '../lab/loader.js';
import type { CourseOutline } from './rows.js';

/** What the board needs of the lab: exercise ids in course order, skills, and each check's title. */
export function courseOutline(lab: Lab): CourseOutline {
  const titles = new Map<string, LocalizedText>();
  for (const { exercise } of lab.exercises) {
    for (const check of exercise.checks) titles.set(`${exercise.id}/${check.id}`, check.title);
    for (const question of exercise.questions) titles.set(`${exercise.id}/${question.id}`, question.prompt);
  }
  return {
    exercises: lab.exercises.map(({ exercise }) => exercise.id),
    skills: lab.skills.map((skill) => ({ id: skill.id, exercises: skill.exercises })),
    titles,
  };
}
