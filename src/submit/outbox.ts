import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeAtomically } from '../progress/store.js';

// Reports waiting for the board: `.tp7/outbox/<queued-at>-<pid>-<n>.json`, one file per report, written
// atomically (temporary file + rename: the sender never reads half a report). A file leaves the outbox only once
// the board accepted it, called it stale, or refused it for good (then it is kept under `outbox/refused/`):
// a crash, a board down or a token refused leaves it queued. A newer report for the same board and student
// supersedes the older ones still queued (the board keeps only the last one anyway).

export interface QueuedReport {
  format: 'tp7-outbox/1';
  /** The board's origin, as in `.tp7/board.json`. */
  url: string;
  /** The joined name: the report's `student`. */
  student: string;
  queuedAt: string;
  /** The report's `generatedAt`: which of two reports is newer. */
  generatedAt: string;
  /** The tp7-report/1 document, as it will be sent. */
  report: unknown;
}

export interface OutboxEntry {
  file: string;
  item: QueuedReport;
}

const QUEUED = /^\d{15}-\d+-\d+\.json$/;
let sequence = 0;

export function outboxDir(workdir: string): string {
  return join(workdir, '.tp7', 'outbox');
}

/** Same board, same student: the reports of which only the newest matters. */
export function sameDestination(a: QueuedReport, b: QueuedReport): boolean {
  return a.url === b.url && a.student === b.student;
}

function readItem(file: string): QueuedReport | undefined {
  try {
    const item = JSON.parse(readFileSync(file, 'utf8')) as QueuedReport;
    return item?.format === 'tp7-outbox/1' && typeof item.url === 'string' && typeof item.student === 'string' && typeof item.generatedAt === 'string' ? item : undefined;
  } catch {
    return undefined;
  }
}

/** What is queued, oldest first. A file that is no queued report (damaged by hand) is set aside, never deleted. */
export function listQueued(workdir: string): OutboxEntry[] {
  const dir = outboxDir(workdir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => QUEUED.test(name)).sort();
  } catch {
    return [];
  }
  const entries: OutboxEntry[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const item = readItem(file);
    if (item) entries.push({ file, item });
    else setAside(file, 'unreadable'); // gone meanwhile (sent, superseded): the move fails quietly
  }
  return entries;
}

/** Newest first by the report's own time; among equals, the one queued last. */
function newer(a: OutboxEntry, b: OutboxEntry): number {
  return b.item.generatedAt.localeCompare(a.item.generatedAt) || b.file.localeCompare(a.file);
}

/**
 * Queues a report and removes what it supersedes: every other queued report for the same board and student that
 * is not newer than it (if a newer one is already queued, this one is the one superseded). The new file is
 * written before anything is removed: a crash in between leaves two reports queued, never none.
 */
export function enqueue(workdir: string, item: Omit<QueuedReport, 'format' | 'queuedAt'>, now = new Date()): { file: string; superseded: number } {
  const dir = outboxDir(workdir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${String(now.getTime()).padStart(15, '0')}-${process.pid}-${sequence++}.json`;
  const file = join(dir, name);
  const queued: QueuedReport = { format: 'tp7-outbox/1', queuedAt: now.toISOString(), ...item };
  writeAtomically(file, `${JSON.stringify(queued)}\n`, 0o600);
  const rivals = listQueued(workdir).filter((entry) => sameDestination(entry.item, queued)).sort(newer);
  for (const older of rivals.slice(1)) removeQueued(older.file);
  return { file, superseded: rivals.length - 1 };
}

/** Removes a sent (or stale) report; one a newer report already superseded is gone already, which is fine. */
export function removeQueued(file: string): void {
  rmSync(file, { force: true });
}

/** Moves a report the board will never accept (invalid, too large) or a damaged file out of the queue, kept. */
export function setAside(file: string, why: string): string {
  const dir = join(file, '..', 'refused');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, `${basename(file, '.json')}.${why}.json`);
  try {
    renameSync(file, target);
  } catch {
    // Already moved or removed by another tp7: nothing is lost.
  }
  return target;
}
