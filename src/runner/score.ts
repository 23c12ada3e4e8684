import { pick, type Lang } from '../lab/text.js';
import type { Skill } from '../lab/schema.js';
import type { CheckResult, ExerciseResult, SkillResult, SkillStatus } from './types.js';

/**
 * A skill of the final checklist is judged on the exercises that prove it (labs/skills.yaml): pending while none
 * was evaluated in this run, pass only when every one of them was evaluated and earned every point, partial when
 * some points were earned (or some exercises are still missing, listed in `missing`), fail when none were.
 */
export function scoreSkills(skills: Skill[], results: ExerciseResult[], lang: Lang): SkillResult[] {
  return skills.map((skill) => {
    const relevant = results.filter((result) => skill.exercises.includes(result.id));
    const missing = skill.exercises.filter((id) => !relevant.some((result) => result.id === id && result.possible > 0));
    const earned = relevant.reduce((sum, result) => sum + result.earned, 0);
    const possible = relevant.reduce((sum, result) => sum + result.possible, 0);
    let status: SkillStatus = 'pending';
    if (possible > 0) status = earned === possible && !missing.length ? 'pass' : earned > 0 ? 'partial' : 'fail';
    return { id: skill.id, label: pick(skill.label, lang), status, earned, possible, ...(missing.length ? { missing } : {}) };
  });
}

/**
 * `tp7 check --strict` (graders): a check that could not be run (a skip, such as a Docker Hub check offline) is
 * no pass. It becomes a failure worth its points, marked `skipped`, so the exit code, the score, JUnit and the
 * gradebook all count it.
 */
export function strictResults(results: ExerciseResult[], lang: Lang): ExerciseResult[] {
  const prefix = lang === 'fr' ? 'Non vérifié, compté comme échoué (--strict) : ' : 'Not checked, counted as failed (--strict): ';
  return results.map((result) => {
    const checks = result.checks.map((check): CheckResult =>
      check.status === 'skip' ? { ...check, status: 'fail', skipped: true, message: `${prefix}${check.message}` } : check,
    );
    const possible = checks.filter((check) => check.status !== 'skip').reduce((sum, check) => sum + check.points, 0);
    return { ...result, checks, possible };
  });
}

/** The score; `skipped` counts the checks that could not be run and are in neither figure. */
export function totalScore(results: ExerciseResult[]): { earned: number; possible: number; percent: number; skipped: number } {
  const earned = results.reduce((sum, result) => sum + result.earned, 0);
  const possible = results.reduce((sum, result) => sum + result.possible, 0);
  const skipped = results.reduce((sum, result) => sum + result.checks.filter((check) => check.status === 'skip').length, 0);
  return { earned, possible, percent: possible ? Math.round((1000 * earned) / possible) / 10 : 0, skipped };
}

/** Exit status of `tp7 check`: 0 when every evaluated check passed (skips do not count), else 1. */
export function allPassed(results: ExerciseResult[]): boolean {
  return results.every((result) => result.checks.every((check) => check.status === 'pass' || check.status === 'skip'));
}
