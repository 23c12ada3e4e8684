// Verdicts of checks with side effects (recorded runs of the student's scripts: most of a full-course check's
// time) kept between tp7 processes, so that a re-check with nothing changed does not run the scripts again.
//
// What may be reused, and by whom:
// - an entry is the outcome of one check, keyed by the workdir, the engine and registry, the check's id and
//   spec, this build of tp7 and the state of everything the check reads (src/runner/reuse.ts): any change of a
//   script, an image, a container or the registry misses;
// - it lives outside the workdir, in the user's cache folder ($XDG_CACHE_HOME/tp7, else ~/.cache/tp7), each
//   entry sealed with an HMAC under a random key only tp7 reads (mode 0600): an edited or copied entry is
//   ignored. The student's own account can still read that key, so the cache is a convenience, not evidence:
// - `tp7 check --strict` (graders) and any grading path never read it; they run every check.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_STAMP, cacheDir, cacheKey, seal, sealed } from '../cache/user-cache.js';
import { writeAtomically } from '../progress/store.js';
import type { Outcome } from '../probes/types.js';

/** Entries kept per workdir: the newest win (a workdir has a few dozen side-effect checks). */
const MAX_ENTRIES = 200;

export interface VerdictScope {
  workdir: string;
  /** Engine host and registry: the same workdir checked against another engine shares nothing. */
  engine: string;
  registry: string;
}

type Sealed = { state: string; outcome: Outcome; at: number; mac: string };

function storeFile(scope: VerdictScope): string {
  return join(cacheDir(), 'verdicts', `${createHash('sha256').update(scope.workdir).digest('hex').slice(0, 32)}.json`);
}

function entryKey(scope: VerdictScope, check: string, spec: unknown): string {
  return createHash('sha256').update(JSON.stringify([BUILD_STAMP, scope.workdir, scope.engine, scope.registry, check, spec])).digest('hex');
}

function load(file: string): Record<string, Sealed> {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return stored && typeof stored === 'object' ? (stored as Record<string, Sealed>) : {};
  } catch {
    return {};
  }
}

/**
 * The store as this process first read it, then as it wrote it: a full-course check asks it for forty checks,
 * and parsing the file forty times cost more than the lookups. An entry another process writes meanwhile is
 * only missed (its check runs again).
 */
const seen = new Map<string, Record<string, Sealed>>();

function loadOnce(file: string): Record<string, Sealed> {
  let entries = seen.get(file);
  if (!entries) {
    entries = load(file);
    seen.set(file, entries);
  }
  return entries;
}

function genuine(secretKey: Buffer, id: string, entry: Sealed | undefined): entry is Sealed {
  if (typeof entry?.state !== 'string' || !entry.outcome) return false;
  return sealed(secretKey, [id, entry.state, entry.outcome], entry.mac);
}

/** The kept outcome of `check` when it was recorded for exactly this input state, sealed by this user's key. */
export function cachedVerdict(scope: VerdictScope, check: string, spec: unknown, state: string): Outcome | undefined {
  const secretKey = cacheKey();
  if (!secretKey) return undefined;
  const id = entryKey(scope, check, spec);
  const entry = loadOnce(storeFile(scope))[id];
  return genuine(secretKey, id, entry) && entry.state === state ? entry.outcome : undefined;
}

/** Keeps an outcome for the next process; best effort (a read-only home only costs the next run its time). */
export function keepVerdict(scope: VerdictScope, check: string, spec: unknown, state: string, outcome: Outcome): void {
  const secretKey = cacheKey();
  if (!secretKey) return;
  const file = storeFile(scope);
  const id = entryKey(scope, check, spec);
  try {
    mkdirSync(join(cacheDir(), 'verdicts'), { recursive: true, mode: 0o700 });
    const entries = { ...load(file), [id]: { state, outcome, at: Date.now(), mac: seal(secretKey, [id, state, outcome]) } };
    const newest = Object.entries(entries).sort(([, a], [, b]) => (b.at ?? 0) - (a.at ?? 0)).slice(0, MAX_ENTRIES);
    const kept = Object.fromEntries(newest);
    writeAtomically(file, JSON.stringify(kept));
    seen.set(file, kept);
  } catch {
    // Nothing to do: the cache only saves time.
  }
}
