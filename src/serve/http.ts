import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatPath } from '../lab/format-path.js';
import type { LocalizedText } from '../lab/lang.js';
import type { RefusalCode } from './messages.js';

// The HTTP details of `tp7 serve` that are no route: headers, credentials read from a request, refusals.

/** Headers of every answer: no sniffing, no framing, no script but our own files, no referrer (the key is in a URL). */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** zod's issues as `path: message` lines (a report can be wrong in many places: the first 50 are enough). */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.slice(0, 50).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** A stack overflow while reading a request is the request's doing (a tree too deep for a walker): a 400. */
const TOO_DEEP = '(body): nested too deeply to be read';

/**
 * A request body read with `schema`: every problem as `path: message` (400). Whatever throws while reading is the
 * body's fault, never the server's: it is refused too, not answered 500 (a client retries a 5xx).
 */
export function readBody<T>(schema: z.ZodType<T>, body: unknown): T {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(body);
  } catch (error) {
    throw new Refused('invalid', [error instanceof RangeError ? TOO_DEEP : `(body): ${String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 200)}`]);
  }
  if (!parsed.success) throw new Refused('invalid', problemsOf(parsed.error.issues));
  return parsed.data;
}

export class Refused {
  /** `message`: said instead of the code's own sentence, when there is more to say (which character of a name). */
  constructor(readonly code: RefusalCode, readonly problems?: string[], readonly retryAfter?: number, readonly message?: LocalizedText) {}
}

/** The most of a refused body still read (and dropped) so that its client gets to read the answer. */
export const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * An answer sent before the request's body was read (a 413 on its Content-Length, a 401 before a stranger's
 * body): closing then, with the body unread, makes the kernel reset the connection, and a client that writes its
 * whole body before reading sees EPIPE instead of the answer. So the rest of the body is read and dropped, up to
 * DRAIN_LIMIT_BYTES (the request's time limit still applies), and the connection stays usable; a body declared
 * larger than that is not worth reading: the connection closes after the answer.
 */
export function drainUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete || raw.method === 'GET' || raw.method === 'HEAD') return;
  if (Number(raw.headers['content-length']) > DRAIN_LIMIT_BYTES) {
    reply.header('connection', 'close');
    return;
  }
  reply.removeHeader('connection'); // fastify asks to close after a body it refused: that close is the reset
  let read = 0;
  raw.removeAllListeners('data');
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_LIMIT_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Fastify's own refusals (body too large, not JSON...) in the contract's words. */
export function fromFastify(error: unknown): Refused {
  const { statusCode, code, message } = (error ?? {}) as { statusCode?: number; code?: string; message?: string };
  if (statusCode === 413) return new Refused('too-large');
  if (statusCode === 415) return new Refused('unsupported-media-type');
  if (statusCode === 404) return new Refused('not-found');
  // fastify's own errors (FST_ERR_CTP_BODY_TOO_LARGE is a RangeError) have a status; a bare one is a stack overflow.
  if (statusCode === undefined && error instanceof RangeError) return new Refused('invalid', [TOO_DEEP]);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return new Refused('invalid', [`(body): ${code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty body' : (message ?? 'invalid').split('\n')[0]}`]);
  return new Refused('internal');
}
