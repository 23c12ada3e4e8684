// "localhost" as the student's machine means it: HTTP to the lab registry or to the page on :8080 goes through
// `ssh -W host:port`, a TCP connection opened from the remote end, so probes reach what the student runs.
// The result is a fetch-shaped function: the HTTP and registry clients take it in place of the global fetch.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable, type Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { FetchLike } from '../http/client.js';
import type { SshConnection } from './connection.js';
import { SshError } from './errors.js';
import { ChildStream } from './stream.js';

const MAX_REDIRECTS = 5;

interface Target {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
}

const tunnel = (connection: SshConnection, target: Target): Duplex =>
  new ChildStream(connection.forward(String(target.hostname ?? target.host ?? 'localhost'), Number(target.port)));

class ForwardAgent extends Agent {
  constructor(private readonly connection: SshConnection) {
    super({ keepAlive: true, maxSockets: 4 });
  }
  override createConnection(options: Target): Duplex {
    return tunnel(this.connection, options);
  }
}

class ForwardTlsAgent extends HttpsAgent {
  constructor(private readonly connection: SshConnection) {
    super({ keepAlive: true, maxSockets: 4 });
  }
  override createConnection(options: Target): Duplex {
    const host = String(options.hostname ?? options.host ?? 'localhost');
    return tlsConnect({ socket: tunnel(this.connection, options), servername: options.servername ?? host });
  }
}

/** A refused port on the remote, worded as fetch words it locally (cause.code ECONNREFUSED). */
function asFetchError(error: unknown): Error {
  if (error instanceof SshError) {
    const code = /connection refused|connect failed|forwarding request failed/i.test(error.reason) ? 'ECONNREFUSED' : error.reason;
    return new TypeError('fetch failed', { cause: { code, message: error.reason } });
  }
  return error as Error;
}

export function forwardedFetch(connection: SshConnection): FetchLike {
  const plain = new ForwardAgent(connection);
  const secure = new ForwardTlsAgent(connection);
  const once = (url: URL, init: Parameters<FetchLike>[1] = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : request;
      const req = send(url, { method: init.method ?? 'GET', headers: init.headers, agent: url.protocol === 'https:' ? secure : plain, signal: init.signal }, (res) => {
        const status = res.statusCode ?? 0;
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const empty = init.method === 'HEAD' || status === 204 || status === 304;
        if (empty) res.resume();
        const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status: status >= 200 && status <= 599 ? status : 502, headers }));
      });
      req.once('error', (error) => reject(init.signal?.aborted ? Object.assign(new Error('aborted'), { name: 'TimeoutError' }) : asFetchError(error)));
      req.end();
    });
  return async (url, init = {}) => {
    let target = new URL(url);
    for (let hop = 0; ; hop++) {
      const response = await once(target, init);
      const location = response.headers.get('location');
      if (init.redirect === 'manual' || !location || response.status < 300 || response.status >= 400 || hop >= MAX_REDIRECTS) return response;
      await response.body?.cancel().catch(() => undefined);
      target = new URL(location, target);
    }
  };
}
