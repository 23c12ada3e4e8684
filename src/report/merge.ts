import type { Skill } from '../lab/schema.js';
import type { Lang } from '../lab/lang.js';
import { scoreSkills, totalScore } from '../runner/score.js';
import type { Report } from './json.js';

/**
 * A report of some exercises (`tp7 check ex3`, `tp7 watch ex3`) completed with the other exercises of the
 * previous report, so that a board, which keeps one report per student, does not forget ex1 and ex2 when the
 * student checks ex3 alone. The newer results win; the checklist and the score are computed again from the
 * merged exercises (never added up from the two reports), in course order. Exercises the lab no longer has are
 * left out; a previous report of another student is ignored.
 */
export function completeReport(previous: Report | undefined, next: Report, courseOrder: string[], skills: Skill[], lang: Lang): Report {
  if (!previous || previous.student !== next.student) return next;
  const fresh = new Set(next.exercises.map((exercise) => exercise.id));
  const kept = previous.exercises.filter((exercise) => !fresh.has(exercise.id) && courseOrder.includes(exercise.id));
  if (!kept.length) return next;
  const exercises = [...kept, ...next.exercises].sort((a, b) => courseOrder.indexOf(a.id) - courseOrder.indexOf(b.id));
  return { ...next, exercises, checklist: scoreSkills(skills, exercises, lang), score: totalScore(exercises) };
}
