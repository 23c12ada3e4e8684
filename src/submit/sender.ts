import { setTimeout as sleepFor } from 'node:timers/promises';
import { REPORT_LIMIT_BYTES } from '../board-contract.js';
import type { LocalizedText } from '../lab/lang.js';
import { submitReport, type SubmitOutcome } from './board-client.js';
import { readJoinedBoard } from './board-file.js';
import { notABoardText, notJoinedText, refusedText, serverFailureText, STALE_TEXT, tokenRefusedText, tooLargeText, unreachableText } from './messages.js';
import { listQueued, outboxDir, removeQueued, setAside, type OutboxEntry } from './outbox.js';
import { lockHolder, releaseLock, takeLock } from './lock.js';
import { DEFAULT_POLICY, decide, isServerFailure, type Decision, type RetryPolicy } from './retry.js';
import { parseSettings } from '../settings.js';
import { updateStatus, type SubmitStatus } from './status.js';

// The background sender's work: send the outbox oldest first until it is empty, nothing left can be sent
// (every remaining report waits for a new `tp7 join`), or the time is up. It holds the workdir's sender lock
// while it runs (src/submit/sender-main.ts). A report leaves the queue only after the board's answer says so.

export interface DrainOptions {
  /** Stop trying after this long; what is left stays queued for the next check. */
  lifetimeMs: number;
  policy: RetryPolicy;
  /** Time limit of one request to the board. */
  requestTimeoutMs: number;
  send?: (url: string, token: string, reportJson: string, timeoutMs: number) => Promise<SubmitOutcome>;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

export interface DrainResult {
  why: 'empty' | 'held' | 'time-up';
  sent: number;
  /** Queued files this run will not try again (token refused, board joined no longer): the caller skips them. */
  held: Set<string>;
}

function describe(entry: OutboxEntry, outcome: SubmitOutcome, decision: Decision, serverErrors: number): LocalizedText {
  const { url } = entry.item;
  if (decision.action === 'drop') return STALE_TEXT;
  if (decision.action === 'set-aside' && isServerFailure(outcome)) return serverFailureText(url, (outcome as { status: number }).status, serverErrors);
  if (outcome.kind === 'unreachable') return unreachableText(url, outcome);
  if (outcome.kind === 'not-a-board') return notABoardText(url, outcome);
  if (outcome.kind === 'refused' && decision.action === 'hold' && (outcome.status === 401 || outcome.status === 403)) return tokenRefusedText(url, outcome);
  return refusedText(outcome as Extract<SubmitOutcome, { kind: 'refused' }>);
}

const NEXT: Record<Exclude<Decision['action'], 'sent'>, NonNullable<SubmitStatus['lastError']>['next']> = { retry: 'retry', hold: 'hold', drop: 'drop', 'set-aside': 'aside' };

/** Records the outcome of one try; returns how long to wait before the next (0: go on at once). */
function settle(workdir: string, entry: OutboxEntry, outcome: SubmitOutcome, decision: Decision, held: Set<string>, serverErrors: number): number {
  const at = new Date().toISOString();
  const { url, student, generatedAt } = entry.item;
  if (decision.action === 'sent') {
    removeQueued(entry.file);
    const sequence = outcome.kind === 'accepted' ? outcome.sequence : 0;
    updateStatus(workdir, { lastSent: { at, url, student, generatedAt, sequence }, clearError: true });
    return 0;
  }
  if (decision.action === 'drop') removeQueued(entry.file);
  if (decision.action === 'set-aside') setAside(entry.file, isServerFailure(outcome) ? 'server-error' : 'refused');
  if (decision.action === 'hold') held.add(entry.file);
  const delay = decision.action === 'retry' ? decision.delayMs : 0;
  const retryAt = delay ? { retryAt: new Date(Date.now() + delay).toISOString() } : {};
  updateStatus(workdir, { lastError: { at, url, what: describe(entry, outcome, decision, serverErrors), next: NEXT[decision.action], ...retryAt } });
  return delay;
}

export async function drainOutbox(workdir: string, options: DrainOptions): Promise<DrainResult> {
  const send = options.send ?? submitReport;
  const sleep = options.sleep ?? sleepFor;
  const deadline = Date.now() + options.lifetimeMs;
  const held = new Set<string>();
  let failures = 0;
  let sent = 0;
  /** Answers of 500 per queued file, in this run (a report set aside after a few never comes back). */
  const serverErrors = new Map<string, number>();
  for (;;) {
    const queued = listQueued(workdir);
    const entry = queued.find((candidate) => !held.has(candidate.file));
    if (!entry) return { why: queued.length ? 'held' : 'empty', sent, held };
    // The token is read at each try: a student who joined again meanwhile sends with the new one.
    const board = readJoinedBoard(workdir);
    if (!board || board.url !== entry.item.url || board.name !== entry.item.student) {
      held.add(entry.file);
      updateStatus(workdir, { lastError: { at: new Date().toISOString(), url: entry.item.url, what: notJoinedText(entry.item.url), next: 'hold' } });
      continue;
    }
    const reportJson = JSON.stringify(entry.item.report);
    if (Buffer.byteLength(reportJson) > REPORT_LIMIT_BYTES) {
      // The board would refuse it (413): not sent at all, kept aside like any report refused for good.
      setAside(entry.file, 'too-large');
      updateStatus(workdir, { lastError: { at: new Date().toISOString(), url: entry.item.url, what: tooLargeText(Buffer.byteLength(reportJson)), next: 'aside' } });
      continue;
    }
    const outcome = await send(board.url, board.token, reportJson, options.requestTimeoutMs);
    const failedBefore = serverErrors.get(entry.file) ?? 0;
    const decision = decide(outcome, failures, options.policy, options.random, failedBefore);
    if (isServerFailure(outcome)) serverErrors.set(entry.file, failedBefore + 1);
    const delay = settle(workdir, entry, outcome, decision, held, failedBefore + 1);
    if (decision.action === 'sent') sent += 1;
    failures = decision.action === 'retry' ? failures + 1 : 0;
    if (Date.now() + delay >= deadline) return { why: 'time-up', sent, held };
    if (delay) await sleep(delay);
  }
}

/** A lock older than the sender's whole life plus this margin belongs to no living sender. */
const LOCK_MARGIN_MS = 60_000;

export async function runSender(workdir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseSettings(env);
  const lifetimeMs = settings.TP7_SUBMIT_RETRY_FOR_MS;
  const policy = { ...DEFAULT_POLICY, baseMs: settings.TP7_SUBMIT_BACKOFF_MS, capMs: Math.max(DEFAULT_POLICY.capMs, settings.TP7_SUBMIT_BACKOFF_MS) };
  const outbox = outboxDir(workdir);
  const started = Date.now();
  let held = new Set<string>();
  // Whoever queues a report while this sender holds the lock does not start another: so after letting go, look
  // once more, and carry on if a report came in meanwhile (one not already waiting for a new join).
  while (Date.now() - started < lifetimeMs && takeLock(outbox, lifetimeMs + LOCK_MARGIN_MS)) {
    try {
      const result = await drainOutbox(workdir, { lifetimeMs: lifetimeMs - (Date.now() - started), policy, requestTimeoutMs: settings.TP7_BOARD_TIMEOUT_MS });
      held = result.held;
      if (result.why === 'time-up') return;
    } finally {
      releaseLock(outbox);
    }
    if (!listQueued(workdir).some((entry) => !held.has(entry.file))) return;
  }
}
