// HTTP exchanges over node:http and node:https: the lab registry's API, Docker Hub, the student's page on
// :8080. Not the global fetch: its implementation (undici) is loaded on first use, and that load was 100 to
// 200 ms of CPU in every full-course check, more than all of the course's registry requests together. The
// engine client already loads node:http. Transport only: it knows nothing of labs or registries.
import { Agent, request, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const MAX_REDIRECTS = 5;
/** What fetch removes on a redirect to another origin: the credentials meant for the first one alone. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  /** Aborting it (a time limit) ends the exchange with a TimeoutError. */
  signal?: AbortSignal;
  /** 'manual': a redirect is the answer; 'follow' (default): up to five are followed, as fetch does. */
  redirect?: 'follow' | 'manual';
  /** The request's body, sent with its Content-Length (a redirect is then never followed: it is the answer). */
  body?: string | Buffer;
}

/** One answer. Its body stays unread until asked for: read it or discard it, or the connection stays busy. */
export interface HttpExchange {
  status: number;
  /** Header names in lowercase; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  /** At most `maxBytes` of the body (all of it by default); past that the transfer is stopped. */
  body(maxBytes?: number): Promise<{ bytes: Buffer; truncated: boolean }>;
  /** The body as UTF-8 text. */
  text(): Promise<string>;
  /** Lets the body go unread. */
  discard(): void;
}

export type HttpSend = (url: string, init?: SendInit) => Promise<HttpExchange>;

/** How connections are made: node's own agents, or ones whose connections start elsewhere (src/ssh/forward.ts). */
export interface Agents {
  http: Agent;
  https: HttpsAgent;
}

/**
 * A failure worded as fetch words it (TypeError "fetch failed" with `cause.code`: ECONNREFUSED...), or a
 * TimeoutError once the signal is aborted, so that every caller reads one shape whatever the transport.
 */
export function transportError(error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return Object.assign(new Error('the exchange took too long'), { name: 'TimeoutError' });
  const failure = error as { code?: string; message?: string };
  return new TypeError('fetch failed', { cause: { code: failure.code, message: failure.message } });
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  // headersDistinct: node keeps only the first of a repeated Content-Type, Location...; fetch joined them all.
  for (const [name, values] of Object.entries(response.headersDistinct)) {
    if (values !== undefined) headers[name.toLowerCase()] = values.join(', ');
  }
  return headers;
}

function exchangeOf(response: IncomingMessage, signal: AbortSignal | undefined): HttpExchange {
  const body = (maxBytes = Number.POSITIVE_INFINITY) => new Promise<{ bytes: Buffer; truncated: boolean }>((resolve, reject) => {
    if (response.readableEnded) return resolve({ bytes: Buffer.alloc(0), truncated: false }); // discarded
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) {
        // Settled first: stopping the transfer makes the response report it was closed mid-answer.
        resolve({ bytes: Buffer.concat(chunks).subarray(0, maxBytes), truncated: true });
        response.destroy();
      }
    });
    response.once('end', () => resolve({ bytes: Buffer.concat(chunks), truncated: false }));
    response.once('error', (error) => reject(transportError(error, signal)));
    response.once('aborted', () => reject(transportError(new Error('connection closed mid-answer'), signal)));
  });
  return {
    status: response.statusCode ?? 0,
    headers: headersOf(response),
    body,
    text: async () => (await body()).bytes.toString('utf8'),
    discard: () => void response.resume(),
  };
}

/** Errors of a connection the server closed while we were still sending: its answer may be on the way. */
const CUT_WHILE_SENDING = new Set(['EPIPE', 'ECONNRESET']);

function sendOnce(agents: Agents, url: URL, init: SendInit): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : request;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers = body ? { ...init.headers, 'content-length': String(body.length) } : init.headers;
    let answered = false;
    const outgoing = send(url, { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http, signal: init.signal }, (response) => {
      answered = true;
      const exchange = exchangeOf(response, init.signal);
      // A HEAD or an empty answer has no body to wait for.
      if (init.method === 'HEAD' || exchange.status === 204 || exchange.status === 304) exchange.discard();
      resolve(exchange);
    });
    // The answer is listened for while the body is still being sent: a server may refuse it before reading it
    // (413) and close; that answer, once here, is what counts, and a write failing after it is no failure.
    outgoing.on('error', (error) => {
      if (answered) return;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      // The answer may be parsed in this same turn of the event loop: give it that chance before failing.
      if (CUT_WHILE_SENDING.has(code)) setImmediate(() => answered || reject(transportError(error, init.signal)));
      else reject(transportError(error, init.signal));
    });
    outgoing.end(body);
  });
}

/** The headers without the credentials (names compared as HTTP does, case aside). */
function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return headers && Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
}

/**
 * Sends through `agents`, following redirects unless told not to. As fetch does, a redirect to another origin
 * (scheme, host or port) goes without the credentials, and they stay dropped for the hops after it: a bearer
 * token Docker Hub gave is not handed to the CDN its blob redirects name, nor to any host a redirect names.
 */
export function httpSend(agents: Agents): HttpSend {
  return async (url, given = {}) => {
    let init = given;
    let target = new URL(url);
    for (let hop = 0; ; hop++) {
      const exchange = await sendOnce(agents, target, init);
      const location = exchange.headers.location;
      if (init.redirect === 'manual' || init.body !== undefined || !location || exchange.status < 300 || exchange.status >= 400 || hop >= MAX_REDIRECTS) return exchange;
      exchange.discard();
      const next = new URL(location, target);
      if (next.origin !== target.origin) init = { ...init, headers: withoutCredentials(init.headers) };
      target = next;
    }
  };
}

let direct: HttpSend | undefined;

/** Requests from this machine, connections kept alive between them (a course asks the registry some fifty times). */
export function directSend(): HttpSend {
  direct ??= httpSend({ http: new Agent({ keepAlive: true, maxSockets: 8 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 4 }) });
  return direct;
}
