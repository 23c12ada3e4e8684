// "localhost" as the student's machine means it: HTTP to the lab registry or to the page on :8080 goes through
// `ssh -W host:port`, a TCP connection opened from the remote end, so probes reach what the student runs.
// The result is a send function (src/http/transport.ts): the HTTP and registry clients take it in place of the direct one.
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { httpSend, type HttpSend } from '../http/transport.js';
import type { SshConnection } from './connection.js';
import { ChildStream } from './stream.js';

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

/**
 * ssh's failure to open the tunnel (SshError, code ESSH) in local terms: a refused port on the remote is
 * ECONNREFUSED, as it would be here; any other reason is ssh's own words.
 */
function asLocalError(error: unknown): unknown {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== 'ESSH') return error;
  const refused = /connection refused|connect failed|forwarding request failed/i.test(cause.message ?? '');
  return new TypeError('fetch failed', { cause: { code: refused ? 'ECONNREFUSED' : cause.message, message: cause.message } });
}

export function forwardedSend(connection: SshConnection): HttpSend {
  const send = httpSend({ http: new ForwardAgent(connection), https: new ForwardTlsAgent(connection) });
  return async (url, init) => {
    try {
      return await send(url, init);
    } catch (error) {
      throw asLocalError(error);
    }
  };
}
