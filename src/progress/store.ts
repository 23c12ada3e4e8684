import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Tp7Error, ExitCode } from '../errors.js';
import { both, type LocalizedText } from '../lab/lang.js';

// Student progress lives in <workdir>/.tp7/progress.json. Writes go to a temporary file that is fsync'd and
// renamed over the old one, under a lock file, so a crash or two tp7 processes at once never leave a
// half-written or lost update. A file that does not parse is moved aside (never deleted) and reported.

/** One earlier answer to a question, kept when a new one replaces it: graders see every attempt. */
const EarlierAnswer = z.looseObject({ answer: z.string(), at: z.string(), status: z.string().optional() });
/** The answer that counts is the last one given; `history` keeps the earlier ones, oldest first. */
const Answer = z.looseObject({ answer: z.string(), at: z.string(), status: z.string().optional(), history: z.array(EarlierAnswer).optional() });
export type StoredAnswer = z.infer<typeof Answer>;
const Run = z.object({ at: z.string(), exercise: z.string(), earned: z.number(), possible: z.number() });

// Loose objects: a field written by a newer tp7 (or by hand) is kept as it is, never a reason to drop the file.
export const ProgressSchema = z.looseObject({
  format: z.literal('tp7-progress/1'),
  answers: z.record(z.string(), z.record(z.string(), Answer)).default({}),
  hints: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())).default({}),
  runs: z.array(Run).default([]),
  /** When the student opened each exercise's written solution: instructors want to know. */
  solutionsViewed: z.record(z.string(), z.string()).default({}),
});
export type Progress = z.infer<typeof ProgressSchema>;

/** Check history kept per workdir: enough to see progress over a session, bounded so the file stays small. */
const MAX_RUNS = 500;
/** A lock older than this was left by a process that died: it may be taken over. */
const LOCK_STALE_MS = 10_000;

export function emptyProgress(): Progress {
  return { format: 'tp7-progress/1', answers: {}, hints: {}, runs: [], solutionsViewed: {} };
}

export interface LoadResult {
  progress: Progress;
  /** The file could not be read as progress: set aside (by a write) or left as is (by a read). */
  corrupt?: { file: string; setAside?: string };
}

export function progressFile(workdir: string): string {
  return join(workdir, '.tp7', 'progress.json');
}

/** `action` says what could not be done, in both languages, up to the path. */
function fileError(action: LocalizedText, path: string, error: unknown): Tp7Error {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new Tp7Error(both(`impossible de ${action.fr} ${path} (${code})`, `cannot ${action.en} ${path} (${code})`), ExitCode.usage);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(both('lire votre fichier de progression', 'read your progress file'), file, error);
  }
}

/** Reads progress without changing anything on disk (a read-only command never moves the student's file). */
export function loadProgress(workdir: string): LoadResult {
  const file = progressFile(workdir);
  const text = readText(file);
  if (text === undefined) return { progress: emptyProgress() };
  try {
    return { progress: ProgressSchema.parse(JSON.parse(text)) };
  } catch {
    return { progress: emptyProgress(), corrupt: { file } };
  }
}

/**
 * Writes `text` to a temporary file then renames it over `file`: a reader sees the old or the new, never half.
 * `mode` 0o600 for a file holding a secret (the board token): the temporary file is private from its first byte.
 */
export function writeAtomically(file: string, text: string, mode = 0o644): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    // A private file stays private even when a temporary file left by a crash (with its old mode) is reopened.
    if ((mode & 0o077) === 0) fchmodSync(fd, mode);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock<T>(dir: string, action: () => T): T {
  const lock = join(dir, 'progress.lock');
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Only a lock left by a killed process is taken over; a live writer holds it for milliseconds.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lock, { force: true });
      else sleep(25);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Reads, changes and writes progress as one locked step; a corrupt file is moved aside first, never lost. */
export function updateProgress(workdir: string, change: (progress: Progress) => void): LoadResult {
  const dir = join(workdir, '.tp7');
  try {
    mkdirSync(dir, { recursive: true });
    return withLock(dir, () => {
      const loaded = loadProgress(workdir);
      if (loaded.corrupt) {
        loaded.corrupt.setAside = `${loaded.corrupt.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(loaded.corrupt.file, loaded.corrupt.setAside);
      }
      change(loaded.progress);
      loaded.progress.runs = loaded.progress.runs.slice(-MAX_RUNS);
      writeAtomically(progressFile(workdir), `${JSON.stringify(loaded.progress, null, 2)}\n`);
      return loaded;
    });
  } catch (error) {
    if (error instanceof Tp7Error) throw error;
    throw fileError(both('enregistrer votre progression dans', 'save your progress in'), dir, error);
  }
}
