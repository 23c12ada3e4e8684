import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalizedText } from '../lab/lang.js';
import { writeAtomically } from '../progress/store.js';

// What the background sender last did, for `tp7 submit --status` and the line `tp7 check --submit` prints:
// `.tp7/submit-status.json`, written by the sender only (under its lock).

export interface SubmitStatus {
  lastSent?: { at: string; url: string; student: string; generatedAt: string; sequence: number };
  lastError?: {
    at: string;
    url: string;
    /** What went wrong, in both languages (the board's own words are escaped before they get here). */
    what: LocalizedText;
    /** retry: tried again at `retryAt`; hold: waits for a new `tp7 join`; aside: refused for good; drop: stale. */
    next: 'retry' | 'hold' | 'aside' | 'drop';
    retryAt?: string;
  };
}

export function statusFile(workdir: string): string {
  return join(workdir, '.tp7', 'submit-status.json');
}

export function readStatus(workdir: string): SubmitStatus {
  try {
    const status = JSON.parse(readFileSync(statusFile(workdir), 'utf8')) as SubmitStatus;
    return typeof status === 'object' && status !== null ? status : {};
  } catch {
    return {};
  }
}

export function updateStatus(workdir: string, change: Partial<SubmitStatus> & { clearError?: boolean }): void {
  const { clearError, ...fields } = change;
  const next = { ...readStatus(workdir), ...fields };
  if (clearError) delete next.lastError;
  mkdirSync(join(workdir, '.tp7'), { recursive: true });
  writeAtomically(statusFile(workdir), `${JSON.stringify(next, null, 2)}\n`);
}
