// The classroom board's student endpoints (BOARD-API.md), as HTTP: GET /api/health, POST /api/join and
// POST /api/submit. Transport only: it knows nothing of labs and carries a report as an opaque JSON document.
// Every answer is turned into one small outcome value, so the callers (tp7 join, the background sender) decide
// what to do from a closed list rather than from status codes. What the board says is untrusted text.

import { BOARD_SCHEMA } from '../board-contract.js';
import { directSend } from '../http/transport.js';
import type { LocalizedText } from '../lab/lang.js';
import { showControlsInline } from '../ui/escape.js';

/** No answer: the board is down, the address wrong, or the network slow. */
export interface Unreachable {
  kind: 'unreachable';
  reason: 'refused' | 'timeout' | 'other';
  detail: string;
}

/** An answer that is not the board's: a web server that is no tp7 board, or a body we cannot read. */
export interface NotABoard {
  kind: 'not-a-board';
  status: number;
}

/** The board's own refusal, `{"error": code, "message": {fr, en}, "problems"?}`. */
export interface Refused {
  kind: 'refused';
  status: number;
  error: string;
  message?: LocalizedText;
  problems: string[];
  /** Milliseconds the board asks us to wait (429 Retry-After), when it said. */
  retryAfterMs?: number;
}

export type HealthOutcome = { kind: 'ok' } | Unreachable | NotABoard;
export type JoinOutcome = { kind: 'joined'; student: string; token: string } | Refused | Unreachable | NotABoard;
export type SubmitOutcome = { kind: 'accepted'; sequence: number; receivedAt: string } | Refused | Unreachable | NotABoard;

/** More than any answer of the board's student endpoints: a bigger body is not a board talking. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_TEXT = 300;

/** Untrusted text from the network, made safe to print on one line. */
function clean(value: unknown): string {
  return showControlsInline(String(value)).slice(0, MAX_TEXT);
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface Exchange {
  kind: 'answer';
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  body: unknown;
}

interface Request {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

function unreachable(error: unknown, timeoutMs: number): Unreachable {
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return { kind: 'unreachable', reason: 'timeout', detail: `${timeoutMs / 1000} s` };
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = clean(cause?.code ?? cause?.message ?? (error as Error).message);
  return { kind: 'unreachable', reason: code === 'ECONNREFUSED' ? 'refused' : 'other', detail: code };
}

/**
 * One exchange over node:http (src/http/transport.ts, never the global fetch). The board's answer is read while
 * the body is still being sent: a board refusing a body before reading it (413) is heard, not taken for a reset.
 */
async function exchange(url: string, init: Request, timeoutMs: number): Promise<Exchange | Unreachable> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response;
  try {
    response = await directSend()(url, { ...init, redirect: 'manual', signal });
  } catch (error) {
    return unreachable(error, timeoutMs);
  }
  let body: unknown;
  try {
    const { bytes, truncated } = await response.body(MAX_ANSWER_BYTES);
    body = truncated ? undefined : JSON.parse(bytes.toString('utf8'));
  } catch {
    body = undefined; // an answer cut short or not JSON: its status still says something
  }
  return { kind: 'answer', status: response.status, headers: response.headers, body };
}

function isLocalized(value: unknown): value is LocalizedText {
  return typeof value === 'object' && value !== null && typeof (value as LocalizedText).fr === 'string' && typeof (value as LocalizedText).en === 'string';
}

/** A 4xx/5xx answer: the board's refusal when it has the board's error shape, else no board at all. */
function refusal(answer: Exchange): Refused | NotABoard {
  const body = answer.body as { error?: unknown; message?: unknown; problems?: unknown } | undefined;
  // A 413 says what it means even when its body was lost (a proxy's page, a connection closed after it).
  if ((!body || typeof body.error !== 'string') && answer.status === 413) return { kind: 'refused', status: 413, error: 'too-large', problems: [] };
  if (!body || typeof body.error !== 'string') return { kind: 'not-a-board', status: answer.status };
  const message = isLocalized(body.message) ? { fr: clean(body.message.fr), en: clean(body.message.en) } : undefined;
  const problems = Array.isArray(body.problems) ? body.problems.slice(0, 20).map(clean) : [];
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after']);
  return { kind: 'refused', status: answer.status, error: clean(body.error), ...(message ? { message } : {}), problems, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export async function boardHealth(base: string, timeoutMs: number): Promise<HealthOutcome> {
  const answer = await exchange(`${base}/api/health`, { method: 'GET', headers: { accept: 'application/json' } }, timeoutMs);
  if (answer.kind === 'unreachable') return answer;
  const body = answer.body as { ok?: unknown; schema?: unknown } | undefined;
  return answer.status === 200 && body?.ok === true && body.schema === BOARD_SCHEMA ? { kind: 'ok' } : { kind: 'not-a-board', status: answer.status };
}

export async function joinBoard(base: string, name: string, code: string, timeoutMs: number): Promise<JoinOutcome> {
  const answer = await exchange(`${base}/api/join`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name, code }) }, timeoutMs);
  if (answer.kind === 'unreachable') return answer;
  const body = answer.body as { student?: unknown; token?: unknown } | undefined;
  if (answer.status === 201 && typeof body?.token === 'string' && typeof body.student === 'string') return { kind: 'joined', student: body.student, token: body.token };
  return answer.status >= 400 ? refusal(answer) : { kind: 'not-a-board', status: answer.status };
}

/** Sends one report document (already JSON text: the outbox keeps it as it was queued). */
export async function submitReport(base: string, token: string, reportJson: string, timeoutMs: number): Promise<SubmitOutcome> {
  const answer = await exchange(`${base}/api/submit`, { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` }, body: reportJson }, timeoutMs);
  if (answer.kind === 'unreachable') return answer;
  const body = answer.body as { accepted?: unknown; sequence?: unknown; receivedAt?: unknown } | undefined;
  if (answer.status === 202 && body?.accepted === true) {
    return { kind: 'accepted', sequence: typeof body.sequence === 'number' ? body.sequence : 0, receivedAt: typeof body.receivedAt === 'string' ? clean(body.receivedAt) : new Date().toISOString() };
  }
  return answer.status >= 400 ? refusal(answer) : { kind: 'not-a-board', status: answer.status };
}
