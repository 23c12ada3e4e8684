import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isStale, ownerId } from '../engine/probe-owner.js';

// One background sender per workdir: `.tp7/outbox/sender.lock` names its process the way probe containers name
// theirs (`host/boot-id/pid/start-ticks`, src/engine/probe-owner.ts), so a reused process ID is no holder. A lock
// whose process is gone (killed, machine rebooted) or older than any sender can live is taken over.

export function lockFile(outbox: string): string {
  return join(outbox, 'sender.lock');
}

/** The process ID holding the lock, while it runs and is younger than maxAgeMs; undefined otherwise. */
export function lockHolder(outbox: string, maxAgeMs: number): number | undefined {
  const file = lockFile(outbox);
  try {
    const owner = readFileSync(file, 'utf8').trim();
    const created = statSync(file).mtimeMs;
    if (Date.now() - created > maxAgeMs || isStale(owner, created)) return undefined;
    const pid = Number(owner.split('/')[2]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock for this process; false when a live sender holds it. Two processes taking over a dead sender's
 * lock in the same instant could both run: harmless, a report sent twice is the same report to the board.
 */
export function takeLock(outbox: string, maxAgeMs: number): boolean {
  const file = lockFile(outbox);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${ownerId()}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockHolder(outbox, maxAgeMs) !== undefined) return false;
      rmSync(file, { force: true }); // left by a sender that is gone
    }
  }
  return false;
}

/** Releases the lock if this process holds it (never another sender's). */
export function releaseLock(outbox: string): void {
  const file = lockFile(outbox);
  try {
    if (readFileSync(file, 'utf8').trim() === ownerId()) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
