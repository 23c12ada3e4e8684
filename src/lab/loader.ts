import { PACKAGE_ROOT } from '../package-root.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise, Skills } from './schema.js';
import { labFingerprint, readCachedLab, writeCachedLab } from './cache.js';

export interface LoadedExercise {
  exercise: Exercise;
  /** The exercise folder, e.g. <root>/labs/ex1. */
  dir: string;
}

export interface Lab {
  root: string;
  skills: Skills['skills'];
  exercises: LoadedExercise[];
}


/** labs/ of this package, unless TP7_LABS points elsewhere (tests of broken lab files use that). */
export function labsDir(): string {
  return process.env.TP7_LABS ?? join(PACKAGE_ROOT, 'labs');
}

export function solutionsDir(): string {
  return process.env.TP7_SOLUTIONS ?? join(PACKAGE_ROOT, 'solutions');
}

export function exerciseFile(dir: string): string | undefined {
  return ['exercise.yaml', 'exercise.yml', 'exercise.json'].map((name) => join(dir, name)).find((file) => existsSync(file));
}

/**
 * Loads and validates every lab file; throws one LabDefinitionError listing every problem found. A lab that
 * validated before, unchanged since, comes from the cache (see cache.ts).
 */
export async function loadLab(root = labsDir()): Promise<Lab> {
  const key = labFingerprint(root);
  const cached = readCachedLab<Lab>(key);
  if (cached) return cached;
  // Only a cache miss loads the schemas and the YAML parser.
  const { validateLab } = await import('./validate.js');
  const lab = validateLab(root);
  writeCachedLab(key, lab);
  return lab;
}

export function findExercise(lab: Lab, id: string): LoadedExercise | undefined {
  const wanted = /^[0-9]+$/.test(id) ? `ex${id}` : id.toLowerCase();
  return lab.exercises.find((loaded) => loaded.exercise.id === wanted);
}
