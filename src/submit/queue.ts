import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../report/json.js';
import { settings } from '../settings.js';
import type { JoinedBoard } from './board-file.js';
import { lockHolder } from './lock.js';
import { enqueue, listQueued, outboxDir } from './outbox.js';
import { writeAtomically } from '../progress/store.js';

// How a check hands a report to the board without waiting for it: queue it (a local file), start the background
// sender unless one runs already, return. No network on this path: a board down or slow costs the check nothing.

/** The sender's lock outlives no sender: its whole life (TP7_SUBMIT_RETRY_FOR_MS) and a minute. */
export function senderLockMaxAge(): number {
  return settings().TP7_SUBMIT_RETRY_FOR_MS + 60_000;
}

/** The process ID of this workdir's background sender, while one runs. */
export function runningSender(workdir: string): number | undefined {
  return lockHolder(outboxDir(workdir), senderLockMaxAge());
}

/** The compiled sender script; absent when tp7 runs from its TypeScript sources (unit tests drain in-process). */
const SENDER_SCRIPT = fileURLToPath(new URL('./sender-main.js', import.meta.url));

/**
 * Starts the background sender, detached from this process (it outlives the check, its output goes nowhere) and
 * unreferenced (the check exits at once). Nothing is started while one runs: it looks at the outbox again before
 * it ends. Returns whether one was started.
 */
export function startSender(workdir: string): boolean {
  if (runningSender(workdir) !== undefined || !existsSync(SENDER_SCRIPT)) return false;
  const child = spawn(process.execPath, [SENDER_SCRIPT, workdir], { detached: true, stdio: 'ignore', cwd: workdir });
  child.on('error', () => undefined); // a failed start leaves the report queued: the next check tries again
  child.unref();
  return true;
}

/** The last report queued for the board, complete (src/report/merge.ts): the base of the next partial one. */
function lastReportFile(workdir: string): string {
  return join(outboxDir(workdir), 'last-report.json');
}

export function lastQueuedReport(workdir: string, board: JoinedBoard): Report | undefined {
  try {
    const last = JSON.parse(readFileSync(lastReportFile(workdir), 'utf8')) as { url?: string; report?: Report };
    return last.url === board.url && last.report?.schema === 'tp7-report/1' && last.report.student === board.name ? last.report : undefined;
  } catch {
    return undefined;
  }
}

export interface Queued {
  /** Older reports for the same board this one replaced in the queue. */
  superseded: number;
  senderStarted: boolean;
}

/** Queues `report` (already complete, with its integrity mark) for the joined board and wakes the sender. */
export function queueReport(workdir: string, board: JoinedBoard, report: Report): Queued {
  const { superseded } = enqueue(workdir, { url: board.url, student: board.name, generatedAt: report.generatedAt, report });
  writeAtomically(lastReportFile(workdir), `${JSON.stringify({ url: board.url, report })}\n`, 0o600);
  return { superseded, senderStarted: startSender(workdir) };
}

/** How many reports wait for `url` (all boards when undefined). */
export function queuedFor(workdir: string, url?: string): number {
  return listQueued(workdir).filter((entry) => url === undefined || entry.item.url === url).length;
}
