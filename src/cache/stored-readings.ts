// Readings that are a function of content alone, kept between tp7 processes: what a `docker save` archive in the
// workdir holds (keyed by the file's identity: device, inode, size, mtime and ctime), a file inside an image or
// an image's dive figures (keyed by the image ID, which names its content). A re-check with nothing changed
// then reads none of them again. Each entry is one small file in the user's cache, sealed like the verdicts
// (user-cache.ts); the probes still judge every time, only the reading is reused. Never used by grading.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeAtomically } from '../files/atomic.js';
import { BUILD_STAMP, cacheDir, cacheKey, seal, sealed } from './user-cache.js';

export interface StoredReadings {
  /**
   * The value kept under (`kind`, `key`) by an earlier tp7 process, else `read()` now, kept for the next one
   * unless `keep` says no. Only values JSON gives back unchanged are kept; a failed read is not kept.
   */
  get<T>(kind: string, key: string, read: () => Promise<T>, keep?: (value: T) => boolean): Promise<T>;
}

/** Entries kept: a course holds a few dozen readings; past this, the least recently written go. */
const MAX_ENTRIES = 400;

function folder(): string {
  return join(cacheDir(), 'readings');
}

function entryId(kind: string, key: string): string {
  return createHash('sha256').update(JSON.stringify([BUILD_STAMP, kind, key])).digest('hex').slice(0, 40);
}

function load(secretKey: Buffer, id: string): { value: unknown } | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(folder(), `${id}.json`), 'utf8')) as { value?: unknown; mac?: unknown };
    return entry && 'value' in entry && sealed(secretKey, [id, entry.value], entry.mac) ? { value: entry.value } : undefined;
  } catch {
    return undefined;
  }
}

/** Drops the oldest entries past MAX_ENTRIES (checked on a write only, so reads stay one file each). */
function trim(): void {
  const names = readdirSync(folder()).filter((name) => name.endsWith('.json'));
  if (names.length <= MAX_ENTRIES) return;
  const byAge = names.map((name) => ({ name, at: statSync(join(folder(), name)).mtimeMs })).sort((a, b) => a.at - b.at);
  for (const { name } of byAge.slice(0, names.length - MAX_ENTRIES)) unlinkSync(join(folder(), name));
}

function store(secretKey: Buffer, id: string, value: unknown): void {
  try {
    mkdirSync(folder(), { recursive: true, mode: 0o700 });
    writeAtomically(join(folder(), `${id}.json`), JSON.stringify({ value, mac: seal(secretKey, [id, value]) }), 0o600);
    trim();
  } catch {
    // Nothing to do: a kept reading only saves time.
  }
}

/** The user's stored readings; reading and keeping are best effort (a read-only home only costs time). */
export function storedReadings(): StoredReadings {
  return {
    async get<T>(kind: string, key: string, read: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
      const secretKey = cacheKey();
      if (!secretKey) return read();
      const id = entryId(kind, key);
      const kept = load(secretKey, id);
      if (kept) return kept.value as T;
      const value = await read();
      // Only what JSON gives back unchanged: Infinity would come back null and judge otherwise.
      if (keep(value) && isDeepStrictEqual(JSON.parse(JSON.stringify(value) ?? 'null'), value)) store(secretKey, id, value);
      return value;
    },
  };
}

/**
 * `compute()`, a pure function of `content` (a parse of a small text), kept by the content's sha256 given
 * `stored`; without it, computed now. Keeps YAML's parser out of a re-check: loading it and its first parse were
 * some 80 ms of CPU.
 */
export function byContent<T>(stored: StoredReadings | undefined, kind: string, content: string, compute: () => T, keep?: (value: T) => boolean): Promise<T> {
  if (!stored) return Promise.resolve().then(compute);
  return stored.get(kind, createHash('sha256').update(content).digest('hex'), async () => compute(), keep);
}
