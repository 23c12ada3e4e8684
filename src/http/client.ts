// A bounded HTTP GET for probes that look at a service the student runs (exercise 8's web page). Transport only:
// it knows nothing of labs. Everything it returns comes from the student's service and is untrusted text.
import { directSend, type HttpSend } from './transport.js';

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

export interface HttpClient {
  /** One GET, redirects not followed (a redirect is an answer worth reporting). Throws HttpUnreachableError. */
  get(url: string, options: HttpGetOptions): Promise<HttpAnswer>;
}

export function createHttpClient(send: HttpSend = directSend()): HttpClient {
  return {
    async get(url, { timeoutMs, maxBytes }) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await send(url, { method: 'GET', redirect: 'manual', signal });
        const { bytes, truncated } = await response.body(maxBytes);
        return { status: response.status, headers: response.headers, body: new TextDecoder().decode(bytes), truncated };
      } catch (error) {
        if ((error as Error).name === 'TimeoutError' || signal.aborted) throw new HttpUnreachableError('timeout', `no answer within ${timeoutMs / 1000} s`);
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const code = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new HttpUnreachableError(code === 'ECONNREFUSED' ? 'refused' : 'other', code);
      }
    },
  };
}
