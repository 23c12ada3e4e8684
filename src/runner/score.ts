import { pick, type Lang } from '../lab/text.js';
import type { Skill } from '../lab/schema.js';
import type { ExerciseResult, SkillResult, SkillStatus } from './types.js';

/**
 * A skill of the final checklist is judged on the exercises that prove it and were checked in this run:
 * pending when none was, pass when every point was earned, partial when some were, fail when none.
 */
export function scoreSkills(skills: Skill[], results: ExerciseResult[], lang: Lang): SkillResult[] {
  return skills.map((skill) => {
    const relevant = results.filter((result) => skill.exercises.includes(result.id));
    const earned = relevant.reduce((sum, result) => sum + result.earned, 0);
    const possible = relevant.reduce((sum, result) => sum + result.possible, 0);
    let status: SkillStatus = 'pending';
    if (possible > 0) status = earned === possible ? 'pass' : earned > 0 ? 'partial' : 'fail';
    return { id: skill.id, label: pick(skill.label, lang), status, earned, possible };
  });
}

export function totalScore(results: ExerciseResult[]): { earned: number; possible: number; percent: number } {
  const earned = results.reduce((sum, result) => sum + result.earned, 0);
  const possible = results.reduce((sum, result) => sum + result.possible, 0);
  return { earned, possible, percent: possible ? Math.round((1000 * earned) / possible) / 10 : 0 };
}

/** Exit status of `tp7 check`: 0 when every evaluated check passed (skips do not count), else 1. */
export function allPassed(results: ExerciseResult[]): boolean {
  return results.every((result) => result.checks.every((check) => check.status === 'pass' || check.status === 'skip'));
}
