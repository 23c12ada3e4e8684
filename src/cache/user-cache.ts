// The user's tp7 cache folder and the key that seals its entries, shared by every kept result (verdicts of
// student scripts, readings of archives and images). Entries live outside the workdir, in
// $XDG_CACHE_HOME/tp7 (else ~/.cache/tp7), each sealed with an HMAC under a random key only tp7 reads (0600):
// an edited or copied entry is ignored. The student's own account can still read that key, so everything kept
// here saves time and proves nothing: `tp7 check --strict` and `tp7 grade` never read it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's own file: rewritten by every build, so a new tp7 (new probe or reader code) never meets an old entry. */
export const BUILD_STAMP = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);

export function cacheDir(): string {
  // The XDG base directory convention, not a tp7 setting: read where every tool reads it.
  const base = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'tp7');
}

let key: Buffer | undefined | null;

/** The HMAC key, made on first use; null when the cache folder cannot be written (nothing is kept then). */
export function cacheKey(): Buffer | null {
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

/** The seal of `content` (any JSON value) under the user's key. */
export function seal(secretKey: Buffer, content: unknown): string {
  return createHmac('sha256', secretKey).update(JSON.stringify(content)).digest('hex');
}

/** Whether `mac` is the seal of `content` under the user's key. */
export function sealed(secretKey: Buffer, content: unknown, mac: unknown): boolean {
  if (typeof mac !== 'string') return false;
  const want = Buffer.from(seal(secretKey, content), 'hex');
  const got = Buffer.from(mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

