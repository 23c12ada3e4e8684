import type { EngineVersion, ImageStore } from '../engine/types.js';
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
  /** `store` (classic or containerd) and `platform` (the engine's own, os/architecture) were added later: optional. */
  engine: { host: string; version: string; apiVersion: string; store?: ImageStore; platform?: string };
  exercises: ExerciseResult[];
  checklist: SkillResult[];
  score: { earned: number; possible: number; percent: number; skipped: number };
  /** True under --strict: skipped checks were counted as failed. */
  strict: boolean;
  /** The environment variables that change what was checked, or where (TP7_*, DOCKER_*), as they were set. */
  environment: Record<string, string>;
  /**
   * Added to a report sent to a classroom board: `engine` is the hex sha256 of `CODE:ENGINE-ID` (the class code and
   * the engine's `docker info` ID), so the board can tell two students on one engine without learning its ID.
   */
  integrity?: { engine: string };
  /**
   * What qualifies the result, in the run's language: e.g. recorded runs that could not be isolated from the engine
   * (their destructive modes were judged from the shim's record alone). Absent when there is nothing to say.
   */
  notes?: ReportNote[];
}

export interface ReportNote {
  id: string;
  message: string;
}

/** Variables that steer a run: which engine, which registry and Hub, which time limits, which lab files. */
const STEERING = /^(TP7_|DOCKER_(HOST|CONTEXT|CONFIG|TLS_VERIFY|CERT_PATH|API_VERSION)$)/;

/** The steering variables set in `env`, sorted by name: a grader sees what a report's run assumed. */
export function environmentOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter((entry): entry is [string, string] => entry[1] !== undefined && STEERING.test(entry[0]))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export function buildReport(
  host: string,
  engine: EngineVersion,
  exercises: ExerciseResult[],
  checklist: SkillResult[],
  student = defaultStudent(),
  run: { strict?: boolean; environment?: Record<string, string>; notes?: ReportNote[] } = {},
): Report {
  return {
    schema: 'tp7-report/1',
    lab: 'tp7',
    student,
    generatedAt: new Date().toISOString(),
    engine: { host, version: engine.version, apiVersion: engine.apiVersion, store: engine.store, platform: `${engine.os}/${engine.arch}` },
    exercises,
    checklist,
    score: totalScore(exercises),
    strict: run.strict ?? false,
    environment: run.environment ?? environmentOverrides(),
    ...(run.notes?.length ? { notes: run.notes } : {}),
  };
}
