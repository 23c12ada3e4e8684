import type { SubmitOutcome } from './board-client.js';

// What the background sender does with each answer of the board: pure, so every case is a unit test.

export interface RetryPolicy {
  /** The first wait after a failure; each further failure doubles it. */
  baseMs: number;
  /** The longest wait between two tries (a board down for the whole class is asked once a minute). */
  capMs: number;
  /** The longest Retry-After honoured: a board asking for an hour is asked again after this. */
  maxRetryAfterMs: number;
  /** Answers of 500 (the board failed on this very report) before it is set aside rather than sent again. */
  maxServerErrors: number;
}

export const DEFAULT_POLICY: RetryPolicy = { baseMs: 1_000, capMs: 60_000, maxRetryAfterMs: 300_000, maxServerErrors: 3 };

/** A gateway or a board starting or stopping (502, 503, 504): the board is away, as when it is down. */
const AWAY = new Set([502, 503, 504]);

/** A 5xx that says the board took the request and failed on it: sent again a few times, never forever. */
export function isServerFailure(outcome: SubmitOutcome): boolean {
  return (outcome.kind === 'refused' || outcome.kind === 'not-a-board') && outcome.status >= 500 && !AWAY.has(outcome.status);
}

export type Decision =
  /** Accepted: the report leaves the queue. */
  | { action: 'sent' }
  /** The board has a newer report of this student (409 stale): this one is dropped. */
  | { action: 'drop' }
  /** Try again after `delayMs` (board down, slow, busy, rate-limited). */
  | { action: 'retry'; delayMs: number }
  /** The token is refused (the name was released, or another name's): kept queued, not retried until a new `tp7 join`. */
  | { action: 'hold' }
  /** The board will never take this report (invalid, too large): kept aside, not retried. */
  | { action: 'set-aside' };

/**
 * The wait before try number `attempt + 1` after `attempt` failures in a row: doubling from baseMs up to capMs,
 * with jitter (between half and all of it) so a room of students whose board came back do not all retry at once.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + (full / 2) * random());
}

/**
 * `serverErrors`: the answers of 500 this report already got. The board failing on the same report again and
 * again is about the report: after `maxServerErrors` it is set aside (kept), and the next report is tried afresh.
 */
export function decide(outcome: SubmitOutcome, attempt: number, policy: RetryPolicy, random: () => number = Math.random, serverErrors = 0): Decision {
  const backoff: Decision = { action: 'retry', delayMs: backoffDelay(attempt, policy, random) };
  if (isServerFailure(outcome) && serverErrors + 1 >= policy.maxServerErrors) return { action: 'set-aside' };
  switch (outcome.kind) {
    case 'accepted':
      return { action: 'sent' };
    case 'unreachable':
      return backoff;
    case 'not-a-board':
      // A proxy or a restarting server answers 5xx without the board's body: it may come back. A 404 page will not.
      return outcome.status >= 500 ? backoff : { action: 'hold' };
    case 'refused':
      if (outcome.status === 429) {
        // The board said how long: wait that long (bounded), never less than the backoff's first step.
        const asked = outcome.retryAfterMs === undefined ? undefined : Math.min(outcome.retryAfterMs, policy.maxRetryAfterMs);
        return asked === undefined ? backoff : { action: 'retry', delayMs: Math.max(asked, policy.baseMs) };
      }
      if (outcome.status === 409 && outcome.error === 'stale') return { action: 'drop' };
      if (outcome.status >= 500) return backoff;
      if (outcome.status === 400 || outcome.status === 413) return { action: 'set-aside' };
      return { action: 'hold' };
  }
}
