// A stand-in Docker engine on a unix socket, for the tests of what tp7 does when an engine misbehaves: it answers
// what a connection needs (/_ping, /version, /info) as a 20.10 engine does, and every other request as the test
// says (an endless body, a byte now and then, no answer at all). close() ends whatever it still holds open.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export interface StandInEngine {
  /** As DOCKER_HOST takes it: unix:///…/docker.sock. */
  host: string;
  /** Every request it got, as `METHOD /path?query`. */
  requests: string[];
  close(): void;
}

/** The request's API path, without its /vX.Y prefix and query. */
export const apiPath = (request: IncomingMessage): string => (request.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]!;

/** Who the stand-in says it is: a 20.10 engine with the classic store unless told otherwise. */
export interface StandInIdentity {
  version?: { Version: string; ApiVersion: string };
  info?: Record<string, unknown>;
}

export async function standInEngine(answer: (request: IncomingMessage, response: ServerResponse) => void, identity: StandInIdentity = {}): Promise<StandInEngine> {
  const socket = join(tempDir('engine-'), 'docker.sock');
  const requests: string[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const json = (body: unknown) => response.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' }).end(JSON.stringify(body));
    const path = apiPath(request);
    if (path === '/_ping') return response.end('OK');
    if (path === '/version') return json({ Version: '20.10.24', ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64', ...identity.version });
    if (path === '/info') return json({ ID: 'stand-in', RegistryConfig: { Mirrors: [] }, ...identity.info });
    held.add(response);
    response.once('close', () => held.delete(response));
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    requests,
    close() {
      held.forEach((response) => response.destroy());
      server.closeAllConnections();
      server.close();
    },
  };
}

/** An answer that writes `chunk` every `everyMs` for as long as the client listens: endless, or dripping. */
export function forever(chunk: Buffer, everyMs: number): (request: IncomingMessage, response: ServerResponse) => void {
  return (_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(chunk)), everyMs);
    response.once('close', () => clearInterval(timer));
  };
}
