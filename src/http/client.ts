// A bounded HTTP GET for probes that look at a service the student runs (exercise 8's web page). Transport only:
// it knows nothing of labs. Everything it returns comes from the student's service and is untrusted text.

export interface HttpAnswer {
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8, cut at maxBytes. */
  body: string;
  /** True when the body was longer than maxBytes (the rest was not read). */
  truncated: boolean;
}

export interface HttpGetOptions {
  /** Time limit of the whole exchange, headers and body. */
  timeoutMs: number;
  /** At most this many bytes of the body are read. */
  maxBytes: number;
}

/** No answer came: the reason, in one line (connection refused, timeout...). */
export class HttpUnreachableError extends Error {
  constructor(
    readonly reason: 'refused' | 'timeout' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'HttpUnreachableError';
  }
}

/** The part of fetch the clients use: the global fetch, or one whose connections start elsewhere (src/ssh/forward.ts). */
export type FetchLike = (url: string, init?: { method?: string; headers?: Record<string, string>; signal?: AbortSignal; redirect?: 'follow' | 'manual' }) => Promise<Response>;

export interface HttpClient {
  /** One GET, redirects not followed (a redirect is an answer worth reporting). Throws HttpUnreachableError. */
  get(url: string, options: HttpGetOptions): Promise<HttpAnswer>;
}

/** Reads at most maxBytes of a body, then stops the transfer. */
async function boundedBody(response: Response, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), truncated: false };
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks).subarray(0, maxBytes), truncated: true };
    }
  }
}

export function createHttpClient(send: FetchLike = fetch): HttpClient {
  return {
    async get(url, { timeoutMs, maxBytes }) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await send(url, { method: 'GET', redirect: 'manual', signal });
        const { bytes, truncated } = await boundedBody(response, maxBytes);
        return { status: response.status, headers: Object.fromEntries(response.headers), body: new TextDecoder().decode(bytes), truncated };
      } catch (error) {
        if ((error as Error).name === 'TimeoutError' || signal.aborted) throw new HttpUnreachableError('timeout', `no answer within ${timeoutMs / 1000} s`);
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const code = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new HttpUnreachableError(code === 'ECONNREFUSED' ? 'refused' : 'other', code);
      }
    },
  };
}
