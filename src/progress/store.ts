import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// Student progress lives in <workdir>/.tp7/progress.json. Writes go to a temporary file that is fsync'd and
// renamed over the old one, under a lock file, so a crash or two tp7 processes at once never leave a
// half-written or lost update. A file that does not parse is moved aside (never deleted) and reported.

const Answer = z.strictObject({ answer: z.string(), at: z.string() });
const Run = z.strictObject({ at: z.string(), exercise: z.string(), earned: z.number(), possible: z.number() });

export const ProgressSchema = z.strictObject({
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
const LOCK_STALE_MS = 10_000;

export function emptyProgress(): Progress {
  return { format: 'tp7-progress/1', answers: {}, hints: {}, runs: [], solutionsViewed: {} };
}

export interface LoadResult {
  progress: Progress;
  /** Set when a corrupt file was moved aside: the caller tells the student where it went. */
  setAside?: string;
}

export function progressFile(workdir: string): string {
  return join(workdir, '.tp7', 'progress.json');
}

export function loadProgress(workdir: string): LoadResult {
  const file = progressFile(workdir);
  if (!existsSync(file)) return { progress: emptyProgress() };
  const text = readFileSync(file, 'utf8');
  try {
    return { progress: ProgressSchema.parse(JSON.parse(text)) };
  } catch {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    return { progress: emptyProgress(), setAside: aside };
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o644);
  try {
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
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed process must not block the student forever.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS || attempt > 200) rmSync(lock, { force: true });
      else sleep(25);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Reads, changes and writes progress as one locked step. Returns what was written and any set-aside file. */
export function updateProgress(workdir: string, change: (progress: Progress) => void): LoadResult {
  const dir = join(workdir, '.tp7');
  mkdirSync(dir, { recursive: true });
  return withLock(dir, () => {
    const loaded = loadProgress(workdir);
    change(loaded.progress);
    loaded.progress.runs = loaded.progress.runs.slice(-MAX_RUNS);
    writeAtomically(progressFile(workdir), `${JSON.stringify(loaded.progress, null, 2)}\n`);
    return loaded;
  });
}
