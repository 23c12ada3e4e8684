// The one way to the engine a recorded run has: a unix socket tp7 serves in the run's scratch folder, where the
// shim's forwarded reads (`docker images`, `ps`, `inspect`, `system df`... through the real docker CLI) are
// passed on to the engine by tp7 itself, over its own connection (unix, tcp, TLS, ssh). It answers the Engine API
// reads those commands make and nothing else: any other method is refused, an upgrade (attach, a hijacked
// stream) too, and so are reads that stream or export (logs, events, archives, saves). A script that finds the
// socket (its path is in the shim) gets no more from it than the shim would.
import { request as httpRequest, createServer, type IncomingMessage, type RequestOptions, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dockerodeOptions, type EngineAddress } from '../engine/address.js';
import { cliEngineHost } from '../ssh/engine-socket.js';

/** The reads of the shim's commands (docker-command.ts readOnly), as Engine API paths without their /vX.Y prefix. */
const READS = [
  /^\/_ping$/,
  /^\/(version|info|system\/df)$/,
  /^\/images\/json$/,
  /^\/images\/.+\/(json|history)$/,
  /^\/containers\/json$/,
  /^\/containers\/[^/]+\/json$/,
  /^\/(volumes|networks)$/,
  /^\/(volumes|networks)\/[^/]+$/,
  // `docker inspect NAME` tries every kind of object in turn; a swarm's answer "not a manager" is skipped by it.
  /^\/plugins\/[^/]+\/json$/,
  /^\/(services|nodes|tasks|secrets|configs)\/[^/]+$/,
];

/** How long one forwarded read may take: a recorded run's own time limit is longer, and stops the script. */
const READ_TIMEOUT_MS = 30_000;

export function isAllowedRead(method: string | undefined, url: string | undefined, headers: IncomingMessage['headers']): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (headers.upgrade || /\bupgrade\b/i.test(String(headers.connection ?? ''))) return false;
  const path = (url ?? '').split('?')[0]!.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
  return READS.some((pattern) => pattern.test(path));
}

/** How node:http reaches the engine at `address`: its socket, host and port (with TLS files), or an ssh agent. */
function engineTarget(address: EngineAddress): { send: typeof httpRequest; options: RequestOptions } {
  // An ssh:// engine tp7 already reaches through a forwarded socket is read through it, as the docker CLI would.
  const local = address.host.startsWith('ssh://') ? cliEngineHost(address.host) : address.host;
  const options = dockerodeOptions(local === address.host ? address : { host: local }) as Record<string, unknown>;
  if (options.socketPath) return { send: httpRequest, options: { socketPath: options.socketPath as string } };
  const base: RequestOptions = { host: options.host as string, port: options.port as number, ...(options.agent ? { agent: options.agent as RequestOptions['agent'] } : {}) };
  if (options.protocol === 'https') return { send: httpsRequest as typeof httpRequest, options: { ...base, ca: options.ca, cert: options.cert, key: options.key } as RequestOptions };
  return { send: httpRequest, options: base };
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message }));
}

export interface ReadProxy {
  /** Stops listening, ends every connection in flight and removes the socket file. */
  close(): Promise<void>;
}

/** Serves the engine's reads on a new unix socket at `socketPath` (its folder must exist). */
export async function serveEngineReads(socketPath: string, address: EngineAddress): Promise<ReadProxy> {
  const target = engineTarget(address);
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, response) => {
    if (!isAllowedRead(incoming.method, incoming.url, incoming.headers)) {
      incoming.resume();
      // Not found rather than forbidden for a read: `docker inspect` then tries the next kind of object.
      if (incoming.method === 'GET' || incoming.method === 'HEAD') refuse(response, 404, 'tp7: not available to a recorded run');
      else refuse(response, 403, 'tp7: a recorded run only reads');
      return;
    }
    const headers = { ...incoming.headers, connection: 'close' };
    delete headers['transfer-encoding'];
    const forwarded = target.send({ ...target.options, method: incoming.method, path: incoming.url, headers, timeout: READ_TIMEOUT_MS }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forwarded.on('timeout', () => forwarded.destroy(new Error('the engine did not answer in time')));
    forwarded.on('error', (error) => {
      if (!response.headersSent) refuse(response, 502, `tp7: ${error.message}`);
      else response.destroy();
    });
    incoming.resume();
    forwarded.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // Listening must not keep tp7 alive by itself: the run that needs it is what does.
  server.unref();
  return {
    async close() {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}
