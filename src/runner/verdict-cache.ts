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
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomically } from '../progress/store.js';
import type { Outcome } from '../probes/types.js';

/** This module's own file: rewritten by every build, so a new tp7 (new probe code) never meets an old verdict. */
const BUILD_STAMP = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);

/** Entries kept per workdir: the newest win (a workdir has a few dozen side-effect checks). */
const MAX_ENTRIES = 200;

export interface VerdictScope {
  workdir: string;
  /** Engine host and registry: the same workdir checked against another engine shares nothing. */
  engine: string;
  registry: string;
}

type Sealed = { state: string; outcome: Outcome; at: number; mac: string };

function cacheDir(): string {
  // The XDG base directory convention, not a tp7 setting: read where every tool reads it.
  const base = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'tp7');
}

let key: Buffer | undefined | null;

/** The HMAC key, made on first use; null when the cache folder cannot be written (no cache then). */
function secret(): Buffer | null {
  if (key !== undefined) return key;
  const file = join(cacheDir(), 'verdicts.key');
  try {
    key = readFileSync(file);
    if (key.length < 32) throw new Error('short key');
  } catch {
    try {
      mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
      key = randomBytes(32);
      writeFileSync(file, key, { mode: 0o600 });
    } catch {
      key = null;
    }
  }
  return key;
}

function storeFile(scope: VerdictScope): string {
  return join(cacheDir(), 'verdicts', `${createHash('sha256').update(scope.workdir).digest('hex').slice(0, 32)}.json`);
}

function entryKey(scope: VerdictScope, check: string, spec: unknown): string {
  return createHash('sha256').update(JSON.stringify([BUILD_STAMP, scope.workdir, scope.engine, scope.registry, check, spec])).digest('hex');
}

function mac(secretKey: Buffer, id: string, state: string, outcome: Outcome): string {
  return createHmac('sha256', secretKey).update(JSON.stringify([id, state, outcome])).digest('hex');
}

function load(file: string): Record<string, Sealed> {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return stored && typeof stored === 'object' ? (stored as Record<string, Sealed>) : {};
  } catch {
    return {};
  }
}

function genuine(secretKey: Buffer, id: string, entry: Sealed | undefined): entry is Sealed {
  if (typeof entry?.mac !== 'string' || typeof entry.state !== 'string' || !entry.outcome) return false;
  const want = Buffer.from(mac(secretKey, id, entry.state, entry.outcome), 'hex');
  const got = Buffer.from(entry.mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The kept outcome of `check` when it was recorded for exactly this input state, sealed by this user's key. */
export function cachedVerdict(scope: VerdictScope, check: string, spec: unknown, state: string): Outcome | undefined {
  const secretKey = secret();
  if (!secretKey) return undefined;
  const id = entryKey(scope, check, spec);
  const entry = load(storeFile(scope))[id];
  return genuine(secretKey, id, entry) && entry.state === state ? entry.outcome : undefined;
}

/** Keeps an outcome for the next process; best effort (a read-only home only costs the next run its time). */
export function keepVerdict(scope: VerdictScope, check: string, spec: unknown, state: string, outcome: Outcome): void {
  const secretKey = secret();
  if (!secretKey) return;
  const file = storeFile(scope);
  const id = entryKey(scope, check, spec);
  try {
    mkdirSync(join(cacheDir(), 'verdicts'), { recursive: true, mode: 0o700 });
    const entries = { ...load(file), [id]: { state, outcome, at: Date.now(), mac: mac(secretKey, id, state, outcome) } };
    const newest = Object.entries(entries).sort(([, a], [, b]) => (b.at ?? 0) - (a.at ?? 0)).slice(0, MAX_ENTRIES);
    writeAtomically(file, JSON.stringify(Object.fromEntries(newest)));
  } catch {
    // Nothing to do: the cache only saves time.
  }
}

/** Tests: forget the key read by this process (another XDG_CACHE_HOME). */
export function forgetKey(): void {
  key = undefined;
}
