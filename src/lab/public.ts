import { pick, type Lang } from './text.js';
import type { Exercise } from './schema.js';

/**
 * What a student or a grading script may see of an exercise: texts, tasks, checks, and questions with their
 * ids, kinds and choices, never their answers (nor where engine-derived answers are read from).
 */
export function publicExercise(exercise: Exercise, lang: Lang) {
  return {
    id: exercise.id,
    title: pick(exercise.title, lang),
    summary: pick(exercise.summary, lang),
    tasks: exercise.tasks.map((task) => ({ id: task.id, title: pick(task.title, lang) })),
    questions: exercise.questions.map((question) => ({
      id: question.id,
      task: question.task,
      kind: question.kind,
      prompt: pick(question.prompt, lang),
      points: question.points,
      ...(question.kind === 'single-choice' || question.kind === 'multiple-choice'
        ? { choices: question.choices.map((choice) => ({ id: choice.id, text: pick(choice.text, lang) })) }
        : {}),
      ...(question.kind === 'engine' ? { answerFormat: question.match } : {}),
    })),
    checks: exercise.checks.map((check) => ({ id: check.id, task: check.task, title: pick(check.title, lang), kind: check.probe.kind, points: check.points })),
  };
}
