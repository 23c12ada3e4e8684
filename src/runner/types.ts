import type { CheckStatus } from '../probes/types.js';

/** One line of the checklist: the shape every probe and question result takes in reports. */
export interface CheckResult {
  id: string;
  title: string;
  task?: string;
  /** The probe kind, or "question". */
  kind: string;
  status: CheckStatus;
  points: number;
  earned: number;
  expected: string;
  actual: string;
  message: string;
  durationMs: number;
  /** Under --strict: the check was skipped (e.g. Docker Hub unreachable) and is counted as failed. */
  skipped?: true;
}

export interface ExerciseResult {
  id: string;
  title: string;
  earned: number;
  possible: number;
  checks: CheckResult[];
}

export type SkillStatus = 'pass' | 'partial' | 'fail' | 'pending';

export interface SkillResult {
  id: string;
  label: string;
  status: SkillStatus;
  earned: number;
  possible: number;
  /** Exercises that feed this skill but were not evaluated in this run (not checked, or not written yet). */
  missing?: string[];
}
