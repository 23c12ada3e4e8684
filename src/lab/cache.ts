import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Parsing YAML and validating it with zod is most of what a command spends before it talks to the engine
// (about 150 ms for five exercises). A lab that validated once is kept as JSON, keyed by the lab files' names,
// sizes and times and by the build of tp7 itself, so any edit (or a new tp7) validates again.

const CACHE_DIR = fileURLToPath(new URL('../../dist/.lab-cache', import.meta.url));
/** This module's own file: rewritten by every build, so a new schema never meets an old cache. */
const BUILD_STAMP = statSync(fileURLToPath(import.meta.url)).mtimeMs;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

export function labFingerprint(root: string): string | undefined {
  try {
    const hash = createHash('sha256').update(`${BUILD_STAMP}\n${root}\n`);
    for (const file of filesUnder(root).sort()) {
      const stats = statSync(file);
      hash.update(`${file}\t${stats.size}\t${stats.mtimeMs}\n`);
    }
    return hash.digest('hex').slice(0, 32);
  } catch {
    return undefined; // an unreadable lab folder: no cache, the loader reports the problem
  }
}

export function readCachedLab<T>(key: string | undefined): T | undefined {
  if (!key) return undefined;
  try {
    return JSON.parse(readFileSync(join(CACHE_DIR, `${key}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Entries kept: every edit of a lab file makes a new one, so old ones are dropped, oldest first. */
const MAX_ENTRIES = 16;

function prune(): void {
  const entries = readdirSync(CACHE_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ path: join(CACHE_DIR, name), at: statSync(join(CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of entries.slice(MAX_ENTRIES)) rmSync(old.path, { force: true });
}

/** Best effort: a read-only installation simply validates every time. */
export function writeCachedLab(key: string | undefined, lab: unknown): void {
  if (!key) return;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = join(CACHE_DIR, `${key}.${process.pid}.tmp`);
    writeFileSync(temp, JSON.stringify(lab));
    renameSync(temp, join(CACHE_DIR, `${key}.json`));
    prune();
  } catch {
    // Nothing to do: the cache only saves time.
  }
}
