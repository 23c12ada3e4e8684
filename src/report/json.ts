import type { EngineVersion } from '../engine/types.js';
import type { ExerciseResult, SkillResult } from '../runner/types.js';
import { userInfo } from 'node:os';
import { totalScore } from '../runner/score.js';

export function defaultStudent(): string {
  if (process.env.TP7_STUDENT) return process.env.TP7_STUDENT;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The `tp7 check --json` document. Its shape is a contract (tp7-report/1): fields may be added, never changed. */
export interface Report {
  schema: 'tp7-report/1';
  lab: 'tp7';
  /** Who was checked, for gathering many reports (tp7 class). */
  student: string;
  generatedAt: string;
  engine: { host: string; version: string; apiVersion: string };
  exercises: ExerciseResult[];
  checklist: SkillResult[];
  score: { earned: number; possible: number; percent: number };
}

export function buildReport(host: string, engine: EngineVersion, exercises: ExerciseResult[], checklist: SkillResult[], student = defaultStudent()): Report {
  return {
    schema: 'tp7-report/1',
    lab: 'tp7',
    student,
    generatedAt: new Date().toISOString(),
    engine: { host, version: engine.version, apiVersion: engine.apiVersion },
    exercises,
    checklist,
    score: totalScore(exercises),
  };
}
