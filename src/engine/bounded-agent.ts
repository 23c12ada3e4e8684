// Bounds on what an engine may send back. dockerode (docker-modem) buffers every answer that is not a stream whole
// and knows only an idle timeout, so an engine that answers an image inspect with an endless body fills the memory
// of tp7, and one that sends a byte a second never ends. `tp7 grade` talks to engines the students run: each
// request gets a deadline for its whole answer, and a cap on the bytes of an answer that is buffered.
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

/** A buffered answer (JSON) larger than this is no engine's: a listing of 10,000 images is some 20 MB. */
export const MAX_ANSWER_BYTES = 64 << 20;

/** No answer at all in time, an answer begun but not finished in time, an answer too large. */
export type EngineLimit = 'ETP7_ENGINE_SILENT' | 'ETP7_ENGINE_SLOW' | 'ETP7_ENGINE_LARGE';

/** The request was cut: its answer took too long, or grew too large. `code` tells which. */
export class EngineAnswerError extends Error {
  constructor(
    readonly code: EngineLimit,
    message: string,
  ) {
    super(message);
    this.name = 'EngineAnswerError';
  }
}

/**
 * What the answer of a request is: a stream read as it comes (a save, an archive, a pull's progress, events,
 * attach), a long wait for a small answer (a container's end), or an answer buffered whole.
 */
export function answerKind(method: string, url: string): 'stream' | 'long' | 'answer' {
  const [rawPath = '', query = ''] = url.split('?');
  const path = rawPath.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
  if (/^\/containers\/[^/]+\/wait$/.test(path)) return 'long';
  if (/^\/containers\/[^/]+\/logs$/.test(path)) return /(^|&)follow=(1|true)(&|$)/.test(query) ? 'stream' : 'answer';
  const streams = [
    /^\/images\/(get|create|load)$/,
    /^\/images\/.+\/(get|push)$/,
    /^\/build$/,
    /^\/events$/,
    /^\/containers\/[^/]+\/(archive|export|attach|stats)$/,
    /^\/exec\/[^/]+\/start$/,
  ];
  if (method !== 'HEAD' && streams.some((pattern) => pattern.test(path))) return 'stream';
  return 'answer';
}

/** Cuts `request` when its answer is not complete within `deadlineMs` (a stream: its headers), or grows past the cap. */
function watch(request: ClientRequest, kind: ReturnType<typeof answerKind>, deadlineMs: number): void {
  const cut = (code: EngineLimit, message: string) => request.destroy(new EngineAnswerError(code, message));
  let answering = false;
  const late = () => (answering ? cut('ETP7_ENGINE_SLOW', `no complete answer within ${deadlineMs / 1000} s`) : cut('ETP7_ENGINE_SILENT', `no answer within ${deadlineMs / 1000} s`));
  const deadline = kind === 'long' ? undefined : setTimeout(late, deadlineMs);
  deadline?.unref();
  const done = () => clearTimeout(deadline);
  request.once('close', done);
  request.once('response', (response: IncomingMessage) => {
    answering = true;
    if (kind === 'stream') return done();
    // docker-modem reads this answer whole with its own 'data' listener, attached right after this one.
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_ANSWER_BYTES) cut('ETP7_ENGINE_LARGE', `an answer of more than ${MAX_ANSWER_BYTES >> 20} MiB`);
    });
    response.once('end', done);
  });
}

const bound = new WeakSet<Agent>();

/** `agent`, every request it carries watched (once, however often it is given). */
export function boundedAgent<T extends Agent>(agent: T, deadlineMs: () => number): T {
  if (bound.has(agent)) return agent;
  bound.add(agent);
  const carrier = agent as unknown as { addRequest(request: ClientRequest, options: RequestOptions): void };
  const addRequest = carrier.addRequest.bind(agent);
  carrier.addRequest = (request, options) => {
    watch(request, answerKind(String(options.method ?? request.method ?? 'GET'), String(options.path ?? request.path ?? '')), deadlineMs());
    addRequest(request, options);
  };
  return agent;
}
